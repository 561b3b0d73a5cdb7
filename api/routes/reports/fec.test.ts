/**
 * GET /api/v1/exports/fec over HTTP (issue #11 item 6): the financial-year mode, ISO 8859-15,
 * the range mode kept (SPEC), and what is refused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFec } from '../../../tests/support/fec-checks.ts';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
let member: string;
const year = new Date().getUTCFullYear();

beforeAll(async () => {
  t = await testApp();
  member = await t.member('Zoë Œuvrard');
  const r = await t.call('POST', `/api/v1/members/${member}/topups`, {
    body: { amountCents: 1500, method: 'cash', reference: 'reçu — 1' },
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(r.status).toBe(201);
  expect((await t.call('PUT', '/api/v1/settings/accounting', { body: { siren: '123456789' } })).status).toBe(
    200,
  );
});
afterAll(async () => {
  await t.close();
});

async function download(query: string, token?: string) {
  const res = await t.app.request(`/api/v1/exports/fec?${query}`, {
    headers: { authorization: `Bearer ${token ?? t.adminToken}` },
  });
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

const filenameOf = (res: Response) =>
  /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? '';

describe('GET /api/v1/exports/fec?year=', () => {
  it("answers the financial year's FEC, named after its closing date", async () => {
    const { res, bytes } = await download(`year=${year}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(filenameOf(res)).toBe(`123456789FEC${year}1231.txt`);
    // this month is not closed: ValidDate is today
    expect(res.headers.get('x-fec-provisional')).toBe('true');
    const { problems, records } = checkFec(bytes, filenameOf(res));
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.EcritureNum, r.CompteNum, r.Debit, r.Credit])).toEqual([
      ['1', '530', '15,00', '0,00'],
      ['1', '4191', '0,00', '15,00'],
    ]);
  });

  it('follows the yearStart setting', async () => {
    expect(
      (await t.call('PUT', '/api/v1/settings/accounting', { body: { yearStart: '09-01' } })).status,
    ).toBe(200);
    const { res } = await download(`year=${year}`);
    expect(filenameOf(res)).toBe(`123456789FEC${year + 1}0831.txt`);
    await t.call('PUT', '/api/v1/settings/accounting', { body: { yearStart: '01-01' } });
  });

  it('writes ISO 8859-15 with charset=iso-8859-15', async () => {
    const { res, bytes } = await download(`year=${year}&charset=iso-8859-15`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=iso-8859-15');
    const { problems } = checkFec(bytes, filenameOf(res), 'iso-8859-15');
    expect(problems).toEqual([]);
    const text = new TextDecoder('iso-8859-15').decode(bytes);
    expect(text).toContain('Zoë Œuvrard');
    expect(text).toContain('reçu - 1');
    expect(text).not.toContain('—');
    expect(bytes.includes(0xbc)).toBe(true); // Œ
  });

  it('keeps the from–to range (SPEC), named after its last day', async () => {
    const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const { res, bytes } = await download(`from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    expect(checkFec(bytes, filenameOf(res)).problems).toEqual([]);
  });

  it.each([
    [`year=${year}&from=2026-01-01&to=2026-02-01`, 'year'],
    ['year=26', 'year'],
    ['year=1969', 'year'],
    ['year=abcd', 'year'],
    [`year=${year}&charset=latin1`, 'charset'],
    [`year=${year}&detail=hour`, 'detail'],
    [`year=${year}&x=1`, null],
    ['', 'from'],
    [`year=${'9'.repeat(5000)}`, 'year'],
  ])('refuses %s with 400', async (query, field) => {
    const r = await t.call('GET', `/api/v1/exports/fec?${query}`);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    if (field !== null) expect(JSON.stringify(r.body.errors ?? r.body)).toContain(field);
  });

  it('is for admins and treasurers only', async () => {
    const trainer = await t.staff(['trainer']);
    expect((await download(`year=${year}`, trainer.token)).res.status).toBe(403);
    const memberToken = await t.memberToken(member);
    expect((await download(`year=${year}`, memberToken)).res.status).toBe(403);
    const treasurer = await t.staff(['treasurer']);
    expect((await download(`year=${year}`, treasurer.token)).res.status).toBe(200);
    expect((await t.call('GET', `/api/v1/exports/fec?year=${year}`, { token: null })).status).toBe(401);
  });
});
