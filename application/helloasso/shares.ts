/**
 * What part of a HelloAsso payment is machine-card credit (issue #11, items 7–8). Pure.
 *
 * From HelloAsso's OpenAPI `helloasso.json` (Statistics.Payment / PaymentItem /
 * RefundOperationLightModel): a payment carries `items[]`, each with `shareAmount` (the part of
 * this payment assigned to the item and its options), `shareItemAmount` (the item alone) and
 * `shareOptionsAmount`; `amountTip` is the payer's voluntary contribution to HelloAsso, which is
 * HelloAsso's only income and is never paid out to the association
 * (dev.helloasso.com/docs/mire-authorisation: "Les contributions volontaires laissées par ces
 * derniers sont leur unique source de revenus"). Installments: each payment of an order shares
 * only its own term of an item (shareItemAmount < amount).
 *
 * The card gets the machine-card item's `shareItemAmount` only. Other items (a membership, a
 * donation, another product), options and the tip are kept out and reported.
 */
import type { HelloassoOrder, HelloassoPayment, HelloassoRefundOperation } from './client.ts';

/** Item types that are never machine-card credit when no item name is configured. */
const NOT_CARD_TYPES = new Set(['Donation', 'MonthlyDonation', 'OfflineDonation', 'Membership']);

export interface OtherItem {
  name: string | null;
  type: string | null;
  cents: number;
}

export interface PaymentShares {
  /** the machine-card item's share of this payment: what goes on the card */
  cardCents: number;
  /** HelloAsso's tip (amountTip): neither the card's nor the association's */
  tipCents: number;
  /** every other item and option of this payment: the association's, outside the card */
  otherCents: number;
  otherItems: OtherItem[];
  /** whether HelloAsso's `amount` counts the tip (amount = Σ shares + tip) */
  tipInAmount: boolean;
}

const norm = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

/**
 * `itemName` (settings): the machine-card item's name on the form; without it every item of
 * the machine-card form is card credit except donations and memberships.
 */
export function paymentShares(
  payment: HelloassoPayment,
  itemName: string | undefined,
  order: HelloassoOrder | null,
): PaymentShares {
  const namesById = new Map<number, string | null | undefined>();
  for (const item of order?.items ?? []) if (item.id !== undefined) namesById.set(item.id, item.name);
  const items = payment.items ?? [];
  let cardCents = 0;
  let otherCents = 0;
  let sharesTotal = 0;
  const otherItems: OtherItem[] = [];
  for (const item of items) {
    const share = item.shareAmount ?? item.shareItemAmount ?? 0;
    const itemShare = item.shareItemAmount ?? share;
    const options = Math.max(share - itemShare, 0);
    sharesTotal += share;
    const name = item.name ?? namesById.get(item.id) ?? null;
    const isCard = itemName ? norm(name) === norm(itemName) : !NOT_CARD_TYPES.has(item.type ?? '');
    if (isCard) {
      cardCents += itemShare;
      if (options > 0) {
        otherCents += options;
        otherItems.push({
          name: name === null ? 'options' : `${name} (options)`,
          type: 'Option',
          cents: options,
        });
      }
    } else if (share > 0) {
      otherCents += share;
      otherItems.push({ name, type: item.type ?? null, cents: share });
    }
  }
  const tipCents = payment.amountTip ?? 0;
  if (items.length === 0) {
    // A payment listed without its items: the amount less the tip is all there is to credit
    // when the form sells only the card (no item name configured), else nothing is known.
    const net = Math.max(payment.amount - tipCents, 0);
    return itemName
      ? { cardCents: 0, tipCents, otherCents: net, otherItems: [], tipInAmount: true }
      : { cardCents: net, tipCents, otherCents: 0, otherItems: [], tipInAmount: true };
  }
  const tipInAmount = tipCents > 0 && payment.amount === sharesTotal + tipCents;
  return { cardCents, tipCents, otherCents, otherItems, tipInAmount };
}

/** How a processed refund operation splits: card credit first (up to what is left), then the rest. */
export function refundSplit(
  op: HelloassoRefundOperation,
  tipInAmount: boolean,
  cardLeftCents: number,
): { amountCents: number; cardCents: number; otherCents: number } {
  const amountCents = op.amount ?? 0;
  const association = Math.max(amountCents - (tipInAmount ? (op.amountTip ?? 0) : 0), 0);
  const cardCents = Math.min(association, Math.max(cardLeftCents, 0));
  return { amountCents, cardCents, otherCents: amountCents - cardCents };
}
