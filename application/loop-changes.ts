/**
 * Issue #12: how a use case tells the machine loop that allow-lists may have changed, from any
 * process. `recordLoopChange` writes a row of the `machine_loop_changes` outbox inside the use
 * case's transaction (so the notification exists exactly when the change was committed); every
 * running server polls `latestLoopChange` (machine-loop/scheduler.ts) and republishes the
 * lists when it moved. A server also hears its own use cases at once through
 * `ctx.loop.changed` (use-case.ts `changedAfterCommit`), so the poll only adds what other
 * processes (the CLI, a second server) did. See docs/mqtt.md "Allow-list changes".
 */
import { lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { machineLoopChanges } from '../db/schema.ts';

/** What changed; an omitted list means "all". */
export interface LoopChange {
  memberIds?: string[];
  machineIds?: string[];
}

/** Writes the change in the caller's transaction. */
export async function recordLoopChange(tx: DbOrTx, change: LoopChange): Promise<void> {
  await tx.insert(machineLoopChanges).values({
    memberIds: change.memberIds ?? null,
    machineIds: change.machineIds ?? null,
  });
}

/** The id of the newest change, 0 if none: a server republishes when it grows. */
export async function latestLoopChange(db: DbOrTx): Promise<number> {
  const [row] = await db
    .select({ id: sql<string | number | null>`max(${machineLoopChanges.id})` })
    .from(machineLoopChanges);
  return Number(row?.id ?? 0);
}

/** Deletes changes older than `before` (every server has polled them long ago). */
export async function pruneLoopChanges(db: DbOrTx, before: Date): Promise<void> {
  await db.delete(machineLoopChanges).where(lt(machineLoopChanges.createdAt, before));
}
