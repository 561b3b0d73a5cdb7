/**
 * PUT /api/v1/settings/accounting (issue #11): the chart check over HTTP, and abuse — wrong
 * role, cross-origin cookie write, malformed and oversized bodies — each leaving the settings
 * as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp, unique } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

const settings = async () => (await t.call('GET', '/api/v1/settings/accounting')).body;

describe('accounting settings over HTTP', () => {
  it('answers the defaults with their Paheko chart labels', async () => {
    const s = await settings();
    expect(s).toMatchObject({
      chart: 'pca-2025',
      memberCards: '4191',
      machineUse: '706',
      materials: '707',
      cash: '530',
      check: '5112',
      card: '5115',
      bank: '512',
      online: '4671',
      adjustmentsDebit: '709',
      adjustmentsCredit: '706',
      machineRevenue: {},
    });
    expect(s.labels).toMatchObject({
      '5115': 'Paiements par carte à encaisser',
      '709': 'Rabais, remises et ristournes accordés',
    });
  });

  it('refuses an account missing from the chart with a problem naming it and the chart', async () => {
    const before = await settings();
    const r = await t.call('PUT', '/api/v1/settings/accounting', {
      body: { machineRevenue: { 'printer-3d': '7063' } },
    });
    expect(r.status).toBe(200); // 7063 exists (Parrainages): accepted, its label shows what it means
    expect(r.body.labels['7063']).toBe('Parrainages');
    const bad = await t.call('PUT', '/api/v1/settings/accounting', {
      body: { machineRevenue: { laser: '7061' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('problem+json');
    expect(bad.body.detail).toContain('"7061" is not in the plan comptable associatif 2025');
    expect(bad.body.errors[0].field).toBe('machineRevenue.laser');
    await t.call('PUT', '/api/v1/settings/accounting', { body: { machineRevenue: { 'printer-3d': null } } });
    expect(await settings()).toEqual(before);
  });

  it('refuses other roles, cross-origin cookie writes, malformed and oversized input; nothing changes', async () => {
    const before = await settings();
    const trainer = await t.staff(['trainer']);
    const memberToken = await t.memberToken(await t.member());
    for (const token of [trainer.token, memberToken, null]) {
      const r = await t.call('PUT', '/api/v1/settings/accounting', { token, body: { cash: '531' } });
      expect([401, 403]).toContain(r.status);
    }
    expect((await t.call('GET', '/api/v1/settings/accounting', { token: memberToken })).status).toBe(403);

    // a treasurer's dashboard cookie, from another site
    const email = `${unique('tr')}@example.org`;
    const created = await t.call('POST', '/api/v1/staff', {
      body: { name: 'Tré', email, roles: ['treasurer'] },
    });
    await t.call('PUT', `/api/v1/staff/${created.body.id}/password`, {
      body: { password: 'correct horse battery' },
    });
    const login = await t.call('POST', '/api/v1/auth/login', {
      token: null,
      body: { email, password: 'correct horse battery' },
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const cross = await t.call('PUT', '/api/v1/settings/accounting', {
      token: null,
      headers: { cookie, origin: 'https://evil.example' },
      body: { cash: '531' },
    });
    expect(cross.status).toBe(403);

    for (const body of [
      '{not json',
      { cash: 530 },
      { chart: 'pcg-2025' },
      { unknownField: '1' },
      { subAccounts: [{ number: '7061' }] },
      { subAccounts: Array.from({ length: 51 }, (_, i) => ({ number: `706${i}`, label: 'x' })) },
      { subAccounts: [{ number: '7061', label: 'x'.repeat(201) }] },
      { cash: '5'.repeat(21) },
      { online: 'x'.repeat(2_000_000) },
    ]) {
      const r = await t.call('PUT', '/api/v1/settings/accounting', { body });
      expect([400, 413]).toContain(r.status);
    }
    expect(await settings()).toEqual(before);
  });
});
