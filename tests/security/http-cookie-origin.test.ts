/**
 * Issue #9 item 1, the rule itself, header by header (the Chromium test proves it against a
 * real browser): which cookie-authenticated writes are accepted, and that bearer clients are
 * untouched. ALLOWED_ORIGINS adds the public origin behind a reverse proxy.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBootstrapAdmin } from '../../application/bootstrap.ts';
import { loadSiteKeys } from '../../application/site-keys.ts';
import { parseEnv } from '../../server/env.ts';
import { createApp } from '../../server/http-app.ts';
import { testDatabase } from '../support/db.ts';

const ADMIN = `boot-${randomBytes(16).toString('hex')}`;
const PASSWORD = 'correct horse battery staple';
let database: Awaited<ReturnType<typeof testDatabase>>;
let app: ReturnType<typeof createApp>;
let cookie: string;

beforeAll(async () => {
  database = await testDatabase();
  await ensureBootstrapAdmin(database.db, ADMIN);
  app = createApp({
    db: database.db,
    keys: await loadSiteKeys(database.db),
    loop: { changed: () => {}, lock: async () => {} },
    allowedOrigins: parseEnv({ ALLOWED_ORIGINS: 'https://sesame.example.org' }).ALLOWED_ORIGINS,
  });
  const bearer = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
  const me = await (await app.request('/api/v1/me', { headers: bearer })).json();
  const pw = await app.request(`/api/v1/staff/${me.id}/password`, {
    method: 'PUT',
    headers: bearer,
    body: JSON.stringify({ password: PASSWORD }),
  });
  expect(pw.status).toBe(204);
  const login = await app.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: me.email, password: PASSWORD }),
  });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/^sesame_session=/);
});
afterAll(async () => {
  await database?.drop();
});

const create = (
  headers: Record<string, string>,
  body = { name: 'Origin Test', email: `${randomBytes(5).toString('hex')}@example.org` },
) =>
  app.request('http://sesame.lan:8080/api/v1/members', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('cookie-authenticated writes (issue #9)', () => {
  it.each([
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
    ['no Sec-Fetch-Site, Origin = own origin', { origin: 'http://sesame.lan:8080' }],
    ['no Sec-Fetch-Site, Origin in ALLOWED_ORIGINS', { origin: 'https://sesame.example.org' }],
  ])('accepts %s', async (_, headers) => {
    const r = await create({ cookie, ...headers });
    expect(r.status, await r.clone().text()).toBe(201);
  });

  it.each([
    [
      'Sec-Fetch-Site: same-site (another port, a sibling sub-domain)',
      { 'sec-fetch-site': 'same-site', origin: 'http://sesame.lan:9999' },
    ],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: none', { 'sec-fetch-site': 'none' }],
    ['no Sec-Fetch-Site, another port', { origin: 'http://sesame.lan:9999' }],
    ['no Sec-Fetch-Site, Origin: null', { origin: 'null' }],
    ['neither header', {}],
  ])('refuses %s with 403 problem+json', async (_, headers) => {
    const r = await create({ cookie, ...headers });
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect((await r.json()).detail).toMatch(/session cookie.*Bearer/);
  });

  it('refuses a same-origin cookie body that is not application/json (415), never reading it as JSON', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const r = await create({ cookie, 'sec-fetch-site': 'same-origin', 'content-type': type });
      expect(r.status, type).toBe(415);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('leaves bearer clients as they were: any origin, text/plain read as JSON', async () => {
    const r = await create({
      authorization: `Bearer ${ADMIN}`,
      cookie,
      'sec-fetch-site': 'cross-site',
      origin: 'https://evil.example',
      'content-type': 'text/plain',
    });
    expect(r.status).toBe(201);
  });

  it('keeps cookie reads working from anywhere (a GET changes nothing)', async () => {
    const r = await app.request('/api/v1/me', { headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    expect(r.status).toBe(200);
  });

  it('parses ALLOWED_ORIGINS strictly', () => {
    expect(parseEnv({ ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080' }).ALLOWED_ORIGINS).toEqual(
      ['https://a.example', 'http://b.example:8080'],
    );
    expect(parseEnv({}).ALLOWED_ORIGINS).toEqual([]);
    expect(() => parseEnv({ ALLOWED_ORIGINS: 'https://a.example/path' })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => parseEnv({ ALLOWED_ORIGINS: 'sesame.example.org' })).toThrow(/ALLOWED_ORIGINS/);
  });
});
