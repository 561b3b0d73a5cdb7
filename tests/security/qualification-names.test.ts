/**
 * Security check of 1 Dec 2026 (issue #12): two qualifications may not share a name (case and
 * spaces ignored) — a trainer would certify one "Découpe laser" while the machine asks for the
 * other. Through the API, the setup wizard and the machines page: a clear refusal, nothing
 * created.
 */
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualificationNameKey } from '../../application/qualifications.ts';
import { auditLog, qualifications } from '../../db/schema.ts';
import { type TestApp, testApp, unique } from '../support/test-app.ts';

const PASSWORD = 'correct horse battery staple';
let t: TestApp;
let cookie: string;

beforeAll(async () => {
  t = await testApp();
  const me = await t.call('GET', '/api/v1/me');
  expect(
    (await t.call('PUT', `/api/v1/staff/${me.body.id}/password`, { body: { password: PASSWORD } })).status,
  ).toBe(204);
  const login = await t.app.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: me.body.email, password: PASSWORD }),
  });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/^sesame_session=/);
  const first = await t.call('POST', '/api/v1/qualifications', {
    body: { id: 'decoupe-laser', name: 'Découpe laser', validityDays: 365 },
  });
  expect(first.status).toBe(201);
});
afterAll(async () => t?.close());

async function state() {
  const [q] = await t.db.select({ n: count() }).from(qualifications);
  const [a] = await t.db.select({ n: count() }).from(auditLog);
  return { qualifications: q!.n, audit: a!.n };
}

async function postForm(path: string, fields: Record<string, string>, origin = 'http://localhost') {
  const body = new URLSearchParams(fields).toString();
  return t.app.request(`http://localhost${path}`, {
    method: 'POST',
    headers: {
      cookie,
      origin,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  });
}

const flashOf = (res: Response) => {
  const raw = /sesame_flash=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  return raw === undefined
    ? null
    : (JSON.parse(decodeURIComponent(decodeURIComponent(raw))) as { kind: string; text: string });
};

const TAKEN_FR =
  'Une qualification s’appelle déjà « Découpe laser » : choisissez un autre nom ou modifiez l’existante.';

describe('a qualification name is unique, case and spaces ignored (issue #12)', () => {
  it('compares names without case or extra spaces', () => {
    expect(qualificationNameKey('  DÉCOUPE   Laser ')).toBe(qualificationNameKey('Découpe laser'));
    expect(qualificationNameKey('Découpe laser avancée')).not.toBe(qualificationNameKey('Découpe laser'));
  });

  it('API: 409 problem+json for the same name in another case or spacing, nothing created', async () => {
    const before = await state();
    for (const name of ['Découpe laser', 'découpe LASER', '  DÉCOUPE   laser  ']) {
      const r = await t.call('POST', '/api/v1/qualifications', {
        body: { id: unique('laser'), name, validityDays: 30 },
      });
      expect(r.status, name).toBe(409);
      expect(r.headers.get('content-type')).toMatch(/problem\+json/);
      expect(r.body.detail).toBe(
        'A qualification is already called "Découpe laser"; choose another name or use the existing one.',
      );
    }
    expect(await state()).toEqual(before);
    // Another name is still fine.
    const other = await t.call('POST', '/api/v1/qualifications', {
      body: { id: unique('adv'), name: 'Découpe laser avancée', validityDays: 30 },
    });
    expect(other.status).toBe(201);
  });

  it('setup wizard and machines page: a French message, nothing created', async () => {
    const before = await state();
    const setup = await postForm('/setup/qualifications', { name: 'découpe  laser', validityDays: '30' });
    expect(setup.status).toBe(303);
    expect(setup.headers.get('location')).toBe('/setup/qualifications');
    expect(flashOf(setup)).toEqual({ kind: 'error', text: TAKEN_FR });
    const admin = await postForm('/admin/qualifications', {
      id: 'laser-bis',
      name: 'DÉCOUPE LASER',
      validityDays: '30',
    });
    expect(admin.status).toBe(303);
    expect(flashOf(admin)).toEqual({ kind: 'error', text: TAKEN_FR });
    expect(await state()).toEqual(before);
  });

  it('a cross-origin form post or a non-admin API call changes nothing', async () => {
    const treasurer = await t.staff(['treasurer']);
    const before = await state();
    const evil = await postForm(
      '/admin/qualifications',
      { id: 'evil', name: 'Evil', validityDays: '30' },
      'https://evil.example',
    );
    expect(evil.status).toBe(403);
    const r = await t.call('POST', '/api/v1/qualifications', {
      token: treasurer.token,
      body: { id: 'evil', name: 'Evil', validityDays: 30 },
    });
    expect(r.status).toBe(403);
    expect(await state()).toEqual(before);
  });
});
