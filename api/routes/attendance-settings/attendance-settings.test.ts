/**
 * Issue #11: the lab's agglomeration (admin writes, admin/treasurer read), shown by the
 * attendance report; wrong roles, malformed and oversized values change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

const PATH = '/api/v1/settings/attendance';

describe('PUT /api/v1/settings/attendance (issue #11)', () => {
  it('names the agglomeration; the attendance report carries it', async () => {
    expect((await t.call('GET', PATH)).body).toEqual({ agglomeration: null });
    const r = await t.call('PUT', PATH, { body: { agglomeration: ' Amiens Métropole ' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ agglomeration: 'Amiens Métropole' });
    const treasurer = await t.staff(['treasurer']);
    expect((await t.call('GET', PATH, { token: treasurer.token })).body).toEqual({
      agglomeration: 'Amiens Métropole',
    });
    const report = await t.call('GET', '/api/v1/reports/attendance?from=2026-04-01&to=2026-05-01', {
      token: treasurer.token,
    });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      agglomeration: 'Amiens Métropole',
      total: { byGender: { woman: 0, man: 0, other: 0, unknown: 0 }, byCommune: [] },
    });
  });

  it.each([
    ['an empty name', { agglomeration: '  ' }],
    ['an oversized name', { agglomeration: 'x'.repeat(121) }],
    ['a number', { agglomeration: 80 }],
    ['an unknown field', { agglomeration: 'Amiens', extra: true }],
    ['no body field', {}],
  ])('refuses %s with 400 and changes nothing', async (_, body) => {
    await t.call('PUT', PATH, { body: { agglomeration: 'Amiens Métropole' } });
    const r = await t.call('PUT', PATH, { body });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect((await t.call('GET', PATH)).body).toEqual({ agglomeration: 'Amiens Métropole' });
  });

  it('is written by admins only, read by admins and treasurers', async () => {
    await t.call('PUT', PATH, { body: { agglomeration: 'Amiens Métropole' } });
    const member = await t.memberToken(await t.member());
    const trainer = (await t.staff(['trainer'])).token;
    const treasurer = (await t.staff(['treasurer'])).token;
    for (const token of [member, trainer, treasurer]) {
      const r = await t.call('PUT', PATH, { token, body: { agglomeration: 'Ailleurs' } });
      expect(r.status).toBe(403);
    }
    for (const token of [member, trainer]) expect((await t.call('GET', PATH, { token })).status).toBe(403);
    expect((await t.call('PUT', PATH, { token: null, body: { agglomeration: 'X' } })).status).toBe(401);
    expect((await t.call('GET', PATH)).body).toEqual({ agglomeration: 'Amiens Métropole' });
  });

  it('refuses a cross-origin cookie write (dashboard session) and changes nothing', async () => {
    await t.call('PUT', PATH, { body: { agglomeration: 'Amiens Métropole' } });
    const me = await t.call('GET', '/api/v1/me');
    const password = 'correct horse battery staple';
    expect((await t.call('PUT', `/api/v1/staff/${me.body.id}/password`, { body: { password } })).status).toBe(
      204,
    );
    const login = await t.call('POST', '/api/v1/auth/login', {
      token: null,
      body: { email: me.body.email, password },
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^sesame_session=/);
    const r = await t.app.request('http://sesame.lan:8080/api/v1/settings/attendance', {
      method: 'PUT',
      headers: {
        cookie,
        'content-type': 'application/json',
        'sec-fetch-site': 'cross-site',
        origin: 'https://evil.example',
      },
      body: JSON.stringify({ agglomeration: 'Ailleurs' }),
    });
    expect(r.status).toBe(403);
    expect((await t.call('GET', PATH)).body).toEqual({ agglomeration: 'Amiens Métropole' });
  });
});
