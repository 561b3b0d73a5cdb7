/**
 * THE LOCK ORDER (issue #10). Every transaction that locks rows of these tables takes them in
 * this order, and only this order, so that two transactions can never wait for each other
 * (PostgreSQL would abort one with a deadlock, 40P01):
 *
 *   0. claims      a machine_events / idempotency_keys insert on the event's own key. Only a
 *                  duplicate of the same event contends for it, and a duplicate takes it at
 *                  the same point (first for runtime, end, material, report, money; last for a
 *                  badge, under the machine's lock), so no one waits on it while holding a
 *                  lock its twin needs.
 *   1. machines    one machine per transaction (the topic's, or the session's).
 *   2. sessions    machine_sessions rows, ascending id when several.
 *   3. members     ascending id (the balance's UPDATE in postTransaction counts as a lock).
 *   4. the rest    certifications, badges, ledger rows, audit: never locked before any of
 *                  the above. (pending_actions rows are a machine's and only ever touched
 *                  under that machine's lock, so they may be at any point after it.)
 *
 * Paths: badge = machine → open session → members; runtime/end = machine → session → member;
 * sweep = machine (SKIP LOCKED) → session; material = session → member; dashboard = machine
 * (PATCH, lock out) or member (top-up, refund, adjustment). A path may skip a level, never go
 * back up one: the helpers below check it and throw LockOrderError (a bug, never a retry).
 *
 * Rows are locked FOR NO KEY UPDATE, the lock an UPDATE of non-key columns takes: it does not
 * block the KEY SHARE lock a foreign-key insert takes on the row it references (a ledger
 * transaction on its member and session, a session on its machine), which FOR UPDATE would.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import type { Tx } from './client.ts';
import { machineSessions, machines, members } from './schema.ts';

export const LOCK_ORDER = ['machines', 'sessions', 'members'] as const;
export type LockLevel = (typeof LOCK_ORDER)[number];

export class LockOrderError extends Error {}

interface Held {
  level: number;
  rows: Set<string>;
}
const held = new WeakMap<object, Held>();

/**
 * Records that `tx` locks `ids` at `level`; throws when that would go back up the order.
 * Locking a row this transaction already holds is always allowed (it never waits).
 */
export function noteLocks(tx: Tx, level: LockLevel, ids: readonly string[]): void {
  const rank = LOCK_ORDER.indexOf(level);
  const state = held.get(tx) ?? { level: -1, rows: new Set<string>() };
  const fresh = ids.filter((id) => !state.rows.has(`${level}:${id}`));
  if (fresh.length === 0) return;
  if (rank < state.level) {
    throw new LockOrderError(
      `lock order: ${level} ${fresh.join(',')} after ${LOCK_ORDER[state.level]} (see db/lock-order.ts)`,
    );
  }
  state.level = rank;
  for (const id of fresh) state.rows.add(`${level}:${id}`);
  held.set(tx, state);
}

/** Level 1: the machine's row, or null when there is none (or, with skipLocked, it is busy). */
export async function lockMachine(
  tx: Tx,
  machineId: string,
  opts: { skipLocked?: boolean } = {},
): Promise<typeof machines.$inferSelect | null> {
  noteLocks(tx, 'machines', [machineId]);
  const rows = await tx
    .select()
    .from(machines)
    .where(eq(machines.id, machineId))
    .for('no key update', opts.skipLocked ? { skipLocked: true } : {});
  return rows[0] ?? null;
}

/** Level 2: one session's row. */
export async function lockSession(
  tx: Tx,
  sessionId: string,
): Promise<typeof machineSessions.$inferSelect | null> {
  noteLocks(tx, 'sessions', [sessionId]);
  const rows = await tx
    .select()
    .from(machineSessions)
    .where(eq(machineSessions.id, sessionId))
    .for('no key update');
  return rows[0] ?? null;
}

/** Level 3: members' rows in ascending id; their balances by id (absent: no such member). */
export async function lockMembers(tx: Tx, memberIds: readonly string[]): Promise<Map<string, number>> {
  const ids = [...new Set(memberIds)].sort();
  const balances = new Map<string, number>();
  if (ids.length === 0) return balances;
  noteLocks(tx, 'members', ids);
  const rows = await tx
    .select({ id: members.id, balanceCents: members.balanceCents })
    .from(members)
    .where(inArray(members.id, ids))
    .orderBy(asc(members.id))
    .for('no key update');
  for (const r of rows) balances.set(r.id, r.balanceCents);
  return balances;
}
