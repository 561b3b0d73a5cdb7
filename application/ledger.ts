/**
 * Posting to the ledger (issue #2). Every transaction is balanced, append-only, and moves
 * the members' cached balances in the same database transaction, under a row lock, so
 * concurrent debits can never cross a card's floor and the cache always equals Σ entries.
 */
import { and, eq, sql } from 'drizzle-orm';
import {
  creditDelta,
  isBalanced,
  type Posting,
  reversalPostings,
  type TransactionKind,
} from '../core/ledger.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { lockMembers, noteLocks } from '../db/lock-order.ts';
import { ledgerEntries, ledgerTransactions, members } from '../db/schema.ts';
import { assertPeriodOpen } from './period-guard.ts';

export interface TransactionMeta {
  kind: TransactionKind;
  memberId?: string | null;
  sessionId?: string | null;
  method?: string | null;
  reference?: string | null;
  reason?: string | null;
  reversesId?: number | null;
  createdBy?: string | null;
  createdAt?: Date;
}

export class InsufficientCreditError extends Error {
  constructor(readonly memberId: string) {
    super('this would take the card below its floor');
  }
}

/** Locks a member's row (level 3 of db/lock-order.ts) and returns its balance. */
export async function lockMemberBalance(tx: Tx, memberId: string): Promise<number | null> {
  return (await lockMembers(tx, [memberId])).get(memberId) ?? null;
}

/**
 * Writes one balanced transaction and updates cached balances. Must run inside a database
 * transaction. `floorCents` (e.g. -overdraft) refuses any posting that would take a
 * member's credit below it; omit it for postings that may legitimately do so.
 */
export async function postTransaction(
  tx: Tx,
  meta: TransactionMeta,
  postings: readonly Posting[],
  floorCents?: number,
): Promise<{ transactionId: number; balances: Map<string, number> }> {
  if (!isBalanced(postings)) throw new Error('unbalanced transaction');
  // Issue #5: nothing may be dated in a closed month (cheap for transactions dated now).
  if (meta.createdAt !== undefined) await assertPeriodOpen(tx, meta.createdAt);
  const deltas = creditDelta(postings);
  const balances = new Map<string, number>();
  // The balance UPDATEs lock the members' rows: level 3 of the lock order, ascending id.
  const memberIds = [...deltas.keys()].sort();
  noteLocks(tx, 'members', memberIds);
  for (const memberId of memberIds) {
    const delta = deltas.get(memberId) ?? 0;
    const updated = await tx
      .update(members)
      .set({ balanceCents: sql`${members.balanceCents} + ${delta}` })
      .where(
        floorCents === undefined || delta >= 0
          ? eq(members.id, memberId)
          : and(eq(members.id, memberId), sql`${members.balanceCents} + ${delta} >= ${floorCents}`),
      )
      .returning({ balanceCents: members.balanceCents });
    const row = updated[0];
    if (row === undefined) throw new InsufficientCreditError(memberId);
    balances.set(memberId, row.balanceCents);
  }
  const inserted = await tx
    .insert(ledgerTransactions)
    .values({
      kind: meta.kind,
      memberId: meta.memberId ?? null,
      sessionId: meta.sessionId ?? null,
      method: meta.method ?? null,
      reference: meta.reference ?? null,
      reason: meta.reason ?? null,
      reversesId: meta.reversesId ?? null,
      createdBy: meta.createdBy ?? null,
      ...(meta.createdAt ? { createdAt: meta.createdAt } : {}),
    })
    .returning({ id: ledgerTransactions.id });
  const transactionId = inserted[0]!.id;
  await tx.insert(ledgerEntries).values(
    postings.map((p) => ({
      transactionId,
      account: p.account,
      amountCents: p.amountCents,
      memberId: p.memberId ?? null,
      machineId: p.machineId ?? null,
      machineKind: p.machineKind ?? null,
    })),
  );
  return { transactionId, balances };
}

/** Reverses a transaction (corrections are never updates of history). */
export async function reverseTransaction(
  tx: Tx,
  transactionId: number,
  reason: string,
  createdBy: string,
): Promise<{ transactionId: number; balances: Map<string, number> } | null> {
  const original = await tx.select().from(ledgerTransactions).where(eq(ledgerTransactions.id, transactionId));
  const head = original[0];
  if (head === undefined) return null;
  const entries = await tx.select().from(ledgerEntries).where(eq(ledgerEntries.transactionId, transactionId));
  const postings: Posting[] = entries.map((e) => ({
    account: e.account,
    amountCents: e.amountCents,
    ...(e.memberId ? { memberId: e.memberId } : {}),
    ...(e.machineId ? { machineId: e.machineId } : {}),
    ...(e.machineKind ? { machineKind: e.machineKind as Posting['machineKind'] } : {}),
  }));
  return postTransaction(
    tx,
    {
      kind: 'reversal',
      memberId: head.memberId,
      sessionId: head.sessionId,
      reason,
      reversesId: transactionId,
      createdBy,
    },
    reversalPostings(postings),
  );
}

/** Σ member_cards entries per member, as credit: the truth the cached balance must equal. */
export async function ledgerCredit(db: DbOrTx, memberId: string): Promise<number> {
  const rows = await db
    .select({ total: sql<string>`coalesce(sum(${ledgerEntries.amountCents}), 0)` })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.account, 'member_cards'), eq(ledgerEntries.memberId, memberId)));
  return 0 - Number(rows[0]?.total ?? 0);
}
