/**
 * HelloAsso webhook and sync (issues #5, #11) against the fake rebuilt from HelloAsso's
 * published documents, over real HTTP on loopback, on a real database.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { helloassoPayments, ledgerTransactions, members } from '../../db/schema.ts';
import { testDatabase } from '../../tests/support/db.ts';
import { FAKE_CLIENT, FakeHelloasso, ORG } from '../../tests/support/fake-helloasso.ts';
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

async function postingsOf(paymentId: number) {
  return db
    .select()
    .from(ledgerTransactions)
    .where(eq(ledgerTransactions.reference, `helloasso:${paymentId}`));
}

/** A notification as HelloAsso sends it: the whole payment, of which only the id is used. */
const webhook = (id: number, extra: Record<string, unknown> = {}) => ({
  data: { ...(fake.payments.has(id) ? fake.paymentBody(fake.payments.get(id)!) : { id }), ...extra },
  eventType: 'Payment',
});

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
beforeEach(() => {
  client = clientFor(settings, undefined, { fresh: true });
});
afterAll(async () => {
  await database.drop();
  await fake.stop();
});

describe('HelloAsso webhook', () => {
  it('credits an authorized payment once, whatever the number of deliveries', async () => {
    const m = await member('camille@example.org');
    fake.pay({ id: 1, card: 2500, email: 'Camille@Example.org' });
    const first = await handleWebhook(db, client, settings, webhook(1), now);
    expect(first.payments[0]).toMatchObject({ status: 'credited', memberId: m, cardCents: 2500 });
    await handleWebhook(db, client, settings, webhook(1), now);
    await Promise.all(
      Array.from({ length: 5 }, () => handleWebhook(db, clientFor(settings), settings, webhook(1), now)),
    );
    expect(await postingsOf(1)).toHaveLength(1);
    expect(await balance(m)).toBe(2500);
  });

  it('forged or replayed bodies change nothing: the amount and state come from HelloAsso', async () => {
    const m = await member('forger@example.org');
    fake.pay({ id: 2, card: 1000, email: 'forger@example.org' });
    await handleWebhook(db, client, settings, webhook(2, { amount: 999_999, state: 'Authorized' }), now);
    expect(await balance(m)).toBe(1000);
    // A forged "Refunded" for a payment HelloAsso still shows Authorized: nothing taken back.
    await handleWebhook(
      db,
      client,
      settings,
      webhook(2, { state: 'Refunded', refundOperations: [{ id: 9, amount: 1000, status: 'Processed' }] }),
      now,
    );
    // A replay of the same notification: nothing more.
    await handleWebhook(db, client, settings, webhook(2), now);
    expect(await balance(m)).toBe(1000);
    expect(await postingsOf(2)).toHaveLength(1);
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
    fake.pay({ id: 3, card: 500, email: 'other@example.org', formSlug: 'adhesion-2026' });
    const r = await handleWebhook(db, client, settings, webhook(3), now);
    expect(r.payments[0]).toMatchObject({ status: 'ignored', note: expect.stringMatching(/another form/) });
    fake.pay({ id: 4, card: 700, email: 'other@example.org', state: 'WaitingBankValidation' });
    expect((await handleWebhook(db, client, settings, webhook(4), now)).payments[0]?.status).toBe('ignored');
    expect(await balance(m)).toBe(0);
    fake.update(4, '2026-03-05T15:00:00+01:00', { state: 'Authorized' });
    expect((await handleWebhook(db, client, settings, webhook(4), now)).payments[0]?.status).toBe('credited');
    expect(await balance(m)).toBe(700);
  });

  it('queues an unmatched payment; the treasurer assigns it once', async () => {
    fake.pay({ id: 5, card: 1500, email: 'stranger@example.org' });
    const r = await handleWebhook(db, client, settings, webhook(5), now);
    expect(r.payments[0]).toMatchObject({ status: 'unmatched', memberId: null });
    const m = await member('real@example.org');
    const assigned = await assignPayment(db, 'staff:t', '5', m, now);
    expect(assigned).toMatchObject({ status: 'credited', memberId: m });
    expect(await balance(m)).toBe(1500);
    await expect(assignPayment(db, 'staff:t', '5', m, now)).rejects.toThrow(/credited, not unmatched/);
    await handleWebhook(db, client, settings, webhook(5), now);
    expect(await postingsOf(5)).toHaveLength(1);
  });

  it('matches on the configured custom field (from the order) before the payer e-mail', async () => {
    const holder = await member('holder@example.org');
    const payer = await member('parent@example.org');
    fake.pay({
      id: 6,
      card: 800,
      email: 'parent@example.org',
      customFields: [{ name: 'E-mail du membre', answer: 'holder@example.org' }],
    });
    const withField = { ...settings, matchField: 'e-mail du membre' };
    await handleWebhook(db, client, withField, webhook(6), now);
    expect(await balance(holder)).toBe(800);
    expect(await balance(payer)).toBe(0);
  });

  it('answers a clear error when HelloAsso refuses the credentials', async () => {
    const bad = clientFor({ ...settings, clientSecret: 'wrong' });
    fake.pay({ id: 9, card: 100, email: 'camille@example.org' });
    await expect(handleWebhook(db, bad, settings, webhook(9), now)).rejects.toThrow(
      /refused the client credentials/,
    );
    expect(() => clientFor({})).toThrow(/not configured/);
  });
});

describe('HelloAsso sync', () => {
  it('applies the payments whose notification was missed, page by page, once; a null token ends it', async () => {
    const m = await member('missed@example.org');
    const form = { ...settings, formSlug: 'carte-machine-2' };
    for (const id of [20, 21, 22, 24, 25]) {
      fake.pay({
        id,
        card: 100 * id,
        email: 'missed@example.org',
        date: '2026-02-10T10:00:00Z',
        formSlug: 'carte-machine-2',
      });
    }
    fake.pay({
      id: 23,
      card: 5,
      email: 'missed@example.org',
      date: '2026-01-10T10:00:00Z',
      formSlug: 'carte-machine-2',
    });
    const small = clientFor(form, undefined, { fresh: true });
    const list = small.formPaymentsUpdatedSince.bind(small);
    // Pages of 2: three pages, the last one's continuationToken is null (the end, not an error).
    small.formPaymentsUpdatedSince = (o, t, f, since) => list(o, t, f, since, 2);
    const pages = fake.listRequests;
    const range = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z') };
    const seen: number[] = [];
    const first = await syncPayments(db, small, form, range, now, (n) => seen.push(n));
    expect(first).toMatchObject({ seen: 6, credited: 6 });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fake.listRequests - pages).toBe(3);
    expect(await balance(m)).toBe(2000 + 2100 + 2200 + 2400 + 2500 + 5);
    // Walking by update date stops at the first payment updated before `from`.
    const again = await syncPayments(
      db,
      small,
      form,
      { ...range, from: new Date('2026-02-01T00:00:00Z') },
      now,
    );
    expect(again).toMatchObject({ seen: 5, credited: 0, unchanged: 5 });
    expect(await balance(m)).toBe(11_205);
  });
});
