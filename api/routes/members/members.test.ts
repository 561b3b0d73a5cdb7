import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp, unique } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

describe('POST /api/v1/members', () => {
  it('creates a member with a zero balance', async () => {
    const email = `${unique('a')}@example.org`;
    const r = await t.call('POST', '/api/v1/members', { body: { name: 'Ada Lovelace', email } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'Ada Lovelace',
      email,
      status: 'active',
      balanceCents: 0,
      certifications: [],
      badges: [],
    });
    expect(typeof r.body.id).toBe('string');
    expect(r.body).not.toHaveProperty('passwordHash');
  });

  it('refuses unknown fields with 400 problem+json naming them', async () => {
    const r = await t.call('POST', '/api/v1/members', {
      body: { name: 'X', email: 'x@example.org', admin: true },
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({
      status: 400,
      title: expect.any(String),
      type: expect.any(String),
      detail: expect.any(String),
    });
    expect(r.body.errors).toContainEqual(expect.objectContaining({ in: 'body', field: 'admin' }));
  });

  it('refuses a bad email and a missing name, listing both', async () => {
    const r = await t.call('POST', '/api/v1/members', { body: { email: 'nope' } });
    expect(r.status).toBe(400);
    const fields = r.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'email']));
  });

  it('refuses malformed JSON with 400', async () => {
    const r = await t.call('POST', '/api/v1/members', { body: '{"name":' });
    expect(r.status).toBe(400);
    expect(r.body.detail).toBeTruthy();
  });

  it('reads a JSON body sent without a content type', async () => {
    const r = await t.app.request('/api/v1/members', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}` },
      body: JSON.stringify({ name: 'No Type', email: `${unique('n')}@example.org` }),
    });
    expect(r.status).toBe(201);
    const curl = await t.call('POST', '/api/v1/members', {
      body: { name: 'Curl -d', email: `${unique('c')}@example.org` },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(curl.status).toBe(201);
  });

  it('answers 409 for an email already used', async () => {
    const email = `${unique('d')}@example.org`;
    expect((await t.call('POST', '/api/v1/members', { body: { name: 'A', email } })).status).toBe(201);
    const r = await t.call('POST', '/api/v1/members', { body: { name: 'B', email: email.toUpperCase() } });
    expect(r.status).toBe(409);
  });

  it('is for admins only', async () => {
    const treasurer = await t.staff(['treasurer']);
    const r = await t.call('POST', '/api/v1/members', {
      token: treasurer.token,
      body: { name: 'A', email: 'a@b.org' },
    });
    expect(r.status).toBe(403);
    expect(r.body.detail).toMatch(/admin/);
  });
});

describe('GET /api/v1/members/{id}', () => {
  it('is readable by admin, treasurer, trainer and the member, never by another member', async () => {
    const id = await t.member();
    const other = await t.member();
    for (const roles of [['treasurer'], ['trainer']]) {
      const s = await t.staff(roles);
      expect((await t.call('GET', `/api/v1/members/${id}`, { token: s.token })).status).toBe(200);
    }
    const own = await t.memberToken(id);
    const self = await t.call('GET', `/api/v1/members/${id}`, { token: own });
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ id, status: 'active', balanceCents: 0 });
    const foreign = await t.call('GET', `/api/v1/members/${other}`, { token: own });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers 404 for an unknown id and 401 without or with a bad token', async () => {
    expect((await t.call('GET', '/api/v1/members/nope')).status).toBe(404);
    const none = await t.call('GET', '/api/v1/members/nope', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await t.call('GET', '/api/v1/members/nope', { token: 'tok_wrong' })).status).toBe(401);
  });

  it('GET /members/me and /me tell a member who they are', async () => {
    const id = await t.member('Grace Hopper');
    const own = await t.memberToken(id);
    const me = await t.call('GET', '/api/v1/members/me', { token: own });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(id);
    const who = await t.call('GET', '/api/v1/me', { token: own });
    expect(who.body).toMatchObject({ kind: 'member', id, name: 'Grace Hopper', roles: ['member'] });
    expect((await t.call('GET', '/api/v1/members', { token: own })).status).toBe(403);
  });
});

describe('GET /api/v1/members and PATCH', () => {
  it('searches by name or email with a total, and pages', async () => {
    const tag = unique('zz');
    for (let i = 0; i < 3; i++) {
      await t.call('POST', '/api/v1/members', {
        body: { name: `${tag} ${i}`, email: `${unique('p')}@example.org` },
      });
    }
    const page = await t.call('GET', `/api/v1/members?q=${tag}&limit=2&offset=0`);
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(3);
    expect(page.body.items).toHaveLength(2);
    const bad = await t.call('GET', '/api/v1/members?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ in: 'query', field: 'limit' });
  });

  it('updates status and membership end, filters by status, and audits', async () => {
    const id = await t.member();
    const r = await t.call('PATCH', `/api/v1/members/${id}`, {
      body: {
        status: 'suspended',
        membershipValidUntil: '2030-01-01T00:00:00Z',
        birthYear: 1990,
        category: 'student',
      },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'suspended', birthYear: 1990, category: 'student' });
    expect(r.body.membershipValidUntil).toBe('2030-01-01T00:00:00.000Z');
    const list = await t.call('GET', '/api/v1/members?status=suspended');
    expect(list.body.items.map((m: { id: string }) => m.id)).toContain(id);
    expect(t.changes).toContainEqual({ memberIds: [id] });
    const audit = await t.call('GET', `/api/v1/audit?entity=member&entityId=${id}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'update', entity: 'member', entityId: id });
    expect(audit.body.items[0].before.status).toBe('active');
    expect(audit.body.items[0].after.status).toBe('suspended');
  });
});
