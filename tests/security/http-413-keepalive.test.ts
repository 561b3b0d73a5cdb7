/**
 * Issue #9 item 9: an oversized body gets its 413 problem+json, and the keep-alive client's
 * next request works: the server either keeps the connection usable or says
 * `Connection: close` so that the client does not reuse a socket about to be dropped.
 * A real listening server (startServer) and node:http's keep-alive Agent, as curl, browsers
 * and SDKs use it.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let port: number;

beforeAll(async () => {
  sys = await startSystem();
  port = sys.server.httpPort;
});
afterAll(async () => {
  await sys?.stop();
});

interface Answer {
  status?: number;
  type?: string | undefined;
  connection?: string | undefined;
  body?: string;
  error?: string;
  reused: boolean;
}

function send(
  agent: http.Agent,
  method: string,
  path: string,
  opts: { body?: Buffer; chunked?: boolean; token?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (opts.token !== false) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
    if (opts.body && !opts.chunked) headers['content-length'] = opts.body.length;
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          type: res.headers['content-type'],
          connection: res.headers.connection,
          body: Buffer.concat(chunks).toString('utf8'),
          reused: req.reusedSocket,
        }),
      );
      res.on('error', (e) => resolve({ error: e.message, reused: req.reusedSocket }));
    });
    // A socket dropped under a reused request surfaces here (EPIPE, ECONNRESET, hang up).
    req.on('error', (e) =>
      resolve({ error: `${(e as NodeJS.ErrnoException).code ?? e.message}`, reused: req.reusedSocket }),
    );
    req.on('socket', (s) => {
      if (s.listenerCount('error') === 0) s.on('error', () => {});
    });
    if (opts.body) {
      if (opts.chunked) {
        // several writes: Transfer-Encoding: chunked, no Content-Length
        const step = 256 * 1024;
        for (let i = 0; i < opts.body.length; i += step) req.write(opts.body.subarray(i, i + step));
        req.end();
      } else req.end(opts.body);
    } else req.end();
  });
}

const json = (bytes: number) =>
  Buffer.from(JSON.stringify({ name: 'x'.repeat(bytes), email: 'big@example.org' }));

describe('413 and keep-alive (issue #9)', () => {
  for (const c of [
    { name: 'a declared 200 kB body', body: json(200_000), chunked: false },
    { name: 'a declared 5 MB body', body: json(5_000_000), chunked: false },
    { name: 'a chunked 5 MB body', body: json(5_000_000), chunked: true },
    { name: 'a 5 MB body without a token', body: json(5_000_000), chunked: false, token: false },
  ]) {
    it(`answers ${c.name} with 413 problem+json, and the next request on the agent works`, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const warm = await send(agent, 'GET', '/api/v1/me');
        expect(warm.status).toBe(200);
        for (let round = 0; round < 3; round++) {
          const big = await send(agent, 'POST', '/api/v1/members', {
            body: c.body,
            chunked: c.chunked,
            ...(c.token === false ? { token: false } : {}),
          });
          expect(big.error, JSON.stringify(big)).toBeUndefined();
          expect(big.status).toBe(413);
          expect(big.type).toBe('application/problem+json');
          expect(JSON.parse(big.body ?? '{}').detail).toMatch(/65536 bytes/);
          const next = await send(agent, 'GET', '/api/v1/me');
          expect(next.error, JSON.stringify(next)).toBeUndefined();
          expect(next.status).toBe(200);
          // Reusing the socket is fine only if the server did not announce it would close it.
          if (big.connection === 'close') expect(next.reused).toBe(false);
        }
      } finally {
        agent.destroy();
      }
    }, 60_000);
  }

  it("closes cleanly after the dashboard's form limit too", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await send(agent, 'GET', '/api/v1/me')).status).toBe(200);
      for (let round = 0; round < 3; round++) {
        const big = await send(agent, 'POST', '/sign-in', {
          body: Buffer.from(`email=a%40b.org&password=${'x'.repeat(5_000_000)}`),
          token: false,
        });
        expect(big.error, JSON.stringify(big)).toBeUndefined();
        expect(big.status).toBe(413);
        expect(big.connection).toBe('close');
        const next = await send(agent, 'GET', '/api/v1/me');
        expect(next.error, JSON.stringify(next)).toBeUndefined();
        expect(next.status).toBe(200);
        expect(next.reused).toBe(false);
      }
    } finally {
      agent.destroy();
    }
  }, 60_000);

  it('creates nothing from an oversized body', async () => {
    const before = (await sys.api('GET', '/members?q=big@example.org')).body.total;
    expect(before).toBe(0);
  });
});
