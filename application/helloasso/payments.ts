/**
 * HelloAsso payments become machine-card credit (issues #5, #11), exactly once per HelloAsso
 * payment id and once per refund operation, whatever the webhook does: the payment is always
 * re-fetched from HelloAsso's API (their notifications are not signed, so a body is only a
 * hint), and its row in helloasso_payments is claimed and locked before anything is posted.
 *
 * What is credited: the machine-card item's share only (shares.ts); the tip and other items
 * are recorded on the row and reported. Dates: HelloAsso's (booking.ts).
 *
 * States (Enums.PaymentState of HelloAsso's OpenAPI):
 * - `Authorized` → top-up of the member matched by the configured custom field or the payer's
 *   e-mail, else queued as `unmatched` for the treasurer.
 * - processed `refundOperations` → each taken back once (partial refunds), at its date.
 * - `Refunded` → what is left of the card share after those operations is taken back.
 * - `Contested` (chargeback) → what is left is taken back and the payment is flagged.
 * - `Canceled` (an installment that will not be collected) → nothing if never credited; what
 *   is left is taken back and flagged if it had been.
 * - `Refunding` → nothing yet (the refund operation, once processed, or `Refunded` will post).
 * - anything else (Pending, Waiting, Refused…) → recorded as `ignored`, looked at again.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { helloassoPayments, helloassoReversals, members } from '../../db/schema.ts';
import { audit } from '../audit.ts';
import type { HelloassoSettings } from '../treasury-settings.ts';
import { recordChange } from '../use-case.ts';
import { type Booking, bookingDate, postCredit, postTakeBack } from './booking.ts';
import { dateOf, type HelloassoClient, type HelloassoOrder, type HelloassoPayment } from './client.ts';
import { type PaymentOutcome, publicPayment, type Row } from './public.ts';
import { paymentShares, refundSplit } from './shares.ts';

export { type PaymentOutcome, publicPayment } from './public.ts';
export { assignPayment, listPayments } from './queue.ts';

export const PAID_STATES = new Set(['Authorized']);
const TAKE_BACK: Record<
  string,
  { key: string; kind: 'remainder' | 'chargeback' | 'canceled'; status: Row['status'] }
> = {
  Refunded: { key: 'remainder', kind: 'remainder', status: 'refunded' },
  Contested: { key: 'contested', kind: 'chargeback', status: 'contested' },
  Canceled: { key: 'canceled', kind: 'canceled', status: 'canceled' },
};

/** The answer to the configured custom field in the payment's order, if any. */
export function customFieldAnswer(order: HelloassoOrder | null, field: string | undefined): string | null {
  if (!order || !field) return null;
  const wanted = field.trim().toLowerCase();
  for (const item of order.items ?? []) {
    for (const f of item.customFields ?? []) {
      if (f.name.trim().toLowerCase() === wanted && f.answer?.trim()) return f.answer.trim();
    }
  }
  return null;
}

async function findMember(tx: Tx, hint: string | null | undefined): Promise<string | null> {
  const value = hint?.trim();
  if (!value) return null;
  const rows = await tx
    .select({ id: members.id })
    .from(members)
    .where(
      and(
        isNull(members.erasedAt),
        value.includes('@') ? sql`lower(${members.email}) = lower(${value})` : eq(members.id, value),
      ),
    )
    .limit(2);
  return rows.length === 1 ? rows[0]!.id : null;
}

function formMismatch(p: HelloassoPayment, s: HelloassoSettings): string | null {
  if (s.organizationSlug && p.order?.organizationSlug && p.order.organizationSlug !== s.organizationSlug) {
    return `payment of another organisation (${p.order.organizationSlug})`;
  }
  if (s.formSlug && p.order?.formSlug !== s.formSlug)
    return `payment of another form (${p.order?.formSlug ?? '?'})`;
  if (s.formType && p.order?.formType && p.order.formType !== s.formType) {
    return `payment of another form type (${p.order.formType})`;
  }
  return null;
}

/** Records one reversal (idempotent by key) and posts its card part when the payment was credited. */
async function takeBack(
  tx: Tx,
  row: Row,
  r: {
    key: string;
    kind: 'refund' | 'remainder' | 'chargeback' | 'canceled';
    amountCents: number;
    cardCents: number;
    otherCents: number;
    occurredAt: Date | null;
  },
  now: Date,
): Promise<{ cardCents: number; debtCents: number; booking: Booking; transactionId: number | null } | null> {
  const claimed = await tx
    .insert(helloassoReversals)
    .values({
      key: r.key,
      paymentId: row.paymentId,
      kind: r.kind,
      amountCents: r.amountCents,
      cardCents: 0,
      debtCents: 0,
      otherCents: r.otherCents,
      occurredAt: r.occurredAt ?? now,
      bookedAt: now,
    })
    .onConflictDoNothing()
    .returning({ key: helloassoReversals.key });
  if (claimed.length === 0) return null;
  const booking = await bookingDate(tx, r.occurredAt, now);
  const reason = {
    refund: 'remboursement partiel HelloAsso',
    remainder: 'remboursement HelloAsso',
    chargeback: 'contestation (chargeback) HelloAsso',
    canceled: 'paiement HelloAsso annulé',
  }[r.kind];
  if (row.status !== 'credited' || row.memberId === null || r.cardCents <= 0) {
    // Nothing on a card yet (unmatched): the queued credit shrinks instead.
    await tx
      .update(helloassoReversals)
      .set({
        cardCents: r.cardCents,
        bookedAt: booking.at,
        note: r.cardCents <= 0 ? 'no card credit in it: nothing posted' : 'not credited yet: nothing posted',
      })
      .where(eq(helloassoReversals.key, r.key));
    return { cardCents: r.cardCents, debtCents: 0, booking, transactionId: null };
  }
  const posted = await postTakeBack(tx, {
    paymentId: row.paymentId,
    memberId: row.memberId,
    wantCents: r.cardCents,
    booking,
    reason,
  });
  await tx
    .update(helloassoReversals)
    .set({
      cardCents: posted.cardCents,
      debtCents: posted.debtCents,
      bookedAt: booking.at,
      transactionId: posted.transactionId,
      note: booking.note,
    })
    .where(eq(helloassoReversals.key, r.key));
  return {
    cardCents: r.cardCents,
    debtCents: posted.debtCents,
    booking,
    transactionId: posted.transactionId,
  };
}

/**
 * Applies the state of a payment fetched from HelloAsso. Idempotent: call it as often as
 * notifications arrive. `order` is the payment's order when items or a custom field need it.
 */
export async function applyPayment(
  db: Db,
  payment: HelloassoPayment,
  context: { settings: HelloassoSettings; order: HelloassoOrder | null; now: Date },
): Promise<PaymentOutcome> {
  const id = String(payment.id);
  const { now, settings } = context;
  const payerName = [payment.payer?.firstName, payment.payer?.lastName].filter(Boolean).join(' ') || null;
  const matchValue = customFieldAnswer(context.order, settings.matchField);
  const shares = paymentShares(payment, settings.itemName, context.order);
  const paidAt = dateOf(payment.date);
  const hUpdated = dateOf(payment.meta?.updatedAt);
  return db.transaction(async (tx) => {
    await tx
      .insert(helloassoPayments)
      .values({
        paymentId: id,
        orderId: payment.order?.id === undefined ? null : String(payment.order.id),
        formType: payment.order?.formType ?? null,
        formSlug: payment.order?.formSlug ?? null,
        state: payment.state,
        amountCents: payment.amount,
        paidAt,
        payerEmail: payment.payer?.email ?? null,
        payerName,
        matchValue,
        status: 'ignored',
        note: 'received',
        receivedAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing();
    const [locked] = await tx
      .select()
      .from(helloassoPayments)
      .where(eq(helloassoPayments.paymentId, id))
      .for('update');
    const before = locked!;
    let row: Row = { ...before };
    const patch: Partial<Row> = { state: payment.state, updatedAt: now, helloassoUpdatedAt: hUpdated };
    const set = (p: Partial<Row>) => {
      Object.assign(patch, p);
      row = { ...row, ...p };
    };
    const memberIds = new Set<string>();

    if (before.status === 'ignored') {
      // Nothing was posted yet: the fetched payment is the truth (a forged body changes nothing).
      set({
        amountCents: payment.amount,
        paidAt: paidAt ?? before.paidAt,
        payerEmail: payment.payer?.email ?? null,
        payerName,
        matchValue,
        cardCents: shares.cardCents,
        tipCents: shares.tipCents,
        otherCents: shares.otherCents,
        otherItems: shares.otherItems,
      });
      const mismatch = formMismatch(payment, settings);
      if (mismatch !== null) {
        set({ note: mismatch });
      } else if (PAID_STATES.has(payment.state) && shares.cardCents > 0) {
        const memberId = (await findMember(tx, matchValue)) ?? (await findMember(tx, payment.payer?.email));
        if (memberId === null) {
          set({ status: 'unmatched', note: 'no member has this e-mail or custom field answer' });
        } else {
          const booking = await bookingDate(tx, paidAt, now);
          const txId = await postCredit(tx, id, memberId, shares.cardCents, booking, 'system:helloasso');
          memberIds.add(memberId);
          set({
            status: 'credited',
            memberId,
            topupTransactionId: txId,
            note: null,
            bookingNote: booking.note,
          });
        }
      } else if (PAID_STATES.has(payment.state)) {
        set({ note: 'no machine-card item in this payment: nothing for a card' });
      } else if (TAKE_BACK[payment.state]) {
        set({
          status: TAKE_BACK[payment.state]!.status,
          note: `${payment.state} before it was credited: nothing posted`,
        });
      } else {
        set({ note: `state ${payment.state}: waiting for Authorized` });
      }
    }

    if (row.status === 'credited' || row.status === 'unmatched') {
      // Partial refunds, each once, card share first (shares.ts refundSplit).
      for (const op of payment.refundOperations ?? []) {
        if (op.status !== 'Processed') continue;
        const split = refundSplit(op, shares.tipInAmount, row.cardCents - row.reversedCents);
        const done = await takeBack(
          tx,
          row,
          {
            key: `op:${op.id}`,
            kind: 'refund',
            ...split,
            occurredAt: dateOf(op.meta?.createdAt) ?? hUpdated,
          },
          now,
        );
        if (done === null) continue;
        if (row.memberId && row.status === 'credited') memberIds.add(row.memberId);
        set({
          reversedCents: row.reversedCents + done.cardCents,
          debtCents: row.debtCents + done.debtCents,
          ...(done.transactionId !== null ? { refundTransactionId: done.transactionId } : {}),
          ...(done.booking.note ? { bookingNote: done.booking.note } : {}),
          ...(done.debtCents > 0 ? { flag: row.flag ?? 'refund_of_spent_credit' } : {}),
        });
      }
      const rule = TAKE_BACK[payment.state];
      if (rule !== undefined) {
        const left = row.cardCents - row.reversedCents;
        if (left > 0) {
          const done = await takeBack(
            tx,
            row,
            {
              key: `${rule.key}:${id}`,
              kind: rule.kind,
              amountCents: left,
              cardCents: left,
              otherCents: 0,
              occurredAt: hUpdated,
            },
            now,
          );
          if (done !== null) {
            if (row.memberId && row.status === 'credited') memberIds.add(row.memberId);
            set({
              reversedCents: row.reversedCents + done.cardCents,
              debtCents: row.debtCents + done.debtCents,
              ...(done.transactionId !== null ? { refundTransactionId: done.transactionId } : {}),
              ...(done.booking.note ? { bookingNote: done.booking.note } : {}),
              ...(done.debtCents > 0 ? { flag: 'refund_of_spent_credit' } : {}),
            });
          }
        }
        const credited = row.status === 'credited';
        set({
          status: rule.status,
          note: credited ? null : `${payment.state} while unmatched: nothing posted`,
          ...(rule.kind === 'chargeback' ? { flag: 'chargeback' } : {}),
          ...(rule.kind === 'canceled' && credited ? { flag: 'canceled_after_credit' } : {}),
        });
      } else if (payment.state === 'Refunding') {
        set({ note: 'refund in progress at HelloAsso' });
      } else if (row.status === 'credited' && row.note === 'refund in progress at HelloAsso') {
        set({ note: null });
      }
    } else if (row.status === 'contested' && PAID_STATES.has(payment.state)) {
      // HelloAsso settled the dispute for the association: the treasurer decides (no automatic re-credit).
      set({ note: 'chargeback settled: the payment is Authorized again; credit it back by hand if due' });
    }

    const [after] = await tx
      .update(helloassoPayments)
      .set(patch)
      .where(eq(helloassoPayments.paymentId, id))
      .returning();
    const changed =
      after!.status !== before.status ||
      before.note === 'received' ||
      after!.reversedCents !== before.reversedCents;
    if (changed) {
      await audit(tx, {
        actor: 'system:helloasso',
        action: `helloasso_${after!.status}`,
        entity: 'helloasso_payment',
        entityId: id,
        before: { status: before.status, reversedCents: before.reversedCents },
        after: publicPayment(after!),
      });
    }
    // Issue #12: the machine loop of every process hears of it (outbox row, committed with this).
    if (memberIds.size > 0) await recordChange(tx, { memberIds: [...memberIds] });
    const tookBack = after!.reversedCents !== before.reversedCents;
    return { ...publicPayment(after!), changed, tookBack, memberIds: [...memberIds] };
  });
}

/** Fetches a payment (and its order when items or a custom field need it) and applies it; null if unknown. */
export async function refreshPayment(
  db: Db,
  client: HelloassoClient,
  settings: HelloassoSettings,
  paymentId: number,
  now: Date,
): Promise<PaymentOutcome | null> {
  const payment = await client.payment(paymentId);
  if (payment === null) return null;
  return applyPayment(db, payment, { settings, order: await orderFor(client, settings, payment), now });
}

/** The order is fetched only when needed: a custom field to match, or item names missing. */
export async function orderFor(
  client: HelloassoClient,
  settings: HelloassoSettings,
  payment: HelloassoPayment,
): Promise<HelloassoOrder | null> {
  const needNames = Boolean(settings.itemName) && (payment.items ?? []).some((i) => !i.name);
  if (payment.order?.id === undefined || (!settings.matchField && !needNames)) return null;
  return client.order(payment.order.id);
}
