/** Certifications that lapse soon (issue #4, trainers' view): renew them before they do. */
import { and, asc, eq, gt, inArray, isNull, lte } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { certifications, members, qualifications } from '../db/schema.ts';

export interface ExpiringCertification {
  id: string;
  memberId: string;
  memberName: string;
  qualificationId: string;
  qualificationName: string;
  expiresAt: Date;
}

/**
 * Valid certifications expiring within `days` of `now`, soonest first; only the given
 * qualifications (a trainer's) unless `qualificationIds` is null (an admin's view).
 */
export async function expiringCertifications(
  db: DbOrTx,
  opts: { now: Date; days: number; qualificationIds: readonly string[] | null },
): Promise<ExpiringCertification[]> {
  if (opts.qualificationIds !== null && opts.qualificationIds.length === 0) return [];
  const until = new Date(opts.now.getTime() + opts.days * 86_400_000);
  const rows = await db
    .select({
      id: certifications.id,
      memberId: certifications.memberId,
      memberName: members.name,
      qualificationId: certifications.qualificationId,
      qualificationName: qualifications.name,
      expiresAt: certifications.expiresAt,
    })
    .from(certifications)
    .innerJoin(members, eq(members.id, certifications.memberId))
    .innerJoin(qualifications, eq(qualifications.id, certifications.qualificationId))
    .where(
      and(
        isNull(certifications.revokedAt),
        isNull(members.erasedAt),
        gt(certifications.expiresAt, opts.now),
        lte(certifications.expiresAt, until),
        opts.qualificationIds === null
          ? undefined
          : inArray(certifications.qualificationId, [...opts.qualificationIds]),
      ),
    )
    .orderBy(asc(certifications.expiresAt), asc(members.name));
  return rows;
}
