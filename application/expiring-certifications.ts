/**
 * Certifications that lapse soon (issue #4, trainers' view; issue #6: also those about to
 * lapse for want of use): renew them, or use the machine, before they do.
 */
import { and, asc, eq, gt, inArray, isNull } from 'drizzle-orm';
import { effectiveExpiry, lapseDate } from '../core/domain.ts';
import type { DbOrTx } from '../db/client.ts';
import { certifications, members, qualifications } from '../db/schema.ts';

export interface ExpiringCertification {
  id: string;
  memberId: string;
  memberName: string;
  qualificationId: string;
  qualificationName: string;
  /** when it stops being valid: its fixed expiry or its lapse, whichever comes first */
  expiresAt: Date;
  /** `lapse`: it ends for want of use (N days after the machine was last used), not at its date */
  ends: 'expiry' | 'lapse';
}

/**
 * Valid certifications ending (expiry or lapse) within `days` of `now`, soonest first; only
 * the given qualifications (a trainer's) unless `qualificationIds` is null (an admin's view),
 * and only one member's when `memberId` is given (a member's own page).
 */
export async function expiringCertifications(
  db: DbOrTx,
  opts: {
    now: Date;
    days: number;
    qualificationIds: readonly string[] | null;
    memberId?: string | undefined;
  },
): Promise<ExpiringCertification[]> {
  if (opts.qualificationIds !== null && opts.qualificationIds.length === 0) return [];
  const until = opts.now.getTime() + opts.days * 86_400_000;
  const rows = await db
    .select({
      id: certifications.id,
      memberId: certifications.memberId,
      memberName: members.name,
      qualificationId: certifications.qualificationId,
      qualificationName: qualifications.name,
      certifiedAt: certifications.certifiedAt,
      lastUsedAt: certifications.lastUsedAt,
      revokedAt: certifications.revokedAt,
      expiresAt: certifications.expiresAt,
      lapseAfterUnusedDays: qualifications.lapseAfterUnusedDays,
    })
    .from(certifications)
    .innerJoin(members, eq(members.id, certifications.memberId))
    .innerJoin(qualifications, eq(qualifications.id, certifications.qualificationId))
    .where(
      and(
        isNull(certifications.revokedAt),
        isNull(members.erasedAt),
        gt(certifications.expiresAt, opts.now),
        opts.memberId === undefined ? undefined : eq(certifications.memberId, opts.memberId),
        opts.qualificationIds === null
          ? undefined
          : inArray(certifications.qualificationId, [...opts.qualificationIds]),
      ),
    )
    .orderBy(asc(certifications.expiresAt), asc(members.name));
  const out: ExpiringCertification[] = [];
  for (const r of rows) {
    const lapsesAt = lapseDate(r, r.lapseAfterUnusedDays);
    const ends = effectiveExpiry({ ...r, lapsesAt });
    if (ends.getTime() <= opts.now.getTime() || ends.getTime() > until) continue;
    out.push({
      id: r.id,
      memberId: r.memberId,
      memberName: r.memberName,
      qualificationId: r.qualificationId,
      qualificationName: r.qualificationName,
      expiresAt: ends,
      ends:
        lapsesAt !== null && ends.getTime() === lapsesAt.getTime() && lapsesAt < r.expiresAt
          ? 'lapse'
          : 'expiry',
    });
  }
  return out.sort(
    (a, b) => a.expiresAt.getTime() - b.expiresAt.getTime() || a.memberName.localeCompare(b.memberName),
  );
}
