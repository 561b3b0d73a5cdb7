/**
 * Issue #9: a staff API token can be rotated (POST /api/v1/staff/{id}/tokens, the new one
 * shown once, the old ones revoked) and revoked (DELETE …/tokens), by an admin or the account
 * itself, audited; a disabled then re-enabled account no longer brings a revoked token back;
 * the bootstrap admin token can be retired this way. Real HTTP through a listening server.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBootstrapAdmin } from '../../application/bootstrap.ts';
import { loadSiteKeys } from '../../application/site-keys.ts';
import { createApp } from '../../server/http-app.ts';
import { testDatabase } from '../support/db.ts';

const BOOT = `boot-${randomBytes(16).toString('hex')}`;
const PASSWORD = 'correct horse battery staple';
let database: Awaited<ReturnType<typeof testDatabase>>;
let server: ReturnType<typeof serve>;
let base = '';

beforeAll(async () => {
  database = await testDatabase();
  await ensureBootstrapAdmin(database.db, BOOT);
  const app = createApp({
    db: database.db,
    keys: await loadSiteKeys(database.db),
    loop: { changed: () => {}, lock: async () => {} },
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await database?.drop();
});

async function api(method: string, path: string, token: string | null, body?: unknown, headers = {}) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}

let admin = BOOT;

async function newStaff(roles: string[]) {
  const email = `${randomBytes(6).toString('hex')}@example.org`;
  const r = await api('POST', '/staff', admin, { name: 'Alex', email, roles, trainerOf: [] });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.id as string, email, token: r.body.token as string };
}

describe('staff API token rotation and revocation (issue #9)', () => {
  it('retires the bootstrap admin token: rotate gives a new one, the old one is 401 (audited)', async () => {
    const me = await api('GET', '/me', BOOT);
    expect(me.status).toBe(200);
    const r = await api('POST', `/staff/${me.body.id}/tokens`, BOOT, {});
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.token).toMatch(/^tok/);
    expect(r.body.revokedTokens).toBe(1);
    expect((await api('GET', '/me', BOOT)).status).toBe(401);
    admin = r.body.token;
    expect((await api('GET', '/me', admin)).body.id).toBe(me.body.id);
    const audit = await api('GET', `/audit?entity=staff&entityId=${me.body.id}`, admin);
    const entry = audit.body.items.find((e: { action: string }) => e.action === 'rotate_staff_token');
    expect(entry).toBeDefined();
    expect(JSON.stringify(entry)).not.toContain(r.body.token);
  });

  it('lets a staff member rotate their own token, and no one but an admin rotate another’s', async () => {
    const treasurer = await newStaff(['treasurer']);
    const other = await newStaff(['trainer']);
    const adminId = (await api('GET', '/me', admin)).body.id;
    // A treasurer cannot rotate or revoke an admin's token, nor another staff member's.
    const refused = await api('POST', `/staff/${adminId}/tokens`, treasurer.token, {});
    expect(refused.status).toBe(403);
    expect(refused.type).toBe('application/problem+json');
    expect((await api('DELETE', `/staff/${adminId}/tokens`, treasurer.token)).status).toBe(403);
    expect((await api('POST', `/staff/${other.id}/tokens`, treasurer.token, {})).status).toBe(403);
    expect((await api('GET', '/me', admin)).status).toBe(200);
    expect((await api('POST', `/staff/${adminId}/tokens`, null, {})).status).toBe(401);
    // Bad input: problem+json, nothing changed.
    const bad = await api('POST', `/staff/${treasurer.id}/tokens`, treasurer.token, { extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.type).toBe('application/problem+json');
    expect((await api('GET', '/me', treasurer.token)).status).toBe(200);
    expect((await api('POST', '/staff/nobody/tokens', admin, {})).status).toBe(404);
    // Self-rotation.
    const mine = await api('POST', `/staff/${treasurer.id}/tokens`, treasurer.token, {});
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    expect((await api('GET', '/me', treasurer.token)).status).toBe(401);
    expect((await api('GET', '/me', mine.body.token)).body.id).toBe(treasurer.id);
  });

  it('revokes every token for good: re-enabling a disabled account does not bring them back', async () => {
    const alex = await newStaff(['treasurer']);
    expect((await api('PATCH', `/staff/${alex.id}`, admin, { disabled: true })).status).toBe(200);
    expect((await api('GET', '/me', alex.token)).status).toBe(401);
    expect((await api('DELETE', `/staff/${alex.id}/tokens`, admin)).status).toBe(204);
    expect((await api('PATCH', `/staff/${alex.id}`, admin, { disabled: false })).status).toBe(200);
    expect((await api('GET', '/me', alex.token)).status).toBe(401);
    // A dashboard session is a token too: revoked with the rest.
    expect((await api('PUT', `/staff/${alex.id}/password`, admin, { password: PASSWORD })).status).toBe(204);
    const session = await api('POST', '/auth/login', null, { email: alex.email, password: PASSWORD });
    expect(session.status).toBe(200);
    expect((await api('GET', '/me', session.body.token)).status).toBe(200);
    expect((await api('DELETE', `/staff/${alex.id}/tokens`, session.body.token)).status).toBe(204);
    expect((await api('GET', '/me', session.body.token)).status).toBe(401);
    const audit = await api('GET', `/audit?entity=staff&entityId=${alex.id}`, admin);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('revoke_staff_tokens');
  });

  it('refuses a cookie-authenticated rotation from another origin', async () => {
    const alex = await newStaff(['treasurer']);
    expect((await api('PUT', `/staff/${alex.id}/password`, admin, { password: PASSWORD })).status).toBe(204);
    const session = await api('POST', '/auth/login', null, { email: alex.email, password: PASSWORD });
    const cookie = { cookie: `sesame_session=${session.body.token}` };
    const evil = 'http://127.0.0.1:1';
    for (const headers of [
      { ...cookie, origin: evil, 'sec-fetch-site': 'same-site' },
      { ...cookie, origin: evil },
    ]) {
      const r = await api('POST', `/staff/${alex.id}/tokens`, null, {}, headers);
      expect(r.status).toBe(403);
      expect(r.type).toBe('application/problem+json');
    }
    expect((await api('DELETE', `/staff/${alex.id}/tokens`, null, undefined, cookie)).status).toBe(403);
    // Nothing changed: the API token still works.
    expect((await api('GET', '/me', alex.token)).status).toBe(200);
    // From the dashboard's own origin, the same cookie may rotate.
    const ok = await api(
      'POST',
      `/staff/${alex.id}/tokens`,
      null,
      {},
      { ...cookie, 'sec-fetch-site': 'same-origin' },
    );
    expect(ok.status).toBe(201);
    expect((await api('GET', '/me', alex.token)).status).toBe(401);
  });
});
