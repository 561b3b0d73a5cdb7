/**
 * Issue #9 item 8: inputs that gave 500 get a 400 problem+json naming the field, and no
 * route can forget it. Control characters (NUL and the rest of C0, DEL) are refused in every
 * query, path segment and JSON body, once, before any handler; report bounds out of the
 * range the database and the reports can hold are refused with a clear detail. SPEC §3's
 * "unknown fields refused" and "every problem+json carries detail" are checked for every
 * route of the OpenAPI registry, so a new route that forgets them fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp, unique } from '../support/test-app.ts';

let t: TestApp;
let memberId: string;
let machineId: string;

beforeAll(async () => {
  t = await testApp();
  memberId = await t.member('Camille Martin');
  machineId = await t.machine();
});
afterAll(async () => {
  await t?.close();
});

function expectFieldProblem(r: Awaited<ReturnType<TestApp['call']>>, where: string, field: string) {
  expect(r.status, r.text).toBe(400);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  expect(r.body.detail).toMatch(/control character/i);
  expect(r.body.errors).toContainEqual(expect.objectContaining({ in: where, field }));
}

describe('control characters (issue #9)', () => {
  it('refuses NUL in a member name, on creation and on update, and stores nothing', async () => {
    const email = `${unique('nul')}@example.org`;
    expectFieldProblem(
      await t.call('POST', '/api/v1/members', { body: { name: 'A\u0000B', email } }),
      'body',
      'name',
    );
    expectFieldProblem(
      await t.call('PATCH', `/api/v1/members/${memberId}`, { body: { name: 'Bell\u0007' } }),
      'body',
      'name',
    );
    expect((await t.call('GET', `/api/v1/members?q=${encodeURIComponent(email)}`)).body.total).toBe(0);
    expect((await t.call('GET', `/api/v1/members/${memberId}`)).body.name).toBe('Camille Martin');
  });

  it('refuses NUL in the search q, in other queries and in path ids', async () => {
    expectFieldProblem(await t.call('GET', '/api/v1/members?q=a%00b'), 'query', 'q');
    expectFieldProblem(await t.call('GET', '/api/v1/sessions?machine=%00'), 'query', 'machine');
    const path = await t.call('GET', '/api/v1/members/%00');
    expect(path.status).toBe(400);
    expect(path.body.errors[0].in).toBe('path');
    expect((await t.call('DELETE', '/api/v1/devices/x%7F')).status).toBe(400);
    // the dashboard's pages too (its member search and member pages)
    expect((await t.app.request('/members?q=a%00b')).status).toBe(400);
    expect((await t.app.request('/members/%00')).status).toBe(400);
  });

  it('names nested fields and keys, in every body', async () => {
    const q = await t.call('POST', '/api/v1/qualifications', {
      body: { id: unique('q'), name: 'Laser', validityDays: 30, prerequisites: ['ok', 'b\u001bad'] },
    });
    expectFieldProblem(q, 'body', 'prerequisites.1');
    const key = await t.call('POST', '/api/v1/integrations/helloasso/webhook', {
      token: null,
      body: { eventType: 'Payment', data: { 'k\u0000': 1 } },
    });
    expectFieldProblem(key, 'body', 'data.k\u0000');
    const escaped = await t.call('POST', '/api/v1/members', {
      // the JSON escape and the raw byte are the same character once parsed
      body: `{"name":"x\\u0000","email":"${unique('e')}@example.org"}`,
    });
    expectFieldProblem(escaped, 'body', 'name');
  });

  it("refuses them in the dashboard's forms too (no 500, nothing stored)", async () => {
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
    const email = `${unique('form')}@example.org`;
    const body = new URLSearchParams({ name: 'A\u0000B', email }).toString();
    const r = await t.app.request('/members', {
      method: 'POST',
      headers: {
        cookie,
        origin: 'http://localhost',
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    });
    // The form comes back with the field's error (issue #12: errors next to the field).
    expect(r.status).toBe(422);
    expect(await r.text()).toContain('name="name"');
    expect((await t.call('GET', `/api/v1/members?q=${encodeURIComponent(email)}`)).body.total).toBe(0);
  });

  it('keeps tab and line breaks in body values (multi-line notes) working', async () => {
    const r = await t.call('POST', `/api/v1/machines/${machineId}/report`, {
      body: { note: 'Lentille sale\nà nettoyer\tvite' },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.stateNote).toContain('\n');
  });
});

describe('report bounds (issue #9)', () => {
  const routes = [
    '/api/v1/reports/cards',
    '/api/v1/exports/fec',
    '/api/v1/exports/sessions',
    '/api/v1/exports/topups',
    '/api/v1/exports/paheko',
    '/api/v1/exports/attendance',
    '/api/v1/reports/attendance',
  ];
  for (const route of routes) {
    it(`answers ${route}?from=0001-01-01&to=9999-12-31 with 400, not 500`, async () => {
      const r = await t.call('GET', `${route}?from=0001-01-01&to=9999-12-31`);
      expect(r.status, r.text).toBe(400);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.body.detail).toMatch(/out of range.*1970-01-01 and 2200-01-01/);
      expect(r.body.errors[0]).toMatchObject({ in: 'query', field: 'from' });
      const late = await t.call('GET', `${route}?from=2026-01-01&to=9999-12-31`);
      expect(late.status).toBe(400);
      expect(late.body.errors[0]).toMatchObject({ in: 'query', field: 'to' });
    });
  }

  it('still answers a wide but sane range', async () => {
    const r = await t.call('GET', '/api/v1/reports/cards?from=1970-01-01&to=2200-01-01');
    expect(r.status, r.text).toBe(200);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: zod's internal definition tree
type Def = any;

/** Object schemas in a body that let unknown fields through (strip or passthrough). */
function looseObjects(schema: Def, path: string, out: string[]): void {
  const def = schema?._zod?.def;
  if (!def) return;
  switch (def.type) {
    case 'object':
      if (def.catchall?._zod?.def?.type !== 'never') out.push(path || '(body)');
      for (const [k, v] of Object.entries(def.shape)) looseObjects(v, `${path}.${k}`, out);
      return;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      looseObjects(def.innerType, path, out);
      return;
    case 'pipe':
      looseObjects(def.in, path, out);
      return;
    case 'array':
      looseObjects(def.element, `${path}[]`, out);
      return;
    case 'union':
      for (const o of def.options) looseObjects(o, path, out);
      return;
    case 'intersection':
      looseObjects(def.left, path, out);
      looseObjects(def.right, path, out);
      return;
  }
}

describe('SPEC §3 on every route', () => {
  it('refuses unknown body fields on every route (except the HelloAsso notification, their format)', () => {
    const loose: string[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: the registry's definitions
    for (const d of (t.api.openAPIRegistry.definitions as any[]).filter((d) => d.type === 'route')) {
      const schema = d.route.request?.body?.content?.['application/json']?.schema;
      const found: string[] = [];
      looseObjects(schema, '', found);
      if (found.length > 0) loose.push(`${d.route.method} ${d.route.path}: ${found.join(', ')}`);
    }
    expect(loose).toEqual(['post /api/v1/integrations/helloasso/webhook: (body)']);
  });

  it('answers unknown fields with 400 naming them, and every problem carries detail', async () => {
    const answers = [
      await t.call('POST', '/api/v1/members', { body: { name: 'X', email: 'x@example.org', admin: true } }),
      await t.call('POST', '/api/v1/members', { body: '{"name":' }),
      await t.call('GET', '/api/v1/nowhere'),
      await t.call('DELETE', '/api/v1/members'),
      await t.call('GET', '/api/v1/members', { token: 'nope' }),
      await t.call('GET', '/api/v1/members?limit=0'),
    ];
    expect(answers[0]?.body.errors).toContainEqual(expect.objectContaining({ field: 'admin' }));
    for (const r of answers) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(typeof r.body.detail, r.text).toBe('string');
      expect(r.body.detail.length).toBeGreaterThan(10);
    }
  });
});
