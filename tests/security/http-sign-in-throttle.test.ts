/**
 * Issue #9 item 4: password sign-in (`POST /api/v1/auth/login` and the dashboard's form) is
 * throttled per account and per address with a growing back-off; a blocked attempt answers
 * 429 problem+json with Retry-After and checks no password (no argon2 hash: counted by the
 * `sign_in_password_checks_total` metric); the genuine user gets back in when the block
 * ends, or at once when an admin clears it (audited). A real listening server; the throttle
 * is configured with short blocks so that the back-off can be waited out.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureBootstrapAdmin } from '../../application/bootstrap.ts';
import { SignInThrottle, type SignInThrottleOptions } from '../../application/sign-in-throttle.ts';
import { loadSiteKeys } from '../../application/site-keys.ts';
import { createApp } from '../../server/http-app.ts';
import { testDatabase } from '../support/db.ts';

const ADMIN = `boot-${randomBytes(16).toString('hex')}`;
const PASSWORD = 'correct horse battery staple';
let database: Awaited<ReturnType<typeof testDatabase>>;
const servers: ReturnType<typeof serve>[] = [];

beforeAll(async () => {
  database = await testDatabase();
  await ensureBootstrapAdmin(database.db, ADMIN);
});
afterAll(async () => {
  for (const s of servers) await new Promise((resolve) => s.close(resolve));
  await database?.drop();
});

/** A real server on port 0 with its own throttle (so that tests do not block each other). */
async function server(opts: Partial<SignInThrottleOptions> = {}) {
  const keys = await loadSiteKeys(database.db);
  const app = createApp({
    db: database.db,
    keys,
    loop: { changed: () => {}, lock: async () => {} },
    signInThrottle: new SignInThrottle({ baseBlockSeconds: 2, ...opts }),
  });
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => s.once('listening', resolve));
  servers.push(s);
  const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  async function api(method: string, path: string, body?: unknown, token: string | null = ADMIN) {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
    };
  }
  const login = (email: string, password: string) => api('POST', '/auth/login', { email, password }, null);
  async function dashboardSignIn(email: string, password: string) {
    const res = await fetch(`${base}/sign-in?lang=fr`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: new URLSearchParams({ email, password }).toString(),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }
  async function passwordChecks(): Promise<number> {
    const text = await (await fetch(`${base}/metrics`)).text();
    const m = /^\w*sign_in_password_checks_total (\d+)/m.exec(text);
    return m ? Number(m[1]) : 0;
  }
  async function staffWithPassword(roles: string[] = ['treasurer']) {
    const email = `${randomBytes(6).toString('hex')}@example.org`;
    const r = await api('POST', '/staff', { name: 'Alex', email, roles, trainerOf: [] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect((await api('PUT', `/staff/${r.body.id}/password`, { password: PASSWORD })).status).toBe(204);
    return { id: r.body.id as string, email, token: r.body.token as string };
  }
  async function memberWithPassword(name = 'Camille') {
    const email = `${randomBytes(6).toString('hex')}@example.org`;
    const m = await api('POST', '/members', { name, email });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    expect((await api('PUT', `/members/${m.body.id}/password`, { password: PASSWORD })).status).toBe(204);
    return { id: m.body.id as string, email };
  }
  return { api, login, dashboardSignIn, passwordChecks, staffWithPassword, memberWithPassword };
}

/**
 * A test clock for the blocks (rate-limiter-flexible reads Date.now()): only Date is faked, so
 * argon2, sockets and timers run for real, and a slow box cannot stretch or shorten a block.
 */
const freezeClock = () => vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
const later = (ms: number) => vi.setSystemTime(Date.now() + ms);
afterEach(() => {
  vi.useRealTimers();
});

function expectThrottled(r: { status: number; headers: Headers; body: unknown }) {
  expect(r.status).toBe(429);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((r.body as { detail: string }).detail).toMatch(/retry in \d+ s/);
}

describe('password sign-in throttle (issue #9)', () => {
  it('blocks an account after 5 failures without checking passwords, then lets the owner in once the growing block ends', async () => {
    // The address limit is tested on its own below: out of the way here.
    const s = await server();
    const alex = await s.staffWithPassword();
    const before = await s.passwordChecks();
    freezeClock();
    for (let i = 0; i < 5; i++) expect((await s.login(alex.email, `wrong-${i}`)).status).toBe(401);
    expect(await s.passwordChecks()).toBe(before + 5);

    const blocked = await s.login(alex.email, 'wrong-5');
    expectThrottled(blocked);
    expect(blocked.headers.get('retry-after')).toBe('2');
    // 100 more at once, and the right password: all 429, not one argon2 hash spent.
    const flood = await Promise.all(Array.from({ length: 100 }, (_, i) => s.login(alex.email, `x${i}`)));
    expect(flood.every((r) => r.status === 429)).toBe(true);
    expectThrottled(await s.login(alex.email, PASSWORD));
    expect(await s.passwordChecks()).toBe(before + 5);

    // The block ends by itself; the next series of failures blocks twice as long.
    later(2_100);
    for (let i = 0; i < 5; i++) expect((await s.login(alex.email, `again-${i}`)).status).toBe(401);
    const second = await s.login(alex.email, 'again-5');
    expectThrottled(second);
    expect(second.headers.get('retry-after')).toBe('4');
    later(4_100);
    const ok = await s.login(alex.email, PASSWORD);
    expect(ok.status).toBe(200);
    // A success starts the account afresh: 5 more tries before a block.
    for (let i = 0; i < 5; i++) expect((await s.login(alex.email, `later-${i}`)).status).toBe(401);
  }, 60_000);

  it('checks at most 5 passwords for a parallel flood on one account', async () => {
    const s = await server();
    const alex = await s.staffWithPassword();
    const before = await s.passwordChecks();
    const flood = await Promise.all(Array.from({ length: 60 }, (_, i) => s.login(alex.email, `p${i}`)));
    expect(flood.filter((r) => r.status === 401).length).toBe(5);
    expect(flood.filter((r) => r.status === 429).length).toBe(55);
    expect(await s.passwordChecks()).toBe(before + 5);
  }, 60_000);

  it('throttles an address that tries many accounts, including unknown ones', async () => {
    const s = await server({ addressAccounts: 8 });
    const alex = await s.staffWithPassword();
    for (let i = 0; i < 8; i++) {
      expect((await s.login(`nobody-${i}@example.org`, 'guess')).status).toBe(401);
    }
    const r = await s.login(alex.email, PASSWORD);
    expectThrottled(r);
    expect(r.body.detail).toMatch(/your address/);
  }, 60_000);

  it('lets an admin clear a blocked account at once (audited), and no one else', async () => {
    const s = await server({ baseBlockSeconds: 600 });
    const alex = await s.staffWithPassword();
    for (let i = 0; i < 6; i++) await s.login(alex.email, `wrong-${i}`);
    expectThrottled(await s.login(alex.email, PASSWORD));

    const treasurer = await s.staffWithPassword(['treasurer']);
    expect(
      (await s.api('DELETE', `/staff/${alex.id}/sign-in-throttle`, undefined, treasurer.token)).status,
    ).toBe(403);
    expect((await s.api('DELETE', `/staff/${alex.id}/sign-in-throttle`, undefined, null)).status).toBe(401);
    expect((await s.api('DELETE', '/staff/nobody/sign-in-throttle')).status).toBe(404);
    expect((await s.api('DELETE', `/staff/${alex.id}/sign-in-throttle`)).status).toBe(204);
    expect((await s.login(alex.email, PASSWORD)).status).toBe(200);
    const audit = await s.api('GET', `/audit?entity=staff&entityId=${alex.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('reset_sign_in_throttle');

    // Members too.
    const m = await s.api('POST', '/members', {
      name: 'Camille',
      email: `${randomBytes(6).toString('hex')}@example.org`,
    });
    expect((await s.api('PUT', `/members/${m.body.id}/password`, { password: PASSWORD })).status).toBe(204);
    for (let i = 0; i < 6; i++) await s.login(m.body.email, `wrong-${i}`);
    expectThrottled(await s.login(m.body.email, PASSWORD));
    expect((await s.api('DELETE', `/members/${m.body.id}/sign-in-throttle`)).status).toBe(204);
    expect((await s.login(m.body.email, PASSWORD)).status).toBe(200);
  }, 60_000);

  it("throttles the dashboard's sign-in form with the same counter", async () => {
    const s = await server();
    const alex = await s.staffWithPassword();
    const before = await s.passwordChecks();
    freezeClock();
    for (let i = 0; i < 3; i++) expect((await s.dashboardSignIn(alex.email, `wrong-${i}`)).status).toBe(401);
    for (let i = 3; i < 5; i++) expect((await s.login(alex.email, `wrong-${i}`)).status).toBe(401);
    const page = await s.dashboardSignIn(alex.email, PASSWORD);
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toBe('2');
    expect(page.text).toContain('Trop de tentatives manquées');
    expect(await s.passwordChecks()).toBe(before + 5);
    later(2_100);
    const ok = await s.dashboardSignIn(alex.email, PASSWORD);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('set-cookie')).toMatch(/sesame_session=/);
  }, 60_000);

  it("one account's brute force blocks that account, not everyone behind the address; the admin reset lets its owner in", async () => {
    const s = await server({ baseBlockSeconds: 600 });
    const admin = await s.staffWithPassword(['admin']);
    const camille = await s.memberWithPassword();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await s.login(admin.email, `wrong-${i}`)).status);
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
    // The right password is refused while the account's block lasts, and says what to do.
    const refused = await s.login(admin.email, PASSWORD);
    expectThrottled(refused);
    expect(refused.body.detail).toMatch(/this account/);
    expect(refused.body.detail).toMatch(/ask an admin/);
    // Someone else from the same address gets in at once.
    expect((await s.login(camille.email, PASSWORD)).status).toBe(200);
    // The documented admin reset lets the admin in.
    expect((await s.api('DELETE', `/staff/${admin.id}/sign-in-throttle`)).status).toBe(204);
    expect((await s.login(admin.email, PASSWORD)).status).toBe(200);
  }, 60_000);

  it('slows a password spray over 25 accounts from one address; an admin clears every block at once', async () => {
    const s = await server({ baseBlockSeconds: 600 });
    const before = await s.passwordChecks();
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push((await s.login(`spray-${i}@example.org`, 'Summer2026!')).status);
    // 10 different accounts fail, then every new account from that address is refused unchecked.
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(15).fill(429)]);
    expect(await s.passwordChecks()).toBe(before + 10);
    const refused = await s.login('spray-99@example.org', 'x');
    expectThrottled(refused);
    expect(refused.body.detail).toMatch(/your address/);
    // A parallel spray is refused too, with no password checked.
    const flood = await Promise.all(
      Array.from({ length: 40 }, (_, i) => s.login(`par-${i}@example.org`, 'x')),
    );
    expect(flood.every((r) => r.status === 429)).toBe(true);
    expect(await s.passwordChecks()).toBe(before + 10);

    const treasurer = await s.staffWithPassword(['treasurer']);
    expect((await s.api('DELETE', '/auth/sign-in-throttle', undefined, treasurer.token)).status).toBe(403);
    expect((await s.api('DELETE', '/auth/sign-in-throttle')).status).toBe(204);
    expect((await s.login('spray-99@example.org', 'x')).status).toBe(401);
    const audit = await s.api('GET', '/audit?entity=auth');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('reset_sign_in_throttle');
  }, 60_000);

  it('counts only real password checks for the address, and an account reset takes it out of the address count', async () => {
    const s = await server({ baseBlockSeconds: 600, addressAccounts: 3 });
    const alex = await s.staffWithPassword();
    const camille = await s.memberWithPassword();
    for (let i = 0; i < 5; i++) expect((await s.login(alex.email, `wrong-${i}`)).status).toBe(401);
    // 100 attempts on the blocked account: refused unchecked, they count for nothing.
    const blocked = await Promise.all(Array.from({ length: 100 }, (_, i) => s.login(alex.email, `b${i}`)));
    expect(blocked.every((r) => r.status === 429)).toBe(true);
    expect((await s.login('other-1@example.org', 'x')).status).toBe(401);
    // 2 accounts failed from this address: Camille gets in.
    expect((await s.login(camille.email, PASSWORD)).status).toBe(200);
    expect((await s.login('other-2@example.org', 'x')).status).toBe(401);
    // 3 accounts failed: a new one is refused by the address.
    expect((await s.login('other-3@example.org', 'x')).body.detail).toMatch(/your address/);
    // The admin resets Alex: Alex gets in, and the address counts 2 accounts again.
    expect((await s.api('DELETE', `/staff/${alex.id}/sign-in-throttle`)).status).toBe(204);
    expect((await s.login(alex.email, PASSWORD)).status).toBe(200);
    expect((await s.login('other-3@example.org', 'x')).status).toBe(401);
  }, 60_000);
});
