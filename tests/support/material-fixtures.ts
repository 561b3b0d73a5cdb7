/**
 * Issue #11: materials in the shape the code wrote BEFORE the `material` ledger kind existed
 * (application/lab-practices.ts until then): a `usage` transaction whose card debit is
 * credited to `material_revenue`, its `material_uses` row and the session's materialsCents.
 */
import { eq, sql } from 'drizzle-orm';
import { materialPostings } from '../../core/ledger.ts';
import type { Db } from '../../db/client.ts';
import { machineSessions, materialUses } from '../../db/schema.ts';
import { post } from './ledger-fixtures.ts';

export async function oldShapeMaterial(
  db: Db,
  s: { sessionId: string; memberId: string; machineId: string; materialId: string },
  cents: number,
  when: Date,
): Promise<number> {
  const id = await post(
    db,
    { kind: 'usage', memberId: s.memberId, sessionId: s.sessionId, reason: 'consommable', createdAt: when },
    materialPostings(s.memberId, s.machineId, cents),
  );
  await db.insert(materialUses).values({
    id: `use-${id}`,
    sessionId: s.sessionId,
    materialId: s.materialId,
    quantity: 1,
    amountCents: cents,
    createdAt: when,
  });
  await db
    .update(machineSessions)
    .set({ materialsCents: sql`${machineSessions.materialsCents} + ${cents}` })
    .where(eq(machineSessions.id, s.sessionId));
  return id;
}
