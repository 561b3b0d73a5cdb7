/**
 * Issue #12 item 2 over real HTTP: suspend / reactivate with a reason, renew one or many by
 * id or e-mail to an inclusive last day, edit every field; each audited, each telling the
 * machine loop; and the abuse cases (wrong role, a member on another, malformed or oversized
 * input, a cookie write from another origin) leave the member as it was.
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

const get = async (id: string) => (await t.call('GET', `/api/v1/members/${id}`)).body;

async function auditOf(id: string) {
  const r = await t.call('GET', `/api/v1/audit?entity=member&entityId=${id}`);
  expect(r.status, r.text).toBe(200);
  return r.body.items as { action: string; after: Record<string, unknown> }[];
}

describe('suspend and reactivate (issue #12)', () => {
  it('suspends with a reason, shown on the member, audited, the loop told; then reactivates', async () => {
    const id = await t.member('Suspendu Test');
    t.changes.length = 0;
    const r = await t.call('POST', `/api/v1/members/${id}/suspend`, {
      body: { reason: 'cotisation impayée' },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ status: 'suspended', statusReason: 'cotisation impayée' });
    expect(r.body.statusChangedAt).toEqual(expect.any(String));
    expect(t.changes).toEqual([{ memberIds: [id] }]);
    expect((await auditOf(id)).map((a) => a.action)).toContain('suspend');
    // Twice: 409, nothing changes.
    const again = await t.call('POST', `/api/v1/members/${id}/suspend`, { body: { reason: 'x' } });
    expect(again.status).toBe(409);
    expect((await get(id)).statusReason).toBe('cotisation impayée');

    const back = await t.call('POST', `/api/v1/members/${id}/reactivate`, { body: { reason: 'réglée' } });
    expect(back.status, back.text).toBe(200);
    expect(back.body).toMatchObject({ status: 'active', statusReason: 'réglée' });
    expect((await auditOf(id)).map((a) => a.action)).toContain('reactivate');
  });

  it('refuses a missing, empty or oversized reason, and unknown fields, changing nothing', async () => {
    const id = await t.member();
    for (const body of [
      {},
      { reason: '   ' },
      { reason: 'x'.repeat(501) },
      { reason: 'ok', status: 'active' },
    ]) {
      const r = await t.call('POST', `/api/v1/members/${id}/suspend`, { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect((await get(id)).status).toBe('active');
    expect((await t.call('POST', '/api/v1/members/nope/suspend', { body: { reason: 'x' } })).status).toBe(
      404,
    );
  });

  it('is for admins: a trainer, a treasurer and the member themself are refused', async () => {
    const id = await t.member();
    const trainer = await t.staff(['trainer'], []);
    const treasurer = await t.staff(['treasurer']);
    const self = await t.memberToken(id);
    for (const token of [trainer.token, treasurer.token, self]) {
      const r = await t.call('POST', `/api/v1/members/${id}/suspend`, { token, body: { reason: 'x' } });
      expect(r.status).toBe(403);
      const e = await t.call('PATCH', `/api/v1/members/${id}`, { token, body: { name: 'Pirate' } });
      expect(e.status).toBe(403);
    }
    expect(await get(id)).toMatchObject({ status: 'active', statusReason: null });
    expect((await get(id)).name).not.toBe('Pirate');
  });

  it('a member cannot touch another member', async () => {
    const mine = await t.member('Moi');
    const other = await t.member('Autre');
    const token = await t.memberToken(mine);
    expect(
      (await t.call('POST', `/api/v1/members/${other}/suspend`, { token, body: { reason: 'x' } })).status,
    ).toBe(403);
    expect(
      (
        await t.call('POST', '/api/v1/members/renewals', {
          token,
          body: { lastDay: '2099-08-31', memberIds: [other] },
        })
      ).status,
    ).toBe(403);
    expect((await get(other)).membershipValidUntil).toBeNull();
  });
});

describe('renewals (issue #12)', () => {
  it('renews by id and e-mail to the inclusive last day, leaves longer ones, lists the unknown', async () => {
    const a = await t.member('Renouvelée A');
    const b = await t.member('Renouvelée B');
    const longer = await t.member('Plus longue');
    await t.call('PATCH', `/api/v1/members/${a}`, { body: { status: 'expired' } });
    await t.call('PATCH', `/api/v1/members/${longer}`, {
      body: { membershipValidUntil: '2031-01-01T00:00:00+01:00' },
    });
    const emailB = (await get(b)).email as string;
    t.changes.length = 0;
    const r = await t.call('POST', '/api/v1/members/renewals', {
      body: {
        lastDay: '31/08/2030',
        memberIds: [a, longer],
        emails: [emailB.toUpperCase(), 'nobody@example.org'],
      },
    });
    expect(r.status, r.text).toBe(200);
    // 31 August in Paris is UTC+2: valid until 1 September 00:00 local.
    expect(r.body).toMatchObject({ until: '2030-08-31T22:00:00.000Z', lastDay: '2030-08-31' });
    expect(r.body.renewed.map((m: { id: string }) => m.id).sort()).toEqual([a, b].sort());
    expect(r.body.unchanged.map((m: { id: string }) => m.id)).toEqual([longer]);
    expect(r.body.unknown).toEqual(['nobody@example.org']);
    expect(await get(a)).toMatchObject({
      status: 'active',
      membershipValidUntil: '2030-08-31T22:00:00.000Z',
    });
    expect((await get(longer)).membershipValidUntil).toBe('2030-12-31T23:00:00.000Z');
    expect(t.changes).toHaveLength(1);
    expect([...(t.changes[0]?.memberIds ?? [])].sort()).toEqual([a, b].sort());
    expect((await auditOf(a)).map((x) => x.action)).toContain('renew');
  });

  it('keeps a suspension, and refuses bad or past days and empty lists, changing nothing', async () => {
    const id = await t.member();
    await t.call('POST', `/api/v1/members/${id}/suspend`, { body: { reason: 'règlement' } });
    const ok = await t.call('POST', '/api/v1/members/renewals', {
      body: { lastDay: '2099-08-31', memberIds: [id] },
    });
    expect(ok.status).toBe(200);
    expect((await get(id)).status).toBe('suspended');
    const other = await t.member();
    for (const body of [
      { lastDay: '31/02/2030', memberIds: [other] },
      { lastDay: '2001-01-01', memberIds: [other] },
      { lastDay: 'demain', memberIds: [other] },
      { lastDay: '2030-08-31' },
      { lastDay: '2030-08-31', memberIds: [] },
      { lastDay: '2030-08-31', memberIds: [other], extra: 1 },
      { lastDay: '2030-08-31', memberIds: Array.from({ length: 5001 }, (_, i) => String(i)) },
    ]) {
      const r = await t.call('POST', '/api/v1/members/renewals', { body });
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
    expect((await get(other)).membershipValidUntil).toBeNull();
  });
});

describe('PATCH edits every field through the use case (issue #12)', () => {
  it('edits name, e-mail, category, birth year and membership end, audited, the loop told', async () => {
    const id = await t.member();
    t.changes.length = 0;
    const email = `${unique('edit')}@example.org`;
    const r = await t.call('PATCH', `/api/v1/members/${id}`, {
      body: { name: 'Nouveau Nom', email, category: 'student', birthYear: 2001, membershipValidUntil: null },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ name: 'Nouveau Nom', email, category: 'student', birthYear: 2001 });
    expect(t.changes).toEqual([{ memberIds: [id] }]);
    const bad = await t.call('PATCH', `/api/v1/members/${id}`, { body: { birthYear: 1800, name: '' } });
    expect(bad.status).toBe(400);
    const big = await t.call('PATCH', `/api/v1/members/${id}`, { body: { name: 'x'.repeat(70_000) } });
    expect(big.status).toBe(413);
    expect((await get(id)).name).toBe('Nouveau Nom');
  });

  it('refuses a cookie-authenticated write from another origin', async () => {
    const id = await t.member('Cross Origin');
    // A real admin session cookie, so that only the origin check can refuse.
    const me = (await t.call('GET', '/api/v1/me')).body;
    const password = 'correct horse battery staple';
    expect((await t.call('PUT', `/api/v1/staff/${me.id}/password`, { body: { password } })).status).toBe(204);
    const login = await t.call('POST', '/api/v1/auth/login', {
      token: null,
      body: { email: me.email, password },
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^sesame_session=/);
    const post = (origin: string) =>
      t.app.request(`http://sesame.lan/api/v1/members/${id}/suspend`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, origin },
        body: JSON.stringify({ reason: 'x' }),
      });
    expect((await post('https://evil.example')).status).toBe(403);
    expect((await get(id)).status).toBe('active');
    // The same cookie from the site itself is accepted: the refusal was the origin's.
    expect((await post('http://sesame.lan')).status).toBe(200);
    expect((await get(id)).status).toBe('suspended');
  });
});
