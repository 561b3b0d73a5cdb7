import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBootstrapAdmin } from '../../../application/bootstrap.ts';
import { staff } from '../../../db/schema.ts';
import { type TestApp, testApp, unique } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

describe('bootstrap admin', () => {
  it('exists once: the token is an admin, a second bootstrap does nothing', async () => {
    const who = await t.call('GET', '/api/v1/me');
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ kind: 'staff', name: 'Administrateur', roles: ['admin'] });
    expect(await ensureBootstrapAdmin(t.db, 'another-token-123456')).toBe(false);
    expect((await t.call('GET', '/api/v1/me', { token: 'another-token-123456' })).status).toBe(401);
    const [row] = await t.db.select().from(staff).where(eq(staff.id, who.body.id));
    expect(JSON.stringify(row)).not.toContain(t.adminToken);
  });
});

describe('POST /api/v1/staff', () => {
  it('creates an account and shows its token once', async () => {
    const q = await t.qualification();
    const r = await t.call('POST', '/api/v1/staff', {
      body: { name: 'Tina Trainer', email: `${unique('t')}@example.org`, roles: ['trainer'], trainerOf: [q] },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      id: expect.any(String),
      token: expect.any(String),
      roles: ['trainer'],
      trainerOf: [q],
    });
    const who = await t.call('GET', '/api/v1/me', { token: r.body.token });
    expect(who.body).toMatchObject({ kind: 'staff', id: r.body.id, roles: ['trainer'], trainerOf: [q] });
    const list = await t.call('GET', '/api/v1/staff');
    expect(list.status).toBe(200);
    const listed = list.body.items.find((s: { id: string }) => s.id === r.body.id);
    expect(listed).not.toHaveProperty('token');
    const audit = await t.call('GET', `/api/v1/audit?entity=staff&entityId=${r.body.id}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'create' });
    expect(JSON.stringify(audit.body)).not.toContain(r.body.token);
  });

  it('refuses bad roles, unknown qualifications, unknown fields (400) and a used email (409)', async () => {
    const email = `${unique('e')}@example.org`;
    const bad = await t.call('POST', '/api/v1/staff', { body: { name: 'X', email, roles: ['root'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('roles.0');
    const unknownQ = await t.call('POST', '/api/v1/staff', {
      body: { name: 'X', email, roles: ['trainer'], trainerOf: ['nope'] },
    });
    expect(unknownQ.status).toBe(400);
    expect(unknownQ.body.errors[0].field).toBe('trainerOf.0');
    const extra = await t.call('POST', '/api/v1/staff', {
      body: { name: 'X', email, roles: ['admin'], password: 'x' },
    });
    expect(extra.status).toBe(400);
    expect(
      (await t.call('POST', '/api/v1/staff', { body: { name: 'X', email, roles: ['admin'] } })).status,
    ).toBe(201);
    expect(
      (await t.call('POST', '/api/v1/staff', { body: { name: 'Y', email, roles: ['admin'] } })).status,
    ).toBe(409);
  });

  it('is for admins only: treasurer, trainer and member get 403, no token 401', async () => {
    const body = { name: 'X', email: `${unique('f')}@example.org`, roles: ['admin'] };
    for (const roles of [['treasurer'], ['trainer']]) {
      const s = await t.staff(roles);
      expect((await t.call('POST', '/api/v1/staff', { token: s.token, body })).status).toBe(403);
    }
    const m = await t.memberToken(await t.member());
    expect((await t.call('POST', '/api/v1/staff', { token: m, body })).status).toBe(403);
    expect((await t.call('POST', '/api/v1/staff', { token: null, body })).status).toBe(401);
  });

  it('PATCH disables an account: its token stops working', async () => {
    const s = await t.staff(['treasurer']);
    const r = await t.call('PATCH', `/api/v1/staff/${s.id}`, { body: { disabled: true } });
    expect(r.status).toBe(200);
    expect(r.body.disabledAt).not.toBeNull();
    expect((await t.call('GET', '/api/v1/me', { token: s.token })).status).toBe(401);
  });
});

describe('password login', () => {
  it('sets an HttpOnly SameSite=Lax cookie accepted as auth; logout ends it', async () => {
    const email = `${unique('l')}@example.org`;
    const created = await t.call('POST', '/api/v1/staff', {
      body: { name: 'Lou', email, roles: ['treasurer'] },
    });
    const own = created.body.token as string;
    const other = await t.staff(['treasurer']);
    expect(
      (
        await t.call('PUT', `/api/v1/staff/${created.body.id}/password`, {
          token: other.token,
          body: { password: 'x'.repeat(12) },
        })
      ).status,
    ).toBe(403);
    const set = await t.call('PUT', `/api/v1/staff/${created.body.id}/password`, {
      token: own,
      body: { password: 'correct horse battery' },
    });
    expect(set.status).toBe(204);

    const wrong = await t.call('POST', '/api/v1/auth/login', {
      token: null,
      body: { email, password: 'nope nope nope' },
    });
    expect(wrong.status).toBe(401);
    const ok = await t.call('POST', '/api/v1/auth/login', {
      token: null,
      body: { email: email.toUpperCase(), password: 'correct horse battery' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.principal).toMatchObject({ kind: 'staff', roles: ['treasurer'] });
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/sesame_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const session = cookie.split(';')[0]!;
    const me = await t.call('GET', '/api/v1/me', { token: null, headers: { cookie: session } });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(email);
    // A cookie write must say it comes from this site (issue #9): no Origin, refused.
    const blind = await t.call('POST', '/api/v1/auth/logout', { token: null, headers: { cookie: session } });
    expect(blind.status).toBe(403);
    const out = await t.call('POST', '/api/v1/auth/logout', {
      token: null,
      headers: { cookie: session, origin: 'http://localhost' },
    });
    expect(out.status).toBe(204);
    expect((await t.call('GET', '/api/v1/me', { token: null, headers: { cookie: session } })).status).toBe(
      401,
    );
  });

  it('lets a member log in and read only their own account', async () => {
    const id = await t.member();
    const own = await t.memberToken(id);
    expect(
      (
        await t.call('PUT', `/api/v1/members/${id}/password`, {
          token: own,
          body: { password: 'member password 1' },
        })
      ).status,
    ).toBe(204);
    const detail = await t.call('GET', `/api/v1/members/${id}`);
    const ok = await t.call('POST', '/api/v1/auth/login', {
      token: null,
      body: { email: detail.body.email, password: 'member password 1' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.principal).toMatchObject({ kind: 'member', memberId: id });
    expect((await t.call('GET', `/api/v1/members/${id}`, { token: ok.body.token })).status).toBe(200);
    expect((await t.call('GET', '/api/v1/machines', { token: ok.body.token })).status).toBe(403);
  });
});

describe('last admin', () => {
  it('cannot be disabled or lose the admin role', async () => {
    const own = await testApp();
    try {
      const me = (await own.call('GET', '/api/v1/me')).body;
      expect(
        (await own.call('PATCH', `/api/v1/staff/${me.id}`, { body: { roles: ['treasurer'] } })).status,
      ).toBe(409);
      expect((await own.call('PATCH', `/api/v1/staff/${me.id}`, { body: { disabled: true } })).status).toBe(
        409,
      );
      const second = await own.staff(['admin']);
      expect((await own.call('PATCH', `/api/v1/staff/${me.id}`, { body: { disabled: true } })).status).toBe(
        200,
      );
      expect((await own.call('GET', '/api/v1/me', { token: second.token })).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});
