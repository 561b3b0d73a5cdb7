/**
 * Card money moved by people (SPEC §3 top-ups; refunds and adjustments for the treasurer).
 * Always through the ledger's postTransaction: balances are never updated otherwise.
 */
import { eq, sql } from 'drizzle-orm';
import type { TopupMethod } from '../core/domain.ts';
import {
  adjustmentPostings,
  type Posting,
  refundPostings,
  type TransactionKind,
  topupPostings,
} from '../core/ledger.ts';
import type { Tx } from '../db/client.ts';
import { ledgerTransactions, machines, members } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { conflict, ServiceError } from './errors.ts';
import { InsufficientCreditError, postTransaction } from './ledger.ts';
import { findMember } from './members.ts';

export interface MoneyRequest {
  amountCents: number;
  method?: TopupMethod | undefined;
  reference?: string | null | undefined;
  reason?: string | null | undefined;
  /** an adjustment below the lowest machine floor, confirmed on purpose (issue #9); audited */
  override?: boolean | undefined;
}

/**
 * An adjustment that would take a card below every machine's floor, unconfirmed: the card
 * could no longer start any machine, so the treasurer must say it is meant (issue #9).
 */
export class BelowFloorError extends ServiceError {
  constructor(
    readonly balanceCents: number,
    readonly floorCents: number,
  ) {
    super(
      'conflict',
      `This adjustment would take the card to ${balanceCents} c, below the lowest machine floor ` +
        `(${floorCents} c: the largest overdraftLimitCents of the machines). If that is really meant, ` +
        'send it again with "override": true; the override is recorded in the audit log with the reason.',
    );
  }
}

/** The lowest balance any machine lets a card reach: −(largest overdraftLimitCents), 0 without machines. */
export async function lowestMachineFloor(tx: Tx): Promise<number> {
  const [row] = await tx
    .select({ most: sql<number>`coalesce(max(${machines.overdraftLimitCents}), 0)` })
    .from(machines);
  return -Number(row?.most ?? 0);
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
  // A refund gives back only what the card holds; an adjustment stays above the lowest
  // machine floor unless overridden on purpose.
  const guarded = kind === 'adjustment' && r.amountCents < 0 && r.override !== true;
  const floorCents = kind === 'refund' ? 0 : guarded ? await lowestMachineFloor(tx) : undefined;
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
      floorCents,
    );
  } catch (e) {
    if (e instanceof InsufficientCreditError && kind === 'adjustment' && floorCents !== undefined) {
      const [m] = await tx
        .select({ balance: members.balanceCents })
        .from(members)
        .where(eq(members.id, memberId));
      throw new BelowFloorError((m?.balance ?? 0) + r.amountCents, floorCents);
    }
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
  // The override is on record whenever it was needed: the card ended below every floor.
  const floor = r.override === true && kind === 'adjustment' ? await lowestMachineFloor(tx) : null;
  const below = floor !== null && result.balanceCents < floor;
  await audit(tx, {
    actor,
    action: kind,
    entity: 'member',
    entityId: memberId,
    after: below ? { ...result, override: true, floorCents: floor } : result,
  });
  return result;
}
