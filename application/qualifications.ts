/** Qualifications (SPEC §3 POST /qualifications) and their prerequisites. */
import { asc, eq } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.ts';
import { qualificationPrerequisites, qualifications } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { conflict, isUniqueViolation, notFound } from './errors.ts';
import { checkQualifications } from './staff.ts';

export interface QualificationInput {
  id: string;
  name: string;
  validityDays: number;
  lapseAfterUnusedDays?: number | null | undefined;
  prerequisites?: string[] | undefined;
}

type Row = typeof qualifications.$inferSelect;

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
