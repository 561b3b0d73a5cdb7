/** The HelloAsso payment as the API and the pages show it (issues #5, #11). */
import type { helloassoPayments } from '../../db/schema.ts';
import type { OtherItem } from './shares.ts';

export type Row = typeof helloassoPayments.$inferSelect;

export function publicPayment(r: Row) {
  return {
    paymentId: r.paymentId,
    orderId: r.orderId,
    formType: r.formType,
    formSlug: r.formSlug,
    state: r.state,
    amountCents: r.amountCents,
    /** the machine-card item's share: what the card gets */
    cardCents: r.cardCents,
    /** HelloAsso's voluntary contribution: not the association's, never booked */
    tipCents: r.tipCents,
    /** other items and options of the payment: the association's, booked outside Sésame */
    otherCents: r.otherCents,
    otherItems: (Array.isArray(r.otherItems) ? r.otherItems : []) as OtherItem[],
    /** card credit taken back by refunds, a chargeback or a cancellation */
    reversedCents: r.reversedCents,
    /** credit already spent that was taken back: what the member owes */
    debtCents: r.debtCents,
    flag: r.flag as 'chargeback' | 'canceled_after_credit' | 'refund_of_spent_credit' | null,
    bookingNote: r.bookingNote,
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

export type PublicPayment = ReturnType<typeof publicPayment>;
export type PaymentOutcome = PublicPayment & {
  changed: boolean;
  /** card credit was taken back by this call */
  tookBack: boolean;
  /** members whose card moved: the machine loop must hear of them */
  memberIds: string[];
};
