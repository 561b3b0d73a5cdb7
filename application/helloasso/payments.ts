/**
 * HelloAsso payments become machine-card credit (issue #5), exactly once per HelloAsso payment
 * id whatever the webhook does: the payment is always re-fetched from HelloAsso's API (their
 * webhooks are not signed, so a body is only a hint), and its row in helloasso_payments is
 * claimed and locked before anything is posted, so duplicates and concurrent deliveries see
 * the first one's result.
 *
 * States: `Authorized` → top-up (method helloasso, reference `helloasso:<id>`) of the member
 * matched by the configured custom field or the payer's e-mail, else queued as `unmatched` for
 * the treasurer; `Refunded` → one refund posting if it had been credited. Other states (pending,
 * refused…) are recorded as `ignored` and looked at again on the next notification.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { refundPostings, topupPostings } from '../../core/ledger.ts';
import type { Db, Tx } from '../../db/client.ts';
import { helloassoPayments, members } from '../../db/schema.ts';
import { type Actor, audit } from '../audit.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { postTransaction } from '../ledger.ts';
import type { HelloassoSettings } from '../treasury-settings.ts';
import type { HelloassoClient, HelloassoOrder, HelloassoPayment } from './client.ts';

export const PAID_STATES = new Set(['Authorized']);
export const REFUNDED_STATES = new Set(['Refunded']);

type Row = typeof helloassoPayments.$inferSelect;

export function publicPayment(r: Row) {
  return {
    paymentId: r.paymentId,
    orderId: r.orderId,
    formType: r.formType,
    formSlug: r.formSlug,
    state: r.state,
    amountCents: r.amountCents,
    paidAt: r.paidAt,
    payerEmail: r.payerEmail,
    payerName: r.payerName,
    matchValue: r.matchValue,
    status: r.status,
    memberId: r.memberId,
    topupTransactionId: r.topupTransactionId === null ? null : String(r.topupTransactionId),
    refundTransactionId: r.refundTransactionId === null ? null : String(r.refundTransactionId),
    note: r.note,
    receivedAt: r.receivedAt,
    updatedAt: r.updatedAt,
  };
}

export type PaymentOutcome = ReturnType<typeof publicPayment> & { changed: boolean };

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

function dateOf(text: string | undefined): Date | null {
  if (!text) return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
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

/**
 * Applies the state of a payment fetched from HelloAsso. Idempotent: call it as often as
 * notifications arrive.
 */
export async function applyPayment(
  db: Db,
  payment: HelloassoPayment,
  context: { settings: HelloassoSettings; order: HelloassoOrder | null; now: Date },
): Promise<PaymentOutcome> {
  const id = String(payment.id);
  const payerName = [payment.payer?.firstName, payment.payer?.lastName].filter(Boolean).join(' ') || null;
  const matchValue = customFieldAnswer(context.order, context.settings.matchField);
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
        paidAt: dateOf(payment.date),
        payerEmail: payment.payer?.email ?? null,
        payerName,
        matchValue,
        status: 'ignored',
        note: 'received',
        receivedAt: context.now,
        updatedAt: context.now,
      })
      .onConflictDoNothing();
    const [row] = await tx
      .select()
      .from(helloassoPayments)
      .where(eq(helloassoPayments.paymentId, id))
      .for('update');
    const before = row!;
    const patch: Partial<Row> = { state: payment.state, updatedAt: context.now };
    const paidAt = dateOf(payment.date) ?? before.paidAt;

    if (before.status === 'ignored') {
      // Nothing was posted yet: the fetched payment is the truth (a forged body changes nothing).
      Object.assign(patch, {
        amountCents: payment.amount,
        paidAt,
        payerEmail: payment.payer?.email ?? null,
        payerName,
        matchValue,
      });
      const mismatch = formMismatch(payment, context.settings);
      if (mismatch !== null) {
        patch.note = mismatch;
      } else if (PAID_STATES.has(payment.state) && payment.amount > 0) {
        const memberId = (await findMember(tx, matchValue)) ?? (await findMember(tx, payment.payer?.email));
        if (memberId === null) {
          Object.assign(patch, {
            status: 'unmatched',
            note: 'no member has this e-mail or custom field answer',
          });
        } else {
          const txId = await credit(tx, id, memberId, payment.amount, 'system:helloasso');
          Object.assign(patch, { status: 'credited', memberId, topupTransactionId: txId, note: null });
        }
      } else if (REFUNDED_STATES.has(payment.state)) {
        Object.assign(patch, { status: 'refunded', note: 'refunded before it was credited: nothing posted' });
      } else {
        patch.note = `state ${payment.state}: waiting for Authorized`;
      }
    } else if (REFUNDED_STATES.has(payment.state) && before.status !== 'refunded') {
      if (before.status === 'credited' && before.memberId !== null) {
        const posted = await postTransaction(
          tx,
          {
            kind: 'refund',
            memberId: before.memberId,
            method: 'helloasso',
            reference: `helloasso:${id}`,
            reason: 'remboursement HelloAsso',
            createdBy: 'system:helloasso',
          },
          // No floor: the money has gone back to the payer; if the card was used meanwhile the
          // balance goes below zero and the treasurer sees it.
          refundPostings(before.memberId, before.amountCents, 'helloasso'),
        );
        Object.assign(patch, { status: 'refunded', refundTransactionId: posted.transactionId, note: null });
      } else {
        Object.assign(patch, { status: 'refunded', note: 'refunded while unmatched: nothing posted' });
      }
    }
    const [after] = await tx
      .update(helloassoPayments)
      .set(patch)
      .where(eq(helloassoPayments.paymentId, id))
      .returning();
    const changed = after!.status !== before.status || before.note === 'received';
    if (after!.status !== before.status) {
      await audit(tx, {
        actor: 'system:helloasso',
        action: `helloasso_${after!.status}`,
        entity: 'helloasso_payment',
        entityId: id,
        before: { status: before.status },
        after: publicPayment(after!),
      });
    }
    return { ...publicPayment(after!), changed };
  });
}

async function credit(
  tx: Tx,
  paymentId: string,
  memberId: string,
  amountCents: number,
  actor: Actor,
): Promise<number> {
  const posted = await postTransaction(
    tx,
    { kind: 'topup', memberId, method: 'helloasso', reference: `helloasso:${paymentId}`, createdBy: actor },
    topupPostings(memberId, amountCents, 'helloasso'),
  );
  return posted.transactionId;
}

/** Fetches a payment (and its order when a custom field is used) and applies it; null if HelloAsso does not know it. */
export async function refreshPayment(
  db: Db,
  client: HelloassoClient,
  settings: HelloassoSettings,
  paymentId: number,
  now: Date,
): Promise<PaymentOutcome | null> {
  const payment = await client.payment(paymentId);
  if (payment === null) return null;
  const order =
    settings.matchField && payment.order?.id !== undefined ? await client.order(payment.order.id) : null;
  return applyPayment(db, payment, { settings, order, now });
}

export async function listPayments(db: Db, status: Row['status'] | undefined, limit: number, offset: number) {
  const rows = await db
    .select()
    .from(helloassoPayments)
    .where(status ? eq(helloassoPayments.status, status) : undefined)
    .orderBy(desc(helloassoPayments.receivedAt), desc(helloassoPayments.paymentId))
    .limit(limit)
    .offset(offset);
  return rows.map(publicPayment);
}

/** The treasurer credits an unmatched payment to a member. */
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
    const txId = await credit(tx, paymentId, memberId, row.amountCents, actor);
    const [after] = await tx
      .update(helloassoPayments)
      .set({
        status: 'credited',
        memberId,
        topupTransactionId: txId,
        note: `assigned by ${actor}`,
        updatedAt: now,
      })
      .where(eq(helloassoPayments.paymentId, paymentId))
      .returning();
    const result = publicPayment(after!);
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
