/**
 * Qualifications (SPEC §3 POST /qualifications) and their prerequisites. A name is unique,
 * ignoring case and spaces (security check of 1 Dec 2026, issue #12): two "Découpe laser"
 * would let a trainer certify the wrong one and the machine ask for the other.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.ts';
import { qualificationPrerequisites, qualifications } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { conflict, isUniqueViolation, notFound, ServiceError } from './errors.ts';
import { checkQualifications } from './staff.ts';

export interface QualificationInput {
  id: string;
  name: string;
  validityDays: number;
  lapseAfterUnusedDays?: number | null | undefined;
  prerequisites?: string[] | undefined;
}

type Row = typeof qualifications.$inferSelect;

/** The name that two qualifications may not share: case, accents' case and spaces ignored. */
export const qualificationNameKey = (name: string) =>
  name.trim().replace(/\s+/g, ' ').toLocaleLowerCase('fr');

/** Another qualification already has this name (the dashboard says it in the user's words). */
export class QualificationNameTakenError extends ServiceError {
  constructor(readonly existingName: string) {
    super(
      'conflict',
      `A qualification is already called "${existingName}"; choose another name or use the existing one.`,
    );
  }
}

/** pg advisory lock key: creations compare names one at a time (no index can hold the rule). */
const QUALIFICATION_NAMES_LOCK = 7275011;

const view = (q: Row, prerequisites: string[]) => ({
  id: q.id,
  name: q.name,
  validityDays: q.validityDays,
  lapseAfterUnusedDays: q.lapseAfterUnusedDays,
  prerequisites,
  createdAt: q.createdAt,
});

export async function prerequisitesOf(db: DbOrTx, id: string): Promise<string[]> {
  const rows = await db
    .select({ id: qualificationPrerequisites.requiresId })
    .from(qualificationPrerequisites)
    .where(eq(qualificationPrerequisites.qualificationId, id));
  return rows.map((r) => r.id).sort();
}

export async function createQualification(db: Db, actor: Actor, input: QualificationInput) {
  const prerequisites = [...new Set(input.prerequisites ?? [])].sort();
  const exists = () =>
    conflict(`A qualification already has the id "${input.id}"; choose another id or use the existing one.`);
  try {
    return await db.transaction(async (tx) => {
      const [dup] = await tx
        .select({ id: qualifications.id })
        .from(qualifications)
        .where(eq(qualifications.id, input.id));
      if (dup !== undefined) throw exists();
      await checkQualifications(tx, 'prerequisites', prerequisites);
      await tx.execute(sql`select pg_advisory_xact_lock(${QUALIFICATION_NAMES_LOCK})`);
      // Compared in JS: PostgreSQL's lower() in the C locale leaves "É" as it is.
      const key = qualificationNameKey(input.name);
      const names = await tx.select({ name: qualifications.name }).from(qualifications);
      const same = names.find((q) => qualificationNameKey(q.name) === key);
      if (same !== undefined) throw new QualificationNameTakenError(same.name);
      const [row] = await tx
        .insert(qualifications)
        .values({
          id: input.id,
          name: input.name,
          validityDays: input.validityDays,
          lapseAfterUnusedDays: input.lapseAfterUnusedDays ?? null,
        })
        .returning();
      if (prerequisites.length > 0) {
        await tx
          .insert(qualificationPrerequisites)
          .values(prerequisites.map((r) => ({ qualificationId: input.id, requiresId: r })));
      }
      const result = view(row!, prerequisites);
      await audit(tx, {
        actor,
        action: 'create',
        entity: 'qualification',
        entityId: input.id,
        after: result,
      });
      return result;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw exists();
    throw e;
  }
}

export async function listQualifications(db: DbOrTx) {
  const rows = await db.select().from(qualifications).orderBy(asc(qualifications.id));
  const links = await db.select().from(qualificationPrerequisites);
  return rows.map((q) =>
    view(
      q,
      links
        .filter((l) => l.qualificationId === q.id)
        .map((l) => l.requiresId)
        .sort(),
    ),
  );
}

export async function findQualification(db: DbOrTx, id: string): Promise<Row> {
  const [row] = await db.select().from(qualifications).where(eq(qualifications.id, id));
  if (row === undefined) throw notFound('qualification', id);
  return row;
}
