import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerCredit } from '../../../application/ledger.ts';
import { ledgerTransactions } from '../../../db/schema.ts';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

const topup = (member: string, body: unknown, key: string | null = randomUUID(), token?: string) =>
  t.call('POST', `/api/v1/members/${member}/topups`, {
    body,
    headers: key === null ? {} : { 'idempotency-key': key },
    ...(token ? { token } : {}),
  });

async function transactions(member: string, kind: 'topup' | 'refund' | 'adjustment' = 'topup') {
  return t.db
    .select()
    .from(ledgerTransactions)
    .where(and(eq(ledgerTransactions.memberId, member), eq(ledgerTransactions.kind, kind)));
}

describe('POST /api/v1/members/{id}/topups', () => {
  it('credits the card through the ledger and answers 201 with the balance', async () => {
    const m = await t.member();
    const r = await topup(m, { amountCents: 2000, method: 'cash', reference: 'R-1' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      balanceCents: 2000,
      amountCents: 2000,
      method: 'cash',
      reference: 'R-1',
      memberId: m,
    });
    expect(typeof r.body.transactionId).toBe('string');
    expect(await ledgerCredit(t.db, m)).toBe(2000);
    expect((await t.call('GET', `/api/v1/members/${m}`)).body.balanceCents).toBe(2000);
    expect(t.changes).toContainEqual({ memberIds: [m] });
  });

  it('requires the Idempotency-Key header (400)', async () => {
    const m = await t.member();
    const r = await topup(m, { amountCents: 100, method: 'cash', reference: 'x' }, null);
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ in: 'header', field: 'Idempotency-Key' });
    expect(await transactions(m)).toHaveLength(0);
  });

  it('replays the same answer for the same key and body, and posts nothing new', async () => {
    const m = await t.member();
    const key = randomUUID();
    const body = { amountCents: 500, method: 'card', reference: 'TPE 42' };
    const first = await topup(m, body, key);
    const again = await topup(m, { reference: 'TPE 42', method: 'card', amountCents: 500 }, key);
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await transactions(m)).toHaveLength(1);
    expect(await ledgerCredit(t.db, m)).toBe(500);
  });

  it('answers 409 for the same key with another body', async () => {
    const m = await t.member();
    const key = randomUUID();
    expect((await topup(m, { amountCents: 500, method: 'cash', reference: 'a' }, key)).status).toBe(201);
    const r = await topup(m, { amountCents: 600, method: 'cash', reference: 'a' }, key);
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/Idempotency-Key/);
    expect(await transactions(m)).toHaveLength(1);
  });

  it('makes one top-up of concurrent identical requests', async () => {
    const m = await t.member();
    const key = randomUUID();
    const body = { amountCents: 700, method: 'transfer', reference: 'VIR' };
    const answers = await Promise.all(Array.from({ length: 5 }, () => topup(m, body, key)));
    for (const a of answers) {
      expect(a.status).toBe(201);
      expect(a.body).toEqual(answers[0]!.body);
    }
    expect(await transactions(m)).toHaveLength(1);
    expect(await ledgerCredit(t.db, m)).toBe(700);
  });

  it('validates amount and method; 404 unknown member; 403 trainer and member; treasurer allowed', async () => {
    const m = await t.member();
    for (const body of [
      { amountCents: 0, method: 'cash', reference: 'x' },
      { amountCents: 1.5, method: 'cash', reference: 'x' },
      { amountCents: 100, method: 'bitcoin', reference: 'x' },
      { amountCents: 100, method: 'cash', reference: 'x', note: 'hi' },
    ]) {
      expect((await topup(m, body)).status).toBe(400);
    }
    expect((await topup('nope', { amountCents: 100, method: 'cash', reference: 'x' })).status).toBe(404);
    const trainer = await t.staff(['trainer']);
    expect(
      (await topup(m, { amountCents: 100, method: 'cash', reference: 'x' }, randomUUID(), trainer.token))
        .status,
    ).toBe(403);
    const own = await t.memberToken(m);
    expect(
      (await topup(m, { amountCents: 100, method: 'cash', reference: 'x' }, randomUUID(), own)).status,
    ).toBe(403);
    const treasurer = await t.staff(['treasurer']);
    expect(
      (await topup(m, { amountCents: 100, method: 'cash', reference: 'x' }, randomUUID(), treasurer.token))
        .status,
    ).toBe(201);
  });
});

describe('refunds and adjustments', () => {
  it('refunds at most the balance, with a reason', async () => {
    const m = await t.member();
    await topup(m, { amountCents: 1000, method: 'cash', reference: 'r' });
    const post = (body: unknown, key = randomUUID()) =>
      t.call('POST', `/api/v1/members/${m}/refunds`, { body, headers: { 'idempotency-key': key } });
    expect((await post({ amountCents: 300, method: 'cash' })).status).toBe(400);
    const ok = await post({ amountCents: 300, method: 'cash', reason: 'leaving the lab' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ kind: 'refund', balanceCents: 700, reason: 'leaving the lab' });
    const tooMuch = await post({ amountCents: 701, method: 'cash', reason: 'x' });
    expect(tooMuch.status).toBe(409);
    expect(await ledgerCredit(t.db, m)).toBe(700);
  });

  it('adjusts by a signed amount with a reason; 0 is refused', async () => {
    const m = await t.member();
    const post = (body: unknown) =>
      t.call('POST', `/api/v1/members/${m}/adjustments`, {
        body,
        headers: { 'idempotency-key': randomUUID() },
      });
    expect((await post({ amountCents: 0, reason: 'x' })).status).toBe(400);
    expect((await post({ amountCents: 250 })).status).toBe(400);
    expect((await post({ amountCents: 250, reason: 'goodwill' })).body.balanceCents).toBe(250);
    const r = await post({ amountCents: -100, reason: 'double top-up' });
    expect(r.status).toBe(201);
    expect(r.body.balanceCents).toBe(150);
    expect(await ledgerCredit(t.db, m)).toBe(150);
    const audit = await t.call('GET', `/api/v1/audit?entity=member&entityId=${m}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['adjustment', 'create']),
    );
  });
});
