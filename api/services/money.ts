/**
 * Card money moved by people (SPEC §3 top-ups; refunds and adjustments for the treasurer).
 * Always through the ledger's postTransaction: balances are never updated otherwise.
 */
import { eq } from 'drizzle-orm';
import type { TopupMethod } from '../../core/domain.ts';
import {
  adjustmentPostings,
  type Posting,
  refundPostings,
  type TransactionKind,
  topupPostings,
} from '../../core/ledger.ts';
import type { Tx } from '../db/client.ts';
import { ledgerTransactions } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { conflict } from './errors.ts';
import { InsufficientCreditError, postTransaction } from './ledger.ts';
import { findMember } from './members.ts';

export interface MoneyRequest {
  amountCents: number;
  method?: TopupMethod | undefined;
  reference?: string | null | undefined;
  reason?: string | null | undefined;
}

function postings(kind: TransactionKind, memberId: string, r: MoneyRequest): Posting[] {
  switch (kind) {
    case 'topup':
      return topupPostings(memberId, r.amountCents, r.method ?? 'other');
    case 'refund':
      return refundPostings(memberId, r.amountCents, r.method ?? 'other');
    case 'adjustment':
      return adjustmentPostings(memberId, r.amountCents);
    default:
      throw new Error(`${kind} is not moved by hand`);
  }
}

/** Posts a top-up, refund or adjustment for a member; runs inside the caller's transaction. */
export async function moveMoney(
  tx: Tx,
  actor: Actor,
  kind: 'topup' | 'refund' | 'adjustment',
  memberId: string,
  r: MoneyRequest,
  now: Date,
) {
  await findMember(tx, memberId);
  let posted: Awaited<ReturnType<typeof postTransaction>>;
  try {
    posted = await postTransaction(
      tx,
      {
        kind,
        memberId,
        method: r.method ?? null,
        reference: r.reference ?? null,
        reason: r.reason ?? null,
        createdBy: actor,
        createdAt: now,
      },
      postings(kind, memberId, r),
      // A refund gives back only what the card holds.
      kind === 'refund' ? 0 : undefined,
    );
  } catch (e) {
    if (e instanceof InsufficientCreditError) {
      throw conflict(
        'The refund is larger than the card’s balance; refund at most the balance (GET the member first).',
      );
    }
    throw e;
  }
  const [row] = await tx
    .select()
    .from(ledgerTransactions)
    .where(eq(ledgerTransactions.id, posted.transactionId));
  const result = {
    transactionId: String(posted.transactionId),
    kind,
    memberId,
    amountCents: r.amountCents,
    method: r.method ?? null,
    reference: r.reference ?? null,
    reason: r.reason ?? null,
    balanceCents: posted.balances.get(memberId) ?? 0,
    createdAt: row!.createdAt,
    createdBy: actor,
  };
  await audit(tx, { actor, action: kind, entity: 'member', entityId: memberId, after: result });
  return result;
}
