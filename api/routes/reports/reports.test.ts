import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/v1/reports/cards', () => {
  it('answers the SPEC figures for a range', async () => {
    const m = await t.member();
    await t.call('POST', `/api/v1/members/${m}/topups`, {
      body: { amountCents: 1500, method: 'cash', reference: 'r' },
      headers: { 'idempotency-key': randomUUID() },
    });
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const r = await t.call('GET', `/api/v1/reports/cards?from=${from}&to=${to}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      openingLiabilityCents: expect.any(Number),
      topupsCents: 1500,
      usageCents: 0,
      adjustmentsCents: 0,
      closingLiabilityCents: expect.any(Number),
      byMachine: expect.any(Array),
    });
  });

  it('answers 400 for missing or bad bounds, naming the field', async () => {
    const missing = await t.call('GET', '/api/v1/reports/cards?from=2026-01-01');
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]).toMatchObject({ in: 'query', field: 'to' });
    expect((await t.call('GET', '/api/v1/reports/cards?from=2026-13-01&to=2026-02-01')).status).toBe(400);
    expect((await t.call('GET', '/api/v1/reports/cards?from=2026-02-01&to=2026-01-01')).status).toBe(400);
  });

  it('is for admin and treasurer only', async () => {
    const treasurer = await t.staff(['treasurer']);
    const trainer = await t.staff(['trainer']);
    const q = '?from=2026-01-01&to=2026-02-01';
    expect((await t.call('GET', `/api/v1/reports/cards${q}`, { token: treasurer.token })).status).toBe(200);
    expect((await t.call('GET', `/api/v1/reports/cards${q}`, { token: trainer.token })).status).toBe(403);
    expect((await t.call('GET', `/api/v1/exports/fec${q}`, { token: trainer.token })).status).toBe(403);
    expect((await t.call('GET', `/api/v1/exports/fec${q}`, { token: null })).status).toBe(401);
  });
});

describe('GET /api/v1/exports/fec', () => {
  it('answers a text/plain FEC attachment with 18 tab-separated columns', async () => {
    const r = await t.call('GET', '/api/v1/exports/fec?from=2026-01-01&to=2027-01-01');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; charset=utf-8/i);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename=".+"/);
    const header = r.text.split(/\r?\n/)[0]!;
    expect(header.split('\t')).toHaveLength(18);
    expect((await t.call('GET', '/api/v1/exports/fec?from=x&to=2026-01-01')).status).toBe(400);
  });
});
