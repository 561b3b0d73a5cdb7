/** Staff accounts: admins, trainers and treasurers (SPEC §3 roles). */
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { StaffRole } from '../core/domain.ts';
import type { Db, DbOrTx, Tx } from '../db/client.ts';
import { members, qualifications, staff, trainerQualifications } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { issueToken, trainerOf } from './auth.ts';
import { conflict, invalid, isUniqueViolation, notFound } from './errors.ts';
import { newId } from './security.ts';

export interface StaffInput {
  name: string;
  email: string;
  roles: StaffRole[];
  trainerOf?: string[] | undefined;
  memberId?: string | null | undefined;
}

type StaffRow = typeof staff.$inferSelect;

function publicStaff(s: StaffRow, quals: string[]) {
  return {
    id: s.id,
    name: s.name,
    email: s.email,
    roles: s.roles as StaffRole[],
    trainerOf: quals,
    memberId: s.memberId,
    hasPassword: s.passwordHash !== null,
    disabledAt: s.disabledAt,
    createdAt: s.createdAt,
  };
}

async function checkQualifications(db: DbOrTx, field: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await db
    .select({ id: qualifications.id })
    .from(qualifications)
    .where(inArray(qualifications.id, [...ids]));
  const known = new Set(found.map((r) => r.id));
  ids.forEach((id, i) => {
    if (!known.has(id))
      throw invalid(
        `${field}.${i}`,
        `no qualification has the id "${id}"; create it first (POST /api/v1/qualifications)`,
      );
  });
}

export { checkQualifications };

async function checkMember(tx: Tx, memberId: string | null | undefined): Promise<void> {
  if (!memberId) return;
  const [m] = await tx.select({ id: members.id }).from(members).where(eq(members.id, memberId));
  if (m === undefined) throw invalid('memberId', `no member has the id "${memberId}"`);
}

/** Creates a staff account with its first API token (returned once). */
export async function createStaff(db: Db, actor: Actor, input: StaffInput) {
  const id = newId();
  const quals = [...new Set(input.trainerOf ?? [])].sort();
  try {
    return await db.transaction(async (tx) => {
      await checkQualifications(tx, 'trainerOf', quals);
      await checkMember(tx, input.memberId);
      const [row] = await tx
        .insert(staff)
        .values({
          id,
          name: input.name,
          email: input.email,
          roles: [...new Set(input.roles)],
          memberId: input.memberId ?? null,
        })
        .returning();
      if (quals.length > 0) {
        await tx
          .insert(trainerQualifications)
          .values(quals.map((q) => ({ staffId: id, qualificationId: q })));
      }
      const { token } = await issueToken(tx, { staffId: id });
      const account = publicStaff(row!, quals);
      await audit(tx, { actor, action: 'create', entity: 'staff', entityId: id, after: account });
      return { ...account, token };
    });
  } catch (e) {
    if (isUniqueViolation(e, 'staff_email_key'))
      throw conflict(`A staff account already uses the email ${input.email}.`);
    throw e;
  }
}

/** Refuses a change that would leave no enabled admin: nobody could manage the lab any more. */
async function keepOneAdmin(tx: Tx): Promise<void> {
  const admins = await tx
    .select({ id: staff.id })
    .from(staff)
    .where(and(sql`'admin' = any(${staff.roles})`, isNull(staff.disabledAt)))
    .limit(1);
  if (admins.length === 0) {
    throw conflict('This would leave no enabled admin; make another account admin first.');
  }
}

export async function listStaff(db: DbOrTx) {
  const rows = await db.select().from(staff).orderBy(asc(staff.name), asc(staff.id));
  const links = await db.select().from(trainerQualifications);
  return rows.map((s) =>
    publicStaff(
      s,
      links
        .filter((l) => l.staffId === s.id)
        .map((l) => l.qualificationId)
        .sort(),
    ),
  );
}

export async function getStaff(db: DbOrTx, id: string) {
  const [row] = await db.select().from(staff).where(eq(staff.id, id));
  if (row === undefined) throw notFound('staff account', id);
  return publicStaff(row, await trainerOf(db, id));
}

export interface StaffPatch {
  name?: string | undefined;
  email?: string | undefined;
  roles?: StaffRole[] | undefined;
  trainerOf?: string[] | undefined;
  memberId?: string | null | undefined;
  disabled?: boolean | undefined;
}

export async function updateStaff(db: Db, actor: Actor, id: string, patch: StaffPatch, now: Date) {
  try {
    return await db.transaction(async (tx) => {
      const [before] = await tx.select().from(staff).where(eq(staff.id, id)).for('update');
      if (before === undefined) throw notFound('staff account', id);
      const beforeView = publicStaff(before, await trainerOf(tx, id));
      await checkMember(tx, patch.memberId);
      const { trainerOf: quals, disabled, roles, ...fields } = patch;
      await tx
        .update(staff)
        .set({
          ...fields,
          ...(roles ? { roles: [...new Set(roles)] } : {}),
          ...(disabled === undefined ? {} : { disabledAt: disabled ? (before.disabledAt ?? now) : null }),
        })
        .where(eq(staff.id, id));
      if (quals !== undefined) {
        const unique = [...new Set(quals)].sort();
        await checkQualifications(tx, 'trainerOf', unique);
        await tx.delete(trainerQualifications).where(eq(trainerQualifications.staffId, id));
        if (unique.length > 0) {
          await tx
            .insert(trainerQualifications)
            .values(unique.map((q) => ({ staffId: id, qualificationId: q })));
        }
      }
      const after = await getStaff(tx, id);
      if (before.roles.includes('admin') && (after.disabledAt !== null || !after.roles.includes('admin'))) {
        await keepOneAdmin(tx);
      }
      await audit(tx, { actor, action: 'update', entity: 'staff', entityId: id, before: beforeView, after });
      return after;
    });
  } catch (e) {
    if (isUniqueViolation(e, 'staff_email_key'))
      throw conflict(`A staff account already uses the email ${patch.email}.`);
    throw e;
  }
}
