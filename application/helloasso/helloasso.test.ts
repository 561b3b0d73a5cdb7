import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { helloassoPayments, ledgerTransactions, members } from '../../db/schema.ts';
import { testDatabase } from '../../tests/support/db.ts';
import { FAKE_CLIENT, FakeHelloasso } from '../../tests/support/fake-helloasso.ts';
import { ledgerCredit } from '../ledger.ts';
import type { HelloassoSettings } from '../treasury-settings.ts';
import type { HelloassoClient } from './client.ts';
import { assignPayment } from './payments.ts';
import { clientFor, handleWebhook, paymentIdsOf, syncPayments } from './sync.ts';

const fake = new FakeHelloasso();
let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
let settings: HelloassoSettings;
let client: HelloassoClient;
const now = new Date('2026-03-05T14:00:00Z');
let nextId = 1000;

async function member(email: string) {
  const id = `m-${nextId++}`;
  await db.insert(members).values({ id, name: email, email });
  return id;
}

async function balance(id: string) {
  const [m] = await db.select().from(members).where(eq(members.id, id));
  expect(m!.balanceCents).toBe(await ledgerCredit(db, id));
  return m!.balanceCents;
}

async function topupsOf(paymentId: number) {
  return db
    .select()
    .from(ledgerTransactions)
    .where(eq(ledgerTransactions.reference, `helloasso:${paymentId}`));
}

const webhook = (id: number, extra: Record<string, unknown> = {}) => ({
  data: { id, amount: 1000, state: 'Authorized', ...extra },
  eventType: 'Payment',
});

beforeAll(async () => {
  await fake.start();
  database = await testDatabase();
  db = database.db;
  settings = {
    baseUrl: fake.url,
    ...FAKE_CLIENT,
    organizationSlug: 'la-machinerie',
    formType: 'Shop',
    formSlug: 'carte-machine',
  };
});
beforeEach(() => {
  client = clientFor(settings);
});
afterAll(async () => {
  await database.drop();
  await fake.stop();
});

describe('HelloAsso webhook', () => {
  it('credits an authorized payment once, whatever the number of deliveries', async () => {
    const m = await member('camille@example.org');
    fake.payments.set(1, { id: 1, amount: 2500, state: 'Authorized', email: 'Camille@Example.org' });
    const first = await handleWebhook(db, client, settings, webhook(1), now);
    expect(first.payments[0]).toMatchObject({ status: 'credited', memberId: m, amountCents: 2500 });
    await handleWebhook(db, client, settings, webhook(1), now);
    await Promise.all(
      Array.from({ length: 5 }, () => handleWebhook(db, clientFor(settings), settings, webhook(1), now)),
    );
    expect(await topupsOf(1)).toHaveLength(1);
    expect(await balance(m)).toBe(2500);
    // One token for all the calls of one client.
    expect(fake.tokenRequests).toBeLessThanOrEqual(1 + 5 + 1);
  });

  it('takes the amount from HelloAsso, not from the body', async () => {
    const m = await member('forger@example.org');
    fake.payments.set(2, { id: 2, amount: 1000, state: 'Authorized', email: 'forger@example.org' });
    await handleWebhook(
      db,
      client,
      settings,
      webhook(2, { amount: 999_999, payer: { email: 'x@y.z' } }),
      now,
    );
    expect(await balance(m)).toBe(1000);
  });

  it('does nothing for a payment HelloAsso does not know, or a body without a payment', async () => {
    const r = await handleWebhook(db, client, settings, webhook(424242), now);
    expect(r).toEqual({ payments: [], unknown: [424242] });
    expect(
      await db.select().from(helloassoPayments).where(eq(helloassoPayments.paymentId, '424242')),
    ).toEqual([]);
    expect(paymentIdsOf({ eventType: 'Form', data: { id: 3 } })).toEqual([]);
    expect(paymentIdsOf({ nonsense: true })).toEqual([]);
    expect(paymentIdsOf({ eventType: 'Payment', data: { id: '-1' } })).toEqual([]);
    expect(
      paymentIdsOf({ eventType: 'Order', data: { payments: [{ id: 5 }, { id: 5 }, { id: 6 }] } }),
    ).toEqual([5, 6]);
  });

  it('ignores payments of other forms, and pending ones until they are authorized', async () => {
    const m = await member('other@example.org');
    fake.payments.set(3, {
      id: 3,
      amount: 500,
      state: 'Authorized',
      email: 'other@example.org',
      formSlug: 'adhesion-2026',
    });
    const r = await handleWebhook(db, client, settings, webhook(3), now);
    expect(r.payments[0]).toMatchObject({ status: 'ignored', note: expect.stringMatching(/another form/) });
    fake.payments.set(4, { id: 4, amount: 700, state: 'WaitingBankValidation', email: 'other@example.org' });
    expect((await handleWebhook(db, client, settings, webhook(4), now)).payments[0]?.status).toBe('ignored');
    expect(await balance(m)).toBe(0);
    fake.payments.set(4, { id: 4, amount: 700, state: 'Authorized', email: 'other@example.org' });
    expect((await handleWebhook(db, client, settings, webhook(4), now)).payments[0]?.status).toBe('credited');
    expect(await balance(m)).toBe(700);
  });

  it('queues an unmatched payment; the treasurer assigns it once', async () => {
    fake.payments.set(5, { id: 5, amount: 1500, state: 'Authorized', email: 'stranger@example.org' });
    const r = await handleWebhook(db, client, settings, webhook(5), now);
    expect(r.payments[0]).toMatchObject({ status: 'unmatched', memberId: null });
    const m = await member('real@example.org');
    const assigned = await assignPayment(db, 'staff:t', '5', m, now);
    expect(assigned).toMatchObject({ status: 'credited', memberId: m });
    expect(await balance(m)).toBe(1500);
    await expect(assignPayment(db, 'staff:t', '5', m, now)).rejects.toThrow(/credited, not unmatched/);
    await handleWebhook(db, client, settings, webhook(5), now);
    expect(await topupsOf(5)).toHaveLength(1);
  });

  it('matches on the configured custom field before the payer e-mail', async () => {
    const holder = await member('holder@example.org');
    const payer = await member('parent@example.org');
    fake.payments.set(6, {
      id: 6,
      amount: 800,
      state: 'Authorized',
      email: 'parent@example.org',
      orderId: 606,
    });
    fake.orders.set(606, {
      id: 606,
      items: [
        { customFields: [{ name: 'E-mail du membre', type: 'TextInput', answer: 'holder@example.org' }] },
      ],
    });
    const withField = { ...settings, matchField: 'e-mail du membre' };
    await handleWebhook(db, clientFor(withField), withField, webhook(6), now);
    expect(await balance(holder)).toBe(800);
    expect(await balance(payer)).toBe(0);
  });

  it('posts one refund when HelloAsso says the payment was refunded', async () => {
    const m = await member('refund@example.org');
    fake.payments.set(7, { id: 7, amount: 3000, state: 'Authorized', email: 'refund@example.org' });
    await handleWebhook(db, client, settings, webhook(7), now);
    expect(await balance(m)).toBe(3000);
    fake.payments.set(7, { id: 7, amount: 3000, state: 'Refunded', email: 'refund@example.org' });
    await Promise.all([1, 2, 3].map(() => handleWebhook(db, clientFor(settings), settings, webhook(7), now)));
    await handleWebhook(db, client, settings, webhook(7), now);
    expect(await balance(m)).toBe(0);
    const txs = await topupsOf(7);
    expect(txs.map((t) => t.kind).sort()).toEqual(['refund', 'topup']);
    // A payment first seen refunded credits nothing.
    fake.payments.set(8, { id: 8, amount: 3000, state: 'Refunded', email: 'refund@example.org' });
    expect((await handleWebhook(db, client, settings, webhook(8), now)).payments[0]?.status).toBe('refunded');
    expect(await balance(m)).toBe(0);
  });

  it('answers a clear error when HelloAsso refuses the credentials', async () => {
    const bad = clientFor({ ...settings, clientSecret: 'wrong' });
    fake.payments.set(9, { id: 9, amount: 100, state: 'Authorized', email: 'camille@example.org' });
    await expect(handleWebhook(db, bad, settings, webhook(9), now)).rejects.toThrow(
      /refused the client credentials/,
    );
    expect(() => clientFor({})).toThrow(/not configured/);
  });
});

describe('HelloAsso sync', () => {
  it('credits the payments whose notification was missed, page by page, once', async () => {
    const m = await member('missed@example.org');
    for (const id of [20, 21, 22]) {
      fake.payments.set(id, {
        id,
        amount: 100 * id,
        state: 'Authorized',
        email: 'missed@example.org',
        date: '2026-04-10T10:00:00Z',
      });
    }
    fake.payments.set(23, {
      id: 23,
      amount: 5,
      state: 'Authorized',
      email: 'missed@example.org',
      date: '2026-05-10T10:00:00Z',
    });
    const range = { from: new Date('2026-04-01T00:00:00Z'), to: new Date('2026-05-01T00:00:00Z') };
    const seen: number[] = [];
    const first = await syncPayments(db, client, settings, range, now, (n) => seen.push(n));
    expect(first).toMatchObject({ seen: 3, credited: 3 });
    expect(seen).toEqual([1, 2, 3]);
    expect(await balance(m)).toBe(2000 + 2100 + 2200);
    const again = await syncPayments(db, client, settings, range, now);
    expect(again).toMatchObject({ seen: 3, credited: 0, unchanged: 3 });
    expect(await balance(m)).toBe(6300);
  });
});
