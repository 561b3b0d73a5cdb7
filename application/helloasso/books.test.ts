/**
 * Issue #11 items 7–10: what HelloAsso money does to the books, against the fake rebuilt from
 * HelloAsso's published documents (real HTTP on loopback, real database).
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adjustmentPostings } from '../../core/ledger.ts';
import type { Db } from '../../db/client.ts';
import { ledgerEntries, ledgerTransactions, members } from '../../db/schema.ts';
import { testDatabase } from '../../tests/support/db.ts';
import { FAKE_CLIENT, FakeHelloasso, ORG } from '../../tests/support/fake-helloasso.ts';
import { ledgerCredit, postTransaction } from '../ledger.ts';
import { pahekoExport } from '../paheko.ts';
import { closePeriod } from '../periods.ts';
import { cardReport } from '../reports.ts';
import type { HelloassoSettings } from '../treasury-settings.ts';
import { assignPayment, helloassoSummary } from './queue.ts';
import { clientFor, handleWebhook, syncPayments } from './sync.ts';

const fake = new FakeHelloasso();
let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
let settings: HelloassoSettings;
const now = new Date('2026-03-05T14:00:00Z');
let nextId = 1;

async function member(email: string) {
  const id = `b-${nextId++}`;
  await db.insert(members).values({ id, name: email, email });
  return id;
}
async function balance(id: string) {
  const [m] = await db.select().from(members).where(eq(members.id, id));
  expect(m!.balanceCents).toBe(await ledgerCredit(db, id));
  return m!.balanceCents;
}
/** Σ of an account's entries (debit positive) for the postings of a HelloAsso payment. */
async function accountTotal(paymentId: number, account: string) {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${ledgerEntries.amountCents}), 0)` })
    .from(ledgerEntries)
    .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, ledgerEntries.transactionId))
    .where(
      and(
        eq(ledgerTransactions.reference, `helloasso:${paymentId}`),
        sql`${ledgerEntries.account} = ${account}`,
      ),
    );
  return Number(row?.total ?? 0);
}
const notify = (id: number) =>
  handleWebhook(db, clientFor(settings), settings, { eventType: 'Payment', data: { id } }, now);

beforeAll(async () => {
  await fake.start();
  database = await testDatabase();
  db = database.db;
  settings = {
    baseUrl: fake.url,
    ...FAKE_CLIENT,
    organizationSlug: ORG,
    formType: 'Shop',
    formSlug: 'carte-machine',
  };
});
afterAll(async () => {
  await database.drop();
  await fake.stop();
});

describe('what goes on the card', () => {
  it('credits the machine-card share only; the tip and other items are kept out and reported', async () => {
    const m = await member('tip@example.org');
    fake.pay({
      id: 101,
      card: 3000,
      tip: 250,
      others: [{ name: 'Adhésion 2026', type: 'Membership', cents: 1500 }],
      email: 'tip@example.org',
      date: '2026-02-20T10:00:00+01:00',
    });
    const [p] = (await notify(101)).payments;
    expect(p).toMatchObject({ amountCents: 4750, cardCents: 3000, tipCents: 250, otherCents: 1500 });
    expect(p!.otherItems).toEqual([{ name: 'Adhésion 2026', type: 'Membership', cents: 1500 }]);
    expect(await balance(m)).toBe(3000);
    // The clearing account carries the card share only, as HelloAsso pays it out for the card.
    expect(await accountTotal(101, 'online')).toBe(3000);
    const summary = await helloassoSummary(db, {
      from: new Date('2026-02-01T00:00:00+01:00'),
      to: new Date('2026-03-01T00:00:00+01:00'),
    });
    expect(summary).toMatchObject({ cardCents: 3000, otherCents: 1500, tipCents: 250 });
  });

  it('with an item name configured, only that item is card credit (and the tip left out of amount too)', async () => {
    const m = await member('item@example.org');
    fake.tipInAmount = false;
    fake.pay({
      id: 102,
      card: 2000,
      tip: 100,
      others: [{ name: 'Bobine PLA', type: 'Product', cents: 2500 }],
      email: 'item@example.org',
    });
    const named = { ...settings, itemName: 'carte machine' };
    const [p] = (
      await handleWebhook(db, clientFor(named), named, { eventType: 'Payment', data: { id: 102 } }, now)
    ).payments;
    fake.tipInAmount = true;
    expect(p).toMatchObject({ amountCents: 4500, cardCents: 2000, tipCents: 100, otherCents: 2500 });
    expect(await balance(m)).toBe(2000);
  });

  it('an order paid in installments: each payment credits its own share when HelloAsso takes it', async () => {
    const m = await member('installments@example.org');
    const share = (n: number) => [
      { itemId: 5001, name: 'Carte machine', type: 'Payment', itemAmount: 6000, share: 2000 + n * 0 },
    ];
    fake.pay({
      id: 111,
      orderId: 500,
      shares: share(1),
      email: 'installments@example.org',
      installmentNumber: 1,
    });
    fake.pay({
      id: 112,
      orderId: 500,
      shares: share(2),
      email: 'installments@example.org',
      installmentNumber: 2,
      state: 'Pending',
    });
    fake.pay({
      id: 113,
      orderId: 500,
      shares: share(3),
      email: 'installments@example.org',
      installmentNumber: 3,
      state: 'Pending',
    });
    const order = await handleWebhook(
      db,
      clientFor(settings),
      settings,
      { eventType: 'Order', data: fake.orderBody(500) },
      now,
    );
    expect(order.payments.map((p) => p.status)).toEqual(['credited', 'ignored', 'ignored']);
    expect(await balance(m)).toBe(2000);
    fake.update(112, '2026-03-05T12:00:00Z', { state: 'Authorized' });
    // The third installment will never be taken: HelloAsso cancels it; nothing was credited.
    fake.update(113, '2026-03-05T12:00:00Z', { state: 'Canceled' });
    await notify(112);
    const [third] = (await notify(113)).payments;
    expect(third).toMatchObject({ status: 'canceled', flag: null });
    expect(await balance(m)).toBe(4000);
  });
});

describe('refunds and chargebacks', () => {
  it('a partial refund once per operation; Refunded afterwards takes back only what remains', async () => {
    const m = await member('partial@example.org');
    fake.pay({ id: 201, card: 3000, email: 'partial@example.org', date: '2026-02-10T10:00:00Z' });
    await notify(201);
    fake.update(201, '2026-02-12T10:00:00Z', {
      refunds: [{ id: 9001, amount: 1000, status: 'Processed', createdAt: '2026-02-12T10:00:00Z' }],
    });
    await notify(201);
    await Promise.all([notify(201), notify(201)]);
    expect(await balance(m)).toBe(2000);
    fake.update(201, '2026-02-15T10:00:00Z', { state: 'Refunded' });
    const [p] = (await notify(201)).payments;
    await notify(201);
    expect(p).toMatchObject({ status: 'refunded', reversedCents: 3000, debtCents: 0 });
    expect(await balance(m)).toBe(0);
    const refunds = await db
      .select()
      .from(ledgerTransactions)
      .where(and(eq(ledgerTransactions.reference, 'helloasso:201'), eq(ledgerTransactions.kind, 'refund')));
    // Dated at HelloAsso's refund operation and at the payment's last update.
    expect(refunds.map((r) => r.createdAt.toISOString()).sort()).toEqual([
      '2026-02-12T10:00:00.000Z',
      '2026-02-15T10:00:00.000Z',
    ]);
    expect(await accountTotal(201, 'online')).toBe(0);
  });

  it('a chargeback of credit already spent: the card stops at zero, the member owes the rest', async () => {
    const m = await member('chargeback@example.org');
    fake.pay({ id: 301, card: 3000, email: 'chargeback@example.org', date: '2026-02-10T10:00:00Z' });
    await notify(301);
    // 25 € spent on machines meanwhile (an adjustment stands in for the sessions).
    await db.transaction((tx) =>
      postTransaction(
        tx,
        { kind: 'adjustment', memberId: m, reason: 'sessions' },
        adjustmentPostings(m, -2500),
      ),
    );
    fake.update(301, '2026-03-01T09:00:00Z', { state: 'Contested' });
    const [p] = (await notify(301)).payments;
    expect(p).toMatchObject({
      status: 'contested',
      flag: 'chargeback',
      reversedCents: 3000,
      debtCents: 2500,
    });
    expect(await balance(m)).toBe(0);
    expect(await accountTotal(301, 'member_debts')).toBe(2500);
    expect(await accountTotal(301, 'online')).toBe(0);
    await notify(301);
    expect(await balance(m)).toBe(0);
    // The card report of those months still balances: the owed part is not on the cards.
    const range = { from: new Date('2026-02-01T00:00:00+01:00'), to: new Date('2026-04-01T00:00:00+02:00') };
    const report = await cardReport(db, range);
    expect(report.checks.discrepancies).toEqual([]);
    // Paheko's import gets the owed part on the receivable account (4110 by default), not on 4191.
    const csv = await pahekoExport(db, range, {
      timeZone: 'Europe/Paris',
    });
    const chargeback = csv.content.split('\n').filter((l) => l.includes('helloasso:301'));
    expect(chargeback.some((l) => l.includes('4110') && l.includes('25,00'))).toBe(true);
    expect(report.closingLiabilityCents - report.openingLiabilityCents).toBe(
      report.topupsCents -
        report.usageCents -
        report.refundsCents +
        report.adjustmentsCents -
        report.materialsCents,
    );
  });
});

describe('refunds of a queued payment', () => {
  it('a refund while unmatched posts nothing; assigning credits what is left; Refunding waits', async () => {
    fake.pay({ id: 701, card: 3000, email: 'unknown-payer@example.org', date: '2026-02-10T10:00:00Z' });
    expect((await notify(701)).payments[0]).toMatchObject({ status: 'unmatched' });
    fake.update(701, '2026-02-11T10:00:00Z', {
      state: 'Refunding',
      refunds: [{ id: 9701, amount: 1000, status: 'Processed', createdAt: '2026-02-11T10:00:00Z' }],
    });
    expect((await notify(701)).payments[0]).toMatchObject({ status: 'unmatched', reversedCents: 1000 });
    const m = await member('assigned@example.org');
    const assigned = await assignPayment(db, 'staff:t', '701', m, now);
    expect(assigned).toMatchObject({ status: 'credited', cardCents: 2000 });
    expect(await balance(m)).toBe(2000);
    expect((await notify(701)).payments[0]).toMatchObject({ note: 'refund in progress at HelloAsso' });
    fake.update(701, '2026-02-12T10:00:00Z', { state: 'Refunded' });
    expect((await notify(701)).payments[0]).toMatchObject({ status: 'refunded', reversedCents: 2000 });
    expect(await balance(m)).toBe(0);
    expect(await accountTotal(701, 'online')).toBe(0);
  });
});

describe('dates', () => {
  it('books at the payment date; in a closed month, at the start of the next open one, with a note', async () => {
    const m = await member('late@example.org');
    await closePeriod(
      db,
      'staff:t',
      { period: '2026-01', force: true, reason: 'test' },
      { timeZone: 'Europe/Paris', now },
    );
    fake.pay({ id: 401, card: 1200, email: 'late@example.org', date: '2026-01-31T21:30:00+01:00' });
    const [p] = (await notify(401)).payments;
    expect(p!.bookingNote).toMatch(/2026-01.*close/);
    const [topup] = await db
      .select()
      .from(ledgerTransactions)
      .where(eq(ledgerTransactions.reference, 'helloasso:401'));
    expect(topup!.createdAt.toISOString()).toBe('2026-01-31T23:00:00.000Z'); // 1 Feb 00:00 in Paris
    expect(topup!.reason).toMatch(/2026-01/);
    expect(await balance(m)).toBe(1200);
  });

  it('the sync walks by update date: a late refund of an older payment is found', async () => {
    const m = await member('older@example.org');
    fake.pay({ id: 501, card: 4000, email: 'older@example.org', date: '2026-02-02T10:00:00Z' });
    await notify(501);
    fake.update(501, '2026-03-04T10:00:00Z', {
      refunds: [{ id: 9501, amount: 1500, status: 'Processed', createdAt: '2026-03-04T10:00:00Z' }],
    });
    // A sync of the last days (the refund's notification was missed).
    const r = await syncPayments(
      db,
      clientFor(settings),
      settings,
      { from: new Date('2026-03-03T00:00:00Z'), to: new Date('2026-03-05T00:00:00Z') },
      now,
    );
    expect(r).toMatchObject({ seen: 1, reversed: 1 });
    expect(await balance(m)).toBe(2500);
  });
});

describe('OAuth token', () => {
  it('one token reused until it expires, renewed with the refresh token, a new one after a 401', async () => {
    fake.pay({ id: 601, card: 100, email: 'nobody@example.org' });
    const client = clientFor(settings, undefined, { fresh: true, now: () => fake.clock });
    const before = { ...fake.tokenCalls };
    for (let i = 0; i < 4; i++) await client.payment(601);
    expect(fake.tokenCalls.client_credentials - before.client_credentials).toBe(1);
    fake.clock += 30 * 60_000; // HelloAsso's access tokens live 30 minutes
    await client.payment(601);
    expect(fake.tokenCalls.refresh_token - before.refresh_token).toBe(1);
    expect(fake.tokenCalls.client_credentials - before.client_credentials).toBe(1);
    fake.revokeTokens();
    expect(await client.payment(601)).toMatchObject({ id: 601 });
    expect(fake.tokenCalls.client_credentials - before.client_credentials).toBe(2);
  });
});
