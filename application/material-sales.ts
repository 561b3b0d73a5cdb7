/**
 * Issue #12: a material sold during a session (POST /api/v1/sessions/{id}/materials, the board's
 * "Matière" form) as one use case: validation, the member's own session only, one transaction
 * (idempotent when a key is given: a double click charges once), the audit entry and the
 * machine-loop change (the card's credit on the allow-lists moves).
 */
import { z } from 'zod';
import type { Tx } from '../db/client.ts';
import { withTransaction } from '../db/transaction.ts';
import { forbidden } from './errors.ts';
import { idempotent } from './idempotency.ts';
import { recordMaterialUse } from './lab-practices.ts';
import { getSession } from './sessions.ts';
import { changedAfterCommit, recordChange, type UseCaseContext, validate } from './use-case.ts';

export const sellMaterialInput = z
  .object({
    sessionId: z.string().trim().min(1).max(200),
    materialId: z.string().trim().min(1).max(64),
    quantity: z.number().int().min(1).max(1_000_000),
    /** the machine the form was on: the session must be there */
    machineId: z.string().trim().min(1).max(64).optional(),
    idempotencyKey: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export async function sellMaterial(ctx: UseCaseContext, input: z.input<typeof sellMaterialInput>) {
  const v = validate(sellMaterialInput, input);
  const session = await getSession(ctx.db, v.sessionId);
  if (ctx.actor.kind === 'member' && session.memberId !== ctx.actor.memberId) {
    throw forbidden('A member may charge material only to their own session.');
  }
  const changed = { memberIds: [session.memberId], machineIds: [session.machineId] };
  const body = { materialId: v.materialId, quantity: v.quantity };
  const run = async (tx: Tx) => {
    const use = await recordMaterialUse(
      tx,
      ctx.by,
      { sessionId: v.sessionId, ...body, ...(v.machineId ? { machineId: v.machineId } : {}) },
      ctx.now(),
    );
    await recordChange(tx, changed);
    return { status: 201, body: use };
  };
  // Same scope for every door: a key is one sale.
  const answer = v.idempotencyKey
    ? await idempotent(ctx.db, `material:${v.sessionId}`, v.idempotencyKey, body, run)
    : { ...(await withTransaction(ctx.db, run)), replayed: false };
  if (!answer.replayed) changedAfterCommit(ctx, changed);
  return {
    use: answer.body as Awaited<ReturnType<typeof recordMaterialUse>>,
    replayed: answer.replayed,
  };
}
