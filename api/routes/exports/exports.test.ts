import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv.ts';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
let member: string;
const range = (() => {
  const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const to = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  return `from=${from}&to=${to}`;
})();

beforeAll(async () => {
  t = await testApp();
  member = await t.member('Camille Martin');
  const r = await t.call('POST', `/api/v1/members/${member}/topups`, {
    body: { amountCents: 1500, method: 'cash', reference: 'reçu 1' },
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/v1/exports/{paheko,sessions,topups,attendance}', () => {
  it.each([
    ['paheko', /^paheko-.+\.csv$/, "Numéro d'écriture"],
    ['sessions', /^sessions-.+\.csv$/, 'Session'],
    ['topups', /^recharges-.+\.csv$/, 'Opération'],
    ['attendance', /^frequentation-.+\.csv$/, 'Mois'],
  ])('answers %s as a CSV attachment', async (name, file, firstColumn) => {
    const r = await t.call('GET', `/api/v1/exports/${name}?${range}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const filename = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') ?? '')?.[1];
    expect(filename).toMatch(file);
    expect(parseCsv(r.text)[0]!.fields[0]).toBe(firstColumn);
  });

  it('puts the top-up in the Paheko and top-ups files', async () => {
    const paheko = parseCsv((await t.call('GET', `/api/v1/exports/paheko?${range}`)).text);
    expect(paheko[1]!.fields.slice(3, 6)).toEqual(['530', '4191', '15,00']);
    const topups = parseCsv((await t.call('GET', `/api/v1/exports/topups?${range}`)).text);
    // Words first (issue #12: the type and the payment method in words), the ids in the last columns.
    const header = topups[0]!.fields;
    const row = topups[1]!.fields;
    expect(row.slice(2, 7)).toEqual(['Recharge', 'Camille Martin', 'Espèces', '15,00', '1500']);
    expect(row).toContain(member);
    expect(header.indexOf('Membre (id)')).toBeGreaterThan(header.indexOf('Montant (centimes)'));
    expect(row[header.indexOf('Membre (id)')]).toBe(member);
  });

  it('refuses bad ranges, unknown parameters and other roles', async () => {
    expect((await t.call('GET', '/api/v1/exports/paheko?from=2026-01-01')).status).toBe(400);
    expect((await t.call('GET', `/api/v1/exports/sessions?${range}&x=1`)).status).toBe(400);
    const trainer = await t.staff(['trainer']);
    const treasurer = await t.staff(['treasurer']);
    expect((await t.call('GET', `/api/v1/exports/topups?${range}`, { token: trainer.token })).status).toBe(
      403,
    );
    expect((await t.call('GET', `/api/v1/exports/topups?${range}`, { token: treasurer.token })).status).toBe(
      200,
    );
    expect((await t.call('GET', `/api/v1/reports/attendance?${range}`, { token: null })).status).toBe(401);
  });
});

describe('GET /api/v1/reports/attendance', () => {
  it('answers the report with suppressed counts', async () => {
    const r = await t.call('GET', `/api/v1/reports/attendance?${range}&minimumCount=3`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ minimumCount: 3, complete: true, total: { visitors: 0 } });
    expect(r.body.days.length).toBeGreaterThanOrEqual(3);
    expect((await t.call('GET', `/api/v1/reports/attendance?${range}&minimumCount=0`)).status).toBe(400);
  });

  it('shows the card report per machine kind', async () => {
    const r = await t.call('GET', `/api/v1/reports/cards?${range}`);
    expect(r.body.byMachineKind).toEqual([]);
  });
});
