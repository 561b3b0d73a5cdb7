/**
 * The ledger (issue #2): append-only double entry in integer cents. Accounts are logical
 * (their chart numbers are set at export time). Sign convention: positive = debit,
 * negative = credit; every transaction sums to zero. Corrections only by reversal.
 */
import type { MachineKind, TopupMethod } from './domain.ts';

export const ACCOUNTS = [
  /** liability: what members hold on their prepaid machine cards (sub-ledger per member) */
  'member_cards',
  /** revenue from machine use (sub-ledger per machine) */
  'machine_revenue',
  'cash',
  'bank',
  /** online-payment clearing (HelloAsso) */
  'online',
  /** gains and losses from the treasurer's adjustments */
  'adjustments',
  /** sales of consumables (filament, resin, sheets) used in sessions (issue #6) */
  'material_revenue',
  /**
   * receivable (sub-ledger per member, issue #11): credit already spent that a HelloAsso
   * refund or chargeback took back; the card stops at its floor and the member owes the rest
   */
  'member_debts',
] as const;
export type Account = (typeof ACCOUNTS)[number];

/**
 * `material`: consumables sold in a session (issue #11): their own flow, apart from machine
 * use. Before it existed they were posted as `usage` with a `material_revenue` entry; the
 * reports recognise those by that entry (application/ledger-sql.ts).
 */
export const TRANSACTION_KINDS = ['topup', 'usage', 'material', 'refund', 'adjustment', 'reversal'] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

export interface Posting {
  account: Account;
  amountCents: number;
  memberId?: string;
  machineId?: string;
  machineKind?: MachineKind;
}

export class LedgerError extends Error {}

export function paymentAccount(method: TopupMethod): Account {
  switch (method) {
    case 'cash':
      return 'cash';
    case 'helloasso':
      return 'online';
    case 'card':
    case 'transfer':
    case 'check':
    case 'other':
      return 'bank';
    default: {
      const never: never = method;
      throw new LedgerError(`unknown payment method ${String(never)}`);
    }
  }
}

function positive(amountCents: number): void {
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) {
    throw new LedgerError('an amount is a positive whole number of cents');
  }
}

/** Money received for a card: debit the payment account, credit the member's card. */
export function topupPostings(memberId: string, amountCents: number, method: TopupMethod): Posting[] {
  positive(amountCents);
  return [
    { account: paymentAccount(method), amountCents },
    { account: 'member_cards', amountCents: -amountCents, memberId },
  ];
}

/** Machine use: debit the member's card, credit the machine's revenue. */
export function usagePostings(
  memberId: string,
  machineId: string,
  machineKind: MachineKind,
  amountCents: number,
): Posting[] {
  positive(amountCents);
  return [
    { account: 'member_cards', amountCents, memberId },
    { account: 'machine_revenue', amountCents: -amountCents, machineId, machineKind },
  ];
}

/** Consumables used in a session: debit the member's card, credit material sales. */
export function materialPostings(memberId: string, machineId: string, amountCents: number): Posting[] {
  positive(amountCents);
  return [
    { account: 'member_cards', amountCents, memberId },
    { account: 'material_revenue', amountCents: -amountCents, machineId },
  ];
}

/** Credit given back to the member: debit the card, credit the payment account. */
export function refundPostings(memberId: string, amountCents: number, method: TopupMethod): Posting[] {
  positive(amountCents);
  return [
    { account: 'member_cards', amountCents, memberId },
    { account: paymentAccount(method), amountCents: -amountCents },
  ];
}

/**
 * Money HelloAsso gave back to the payer (refund or chargeback) out of a card top-up (issue
 * #11): the card gives back what it holds (`cardCents`), the rest (`debtCents`) was already
 * spent on machines, so it becomes what the member owes; the clearing account gives it all.
 */
export function takeBackPostings(
  memberId: string,
  cardCents: number,
  debtCents: number,
  method: TopupMethod,
): Posting[] {
  if (
    !Number.isSafeInteger(cardCents) ||
    !Number.isSafeInteger(debtCents) ||
    cardCents < 0 ||
    debtCents < 0
  ) {
    throw new LedgerError('amounts taken back are whole numbers of cents, zero or more');
  }
  positive(cardCents + debtCents);
  const out: Posting[] = [];
  if (cardCents > 0) out.push({ account: 'member_cards', amountCents: cardCents, memberId });
  if (debtCents > 0) out.push({ account: 'member_debts', amountCents: debtCents, memberId });
  out.push({ account: paymentAccount(method), amountCents: -(cardCents + debtCents) });
  return out;
}

/** A signed correction of a member's credit (positive adds credit). */
export function adjustmentPostings(memberId: string, creditDeltaCents: number): Posting[] {
  if (!Number.isSafeInteger(creditDeltaCents) || creditDeltaCents === 0) {
    throw new LedgerError('an adjustment is a non-zero whole number of cents');
  }
  return [
    { account: 'adjustments', amountCents: creditDeltaCents },
    { account: 'member_cards', amountCents: -creditDeltaCents, memberId },
  ];
}

/** The exact opposite of a transaction's postings. */
export function reversalPostings(postings: readonly Posting[]): Posting[] {
  return postings.map((p) => ({ ...p, amountCents: -p.amountCents }));
}

export function isBalanced(postings: readonly Posting[]): boolean {
  return postings.length >= 2 && postings.reduce((sum, p) => sum + p.amountCents, 0) === 0;
}

/** A member's credit: the opposite of their card liability's balance. */
export function memberCredit(postings: readonly Posting[], memberId: string): number {
  return (
    0 -
    postings
      .filter((p) => p.account === 'member_cards' && p.memberId === memberId)
      .reduce((sum, p) => sum + p.amountCents, 0)
  );
}

/** The change of a member's credit that a set of postings makes. */
export function creditDelta(postings: readonly Posting[]): Map<string, number> {
  const deltas = new Map<string, number>();
  for (const p of postings) {
    if (p.account !== 'member_cards' || p.memberId === undefined) continue;
    deltas.set(p.memberId, (deltas.get(p.memberId) ?? 0) - p.amountCents);
  }
  return deltas;
}
