/** Members: the people holding machine cards (SPEC §3 /members); reads. Actions: member-use-cases.ts. */
import { and, asc, count, eq, ilike, or, type SQL, sql } from 'drizzle-orm';
import { effectiveExpiry, isCertificationValid, lapseDate, type MemberStatus } from '../core/domain.ts';
import type { DbOrTx } from '../db/client.ts';
import { badges, certifications, members, qualifications } from '../db/schema.ts';
import { notFound } from './errors.ts';

type MemberRow = typeof members.$inferSelect;

/** A member as the API shows it: never the password hash. */
export function publicMember(m: MemberRow) {
  return {
    id: m.id,
    name: m.name,
    email: m.email,
    status: m.status,
    membershipValidUntil: m.membershipValidUntil,
    category: m.category,
    birthYear: m.birthYear,
    /** why the member was last suspended or reactivated (issue #12) */
    statusReason: m.statusReason,
    statusChangedAt: m.statusChangedAt,
    gender: m.gender,
    residenceCommune: m.residenceCommune,
    residenceArea: m.residenceArea,
    balanceCents: m.balanceCents,
    hasPassword: m.passwordHash !== null,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

export async function findMember(db: DbOrTx, id: string): Promise<MemberRow> {
  const [row] = await db.select().from(members).where(eq(members.id, id));
  if (row === undefined || row.erasedAt !== null) throw notFound('member', id);
  return row;
}

export async function memberDetail(db: DbOrTx, id: string, now: Date) {
  const member = await findMember(db, id);
  const certs = await db
    .select({ cert: certifications, lapseAfterUnusedDays: qualifications.lapseAfterUnusedDays })
    .from(certifications)
    .innerJoin(qualifications, eq(qualifications.id, certifications.qualificationId))
    .where(eq(certifications.memberId, id))
    .orderBy(asc(certifications.qualificationId), asc(certifications.certifiedAt));
  const cards = await db.select().from(badges).where(eq(badges.memberId, id)).orderBy(asc(badges.issuedAt));
  return {
    ...publicMember(member),
    certifications: certs.map(({ cert: c, lapseAfterUnusedDays }) => {
      // Issue #6: a certification also lapses N days after its holder last used a machine needing it.
      const lapsesAt = lapseDate(c, lapseAfterUnusedDays);
      return {
        id: c.id,
        qualificationId: c.qualificationId,
        certifiedAt: c.certifiedAt,
        expiresAt: c.expiresAt,
        lastUsedAt: c.lastUsedAt,
        lapsesAt,
        validUntil: effectiveExpiry({ ...c, lapsesAt }),
        certifiedBy: c.certifiedBy,
        revokedAt: c.revokedAt,
        revokeReason: c.revokeReason,
        valid: isCertificationValid({ ...c, lapsesAt }, now),
      };
    }),
    // Only the last 4 hex digits: the UID itself is never stored nor shown.
    badges: cards.map((b) => ({
      id: b.id,
      last4: b.uidLast4,
      status: b.status,
      issuedAt: b.issuedAt,
      revokedAt: b.revokedAt,
    })),
  };
}

export interface MemberQuery {
  q?: string | undefined;
  status?: MemberStatus | undefined;
  limit: number;
  offset: number;
}

export async function listMembers(db: DbOrTx, query: MemberQuery) {
  const where: SQL[] = [sql`${members.erasedAt} is null`];
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(members.name, pattern), ilike(members.email, pattern))!);
  }
  if (query.status) where.push(eq(members.status, query.status));
  const filter = and(...where);
  const rows = await db
    .select()
    .from(members)
    .where(filter)
    .orderBy(asc(members.name), asc(members.id))
    .limit(query.limit)
    .offset(query.offset);
  const [total] = await db.select({ n: count() }).from(members).where(filter);
  return { items: rows.map(publicMember), total: total?.n ?? 0, limit: query.limit, offset: query.offset };
}
