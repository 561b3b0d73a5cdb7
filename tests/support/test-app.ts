/**
 * Test support for route tests: an app on a fresh test database (PGlite, or PostgreSQL when
 * DATABASE_URL is set), a recording machine loop, a bootstrap admin, and request helpers.
 * Requests go through app.request(): no port is opened.
 */
import { randomBytes } from 'node:crypto';
import { createApi } from '../../api/app.ts';
import { ensureBootstrapAdmin } from '../../application/bootstrap.ts';
import { resolveDeps } from '../../application/deps.ts';
import type { MachineLoopPort } from '../../application/ports/machine-loop.ts';
import { loadSiteKeys } from '../../application/site-keys.ts';
import { createApp } from '../../server/http-app.ts';
import { testDatabase } from './db.ts';

export interface Call {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are checked field by field
  body: any;
  text: string;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export async function testApp(options: { maxBodyBytes?: number } = {}) {
  const database = await testDatabase();
  const keys = await loadSiteKeys(database.db);
  const changes: Parameters<MachineLoopPort['changed']>[0][] = [];
  const locks: { machineId: string; reason: string; sessionId?: string | undefined }[] = [];
  const loop: MachineLoopPort = {
    changed: (scope) => {
      changes.push(scope);
    },
    lock: async (machineId, reason, sessionId) => {
      locks.push({ machineId, reason, sessionId });
    },
  };
  const app = createApp({ db: database.db, keys, loop, ...options });
  const adminToken = `boot-${randomBytes(16).toString('hex')}`;
  await ensureBootstrapAdmin(database.db, adminToken);

  async function call(method: string, path: string, o: CallOptions = {}): Promise<Call> {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? adminToken : o.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  const helpers = {
    async member(name = 'Camille Martin') {
      const r = await call('POST', '/api/v1/members', {
        body: { name, email: `${unique('m')}@example.org` },
      });
      if (r.status !== 201) throw new Error(`member: ${r.status} ${r.text}`);
      return r.body.id as string;
    },
    async staff(roles: string[], trainerOf: string[] = []) {
      const r = await call('POST', '/api/v1/staff', {
        body: { name: 'Staff', email: `${unique('s')}@example.org`, roles, trainerOf },
      });
      if (r.status !== 201) throw new Error(`staff: ${r.status} ${r.text}`);
      return { id: r.body.id as string, token: r.body.token as string };
    },
    async memberToken(memberId: string) {
      const r = await call('POST', `/api/v1/members/${memberId}/tokens`, { body: {} });
      if (r.status !== 201) throw new Error(`token: ${r.status} ${r.text}`);
      return r.body.token as string;
    },
    async qualification(id = unique('q'), extra: Record<string, unknown> = {}) {
      const r = await call('POST', '/api/v1/qualifications', {
        body: { id, name: id, validityDays: 365, ...extra },
      });
      if (r.status !== 201) throw new Error(`qualification: ${r.status} ${r.text}`);
      return id;
    },
    async machine(id = unique('mc'), extra: Record<string, unknown> = {}) {
      const r = await call('POST', '/api/v1/machines', {
        body: {
          id,
          name: id,
          kind: 'laser',
          pricePerMinuteCents: 50,
          minimumChargeCents: 100,
          qualifications: [],
          ...extra,
        },
      });
      if (r.status !== 201) throw new Error(`machine: ${r.status} ${r.text}`);
      return id;
    },
  };

  return {
    app,
    /** the API alone, for its OpenAPI registry */
    api: createApi(resolveDeps({ db: database.db, keys, loop, ...options })),
    db: database.db,
    keys,
    loop,
    changes,
    locks,
    adminToken,
    call,
    ...helpers,
    close: () => database.drop(),
  };
}

export type TestApp = Awaited<ReturnType<typeof testApp>>;
