/**
 * Dates and postings of HelloAsso money (issue #11, items 9 and the floor rule).
 *
 * A top-up is dated at HelloAsso's payment date and a refund at the refund operation's date,
 * so a payment of 31 October found on 2 November lands in October. When that month is closed
 * (application/periods.ts), nothing may be dated in it: the posting goes to the first instant
 * of the next open period and says so in its reason (shown in the exports' labels and on the
 * treasurer's HelloAsso page).
 */
import { sql } from 'drizzle-orm';
import { takeBackPostings, topupPostings } from '../../core/ledger.ts';
import type { Tx } from '../../db/client.ts';
import type { Actor } from '../audit.ts';
import { lockMemberBalance, postTransaction } from '../ledger.ts';
import { rowsOf, ts } from '../ledger-sql.ts';
import { PERIOD_LOCK } from '../period-guard.ts';

export interface Booking {
  /** the ledger date */
  at: Date;
  /** set when the date moved out of a closed month: the words the treasurer sees */
  note: string | null;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The date to post at: `occurredAt` (never after now), or the end of the closed months holding it. */
export async function bookingDate(tx: Tx, occurredAt: Date | null, now: Date): Promise<Booking> {
  const wanted = occurredAt === null || occurredAt > now ? now : occurredAt;
  // Same shared lock as any backdated posting: a month cannot be closed under our feet.
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${PERIOD_LOCK})`);
  let at = wanted;
  const closed: string[] = [];
  for (let guard = 0; guard < 600; guard++) {
    const [row] = await rowsOf<{ period: string; ends_at: string | Date }>(
      tx,
      sql`select period, ends_at from closed_periods
          where starts_at <= ${ts(at)} and ends_at > ${ts(at)} limit 1`,
    );
    if (row === undefined) break;
    closed.push(row.period);
    at = new Date(row.ends_at);
  }
  if (closed.length === 0) return { at, note: null };
  return {
    at,
    note:
      `HelloAsso du ${day(wanted)} : période ${closed.join(', ')} close, ` +
      `comptabilisé le ${day(at)} (première période ouverte)`,
  };
}

export async function postCredit(
  tx: Tx,
  paymentId: string,
  memberId: string,
  cardCents: number,
  booking: Booking,
  actor: Actor,
): Promise<number> {
  const posted = await postTransaction(
    tx,
    {
      kind: 'topup',
      memberId,
      method: 'helloasso',
      reference: `helloasso:${paymentId}`,
      reason: booking.note,
      createdBy: actor,
      createdAt: booking.at,
    },
    topupPostings(memberId, cardCents, 'helloasso'),
  );
  return posted.transactionId;
}

/**
 * Takes back `wantCents` of card credit that HelloAsso gave back to the payer. The card gives
 * what it holds (never going below zero, like a refund by hand); what was already spent on
 * machines is posted to `member_debts`: the member owes it and the treasurer sees it.
 */
export async function postTakeBack(
  tx: Tx,
  input: { paymentId: string; memberId: string; wantCents: number; booking: Booking; reason: string },
): Promise<{ transactionId: number; cardCents: number; debtCents: number }> {
  const balance = (await lockMemberBalance(tx, input.memberId)) ?? 0;
  const cardCents = Math.min(input.wantCents, Math.max(balance, 0));
  const debtCents = input.wantCents - cardCents;
  const reason = [
    input.reason,
    debtCents > 0 ? `dont ${debtCents} c déjà dépensés : dû par le membre` : null,
    input.booking.note,
  ]
    .filter(Boolean)
    .join(' ; ');
  const posted = await postTransaction(
    tx,
    {
      kind: 'refund',
      memberId: input.memberId,
      method: 'helloasso',
      reference: `helloasso:${input.paymentId}`,
      reason,
      createdBy: 'system:helloasso',
      createdAt: input.booking.at,
    },
    takeBackPostings(input.memberId, cardCents, debtCents, 'helloasso'),
    0,
  );
  return { transactionId: posted.transactionId, cardCents, debtCents };
}
