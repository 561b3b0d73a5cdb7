/**
 * The treasurer's side of HelloAsso (issues #5, #11): the queue of unmatched payments, the
 * payments flagged for attention (chargebacks, cancellations after credit, credit already
 * spent that a refund took back), what was kept off the cards (tips, other items), and
 * assigning an unmatched payment to a member.
 */
import { and, desc, eq, gte, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { helloassoPayments, members } from '../../db/schema.ts';
import { type Actor, audit } from '../audit.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { recordChange } from '../use-case.ts';
import { bookingDate, postCredit } from './booking.ts';
import { publicPayment, type Row } from './public.ts';

export async function listPayments(
  db: Db,
  status: Row['status'] | undefined,
  limit: number,
  offset: number,
  filter: { flagged?: boolean } = {},
) {
  const rows = await db
    .select()
    .from(helloassoPayments)
    .where(
      and(
        status ? eq(helloassoPayments.status, status) : undefined,
        filter.flagged ? isNotNull(helloassoPayments.flag) : undefined,
      ),
    )
    .orderBy(desc(helloassoPayments.receivedAt), desc(helloassoPayments.paymentId))
    .limit(limit)
    .offset(offset);
  return rows.map(publicPayment);
}

export async function findPayment(db: Db, paymentId: string) {
  const [row] = await db.select().from(helloassoPayments).where(eq(helloassoPayments.paymentId, paymentId));
  return row === undefined ? null : publicPayment(row);
}

/**
 * What HelloAsso collected over [from, to) by payment date, split as the books see it: card
 * credit (on 4191 through the clearing account), other items (the association's, booked
 * outside Sésame), HelloAsso's tips (never the association's), and what members owe.
 * Reconciling a payout: payout = card credit + other items − refunds of both (issue #11).
 */
export async function helloassoSummary(db: Db, range: { from: Date; to: Date }) {
  const [row] = await db
    .select({
      payments: sql<string>`count(*)`,
      cardCents: sql<string>`coalesce(sum(${helloassoPayments.cardCents}) filter (where ${helloassoPayments.status} <> 'ignored'), 0)`,
      otherCents: sql<string>`coalesce(sum(${helloassoPayments.otherCents}) filter (where ${helloassoPayments.status} <> 'ignored' or ${helloassoPayments.state} = 'Authorized'), 0)`,
      tipCents: sql<string>`coalesce(sum(${helloassoPayments.tipCents}), 0)`,
      reversedCents: sql<string>`coalesce(sum(${helloassoPayments.reversedCents}), 0)`,
      debtCents: sql<string>`coalesce(sum(${helloassoPayments.debtCents}), 0)`,
      flagged: sql<string>`count(*) filter (where ${helloassoPayments.flag} is not null)`,
    })
    .from(helloassoPayments)
    .where(
      and(
        gte(helloassoPayments.paidAt, range.from),
        lt(helloassoPayments.paidAt, range.to),
        or(eq(helloassoPayments.state, 'Authorized'), sql`${helloassoPayments.status} <> 'ignored'`),
      ),
    );
  const n = (v: string | undefined) => Number(v ?? 0);
  return {
    payments: n(row?.payments),
    cardCents: n(row?.cardCents),
    otherCents: n(row?.otherCents),
    tipCents: n(row?.tipCents),
    reversedCents: n(row?.reversedCents),
    debtCents: n(row?.debtCents),
    flagged: n(row?.flagged),
  };
}

/** The treasurer credits an unmatched payment to a member: its card share less what was refunded meanwhile. */
export async function assignPayment(db: Db, actor: Actor, paymentId: string, memberId: string, now: Date) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(helloassoPayments)
      .where(eq(helloassoPayments.paymentId, paymentId))
      .for('update');
    if (row === undefined) throw notFound('HelloAsso payment', paymentId);
    if (row.status !== 'unmatched') {
      throw conflict(`This payment is ${row.status}, not unmatched: only queued payments can be assigned.`);
    }
    const [m] = await tx
      .select({ id: members.id, erasedAt: members.erasedAt })
      .from(members)
      .where(eq(members.id, memberId));
    if (m === undefined || m.erasedAt !== null)
      throw invalid('memberId', `no member has the id "${memberId}"`);
    const cents = row.cardCents - row.reversedCents;
    if (cents <= 0) throw conflict('Nothing of this payment is left to credit: it was refunded meanwhile.');
    const booking = await bookingDate(tx, row.paidAt, now);
    const txId = await postCredit(tx, paymentId, memberId, cents, booking, actor);
    const [after] = await tx
      .update(helloassoPayments)
      .set({
        status: 'credited',
        memberId,
        topupTransactionId: txId,
        // What refunds took back while queued is no longer on the card's side of the books.
        cardCents: cents,
        reversedCents: 0,
        note: `assigned by ${actor}`,
        bookingNote: booking.note,
        updatedAt: now,
      })
      .where(eq(helloassoPayments.paymentId, paymentId))
      .returning();
    const result = publicPayment(after!);
    await recordChange(tx, { memberIds: [memberId] });
    await audit(tx, {
      actor,
      action: 'helloasso_assign',
      entity: 'helloasso_payment',
      entityId: paymentId,
      after: result,
    });
    return result;
  });
}
