/** Members: the people holding machine cards (SPEC §3 /members). */
import { and, asc, count, eq, ilike, or, type SQL, sql } from 'drizzle-orm';
import { effectiveExpiry, isCertificationValid, lapseDate, type MemberStatus } from '../core/domain.ts';
import type { Gender, ResidenceArea } from '../core/member-categories.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { badges, certifications, members, qualifications } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { conflict, isUniqueViolation, notFound } from './errors.ts';
import { newId } from './security.ts';

export interface MemberInput {
  name: string;
  email: string;
  status?: MemberStatus | undefined;
  membershipValidUntil?: Date | null | undefined;
  category?: string | null | undefined;
  birthYear?: number | null | undefined;
  /** issue #11, for funders' attendance figures; optional personal data */
  gender?: Gender | null | undefined;
  residenceCommune?: string | null | undefined;
  residenceArea?: ResidenceArea | null | undefined;
}

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
    gender: m.gender,
    residenceCommune: m.residenceCommune,
    residenceArea: m.residenceArea,
    balanceCents: m.balanceCents,
    hasPassword: m.passwordHash !== null,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

const emailTaken = (email: string) =>
  conflict(
    `The email ${email} already belongs to a member; search GET /api/v1/members?q=${email} to find them.`,
  );

export async function createMember(db: Db, actor: Actor, input: MemberInput) {
  const id = newId();
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(members)
        .values({
          id,
          name: input.name,
          email: input.email,
          status: input.status ?? 'active',
          membershipValidUntil: input.membershipValidUntil ?? null,
          category: input.category ?? null,
          birthYear: input.birthYear ?? null,
          gender: input.gender ?? null,
          residenceCommune: input.residenceCommune ?? null,
          residenceArea: input.residenceArea ?? null,
        })
        .returning();
      const member = publicMember(row!);
      await audit(tx, { actor, action: 'create', entity: 'member', entityId: id, after: member });
      return member;
    });
  } catch (e) {
    if (isUniqueViolation(e, 'members_email_key')) throw emailTaken(input.email);
    throw e;
  }
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

export async function updateMember(db: Db, actor: Actor, id: string, patch: Partial<MemberInput>) {
  try {
    return await db.transaction(async (tx) => {
      const [before] = await tx.select().from(members).where(eq(members.id, id)).for('update');
      if (before === undefined || before.erasedAt !== null) throw notFound('member', id);
      const [after] = await tx
        .update(members)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(members.id, id))
        .returning();
      const result = publicMember(after!);
      await audit(tx, {
        actor,
        action: 'update',
        entity: 'member',
        entityId: id,
        before: publicMember(before),
        after: result,
      });
      return result;
    });
  } catch (e) {
    if (isUniqueViolation(e, 'members_email_key')) throw emailTaken(patch.email ?? '');
    throw e;
  }
}
