/** A member's card movements made by people (top-ups, refunds, adjustments, reversals), newest first. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { ledgerEntries, ledgerTransactions } from '../db/schema.ts';

export interface CardMovement {
  id: string;
  kind: 'topup' | 'refund' | 'adjustment' | 'reversal';
  /** signed: what the movement added to (positive) or took from (negative) the card */
  amountCents: number;
  method: string | null;
  reference: string | null;
  reason: string | null;
  createdBy: string | null;
  createdAt: Date;
}

export async function cardMovements(db: DbOrTx, memberId: string, limit = 50): Promise<CardMovement[]> {
  const rows = await db
    .select({
      id: ledgerTransactions.id,
      kind: ledgerTransactions.kind,
      amount: ledgerEntries.amountCents,
      method: ledgerTransactions.method,
      reference: ledgerTransactions.reference,
      reason: ledgerTransactions.reason,
      createdBy: ledgerTransactions.createdBy,
      createdAt: ledgerTransactions.createdAt,
    })
    .from(ledgerTransactions)
    .innerJoin(
      ledgerEntries,
      and(eq(ledgerEntries.transactionId, ledgerTransactions.id), eq(ledgerEntries.account, 'member_cards')),
    )
    .where(
      and(
        eq(ledgerEntries.memberId, memberId),
        inArray(ledgerTransactions.kind, ['topup', 'refund', 'adjustment', 'reversal']),
      ),
    )
    .orderBy(desc(ledgerTransactions.createdAt), desc(ledgerTransactions.id))
    .limit(limit);
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.kind as CardMovement['kind'],
    // member_cards is a liability: a credit (negative entry) adds to the card.
    amountCents: 0 - r.amount,
    method: r.method,
    reference: r.reference,
    reason: r.reason,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
  }));
}
