/**
 * Issue #12 (item 10): with port 1883 (here: any port) already taken, `npm start` stops with one
 * line naming the port and what to do, before it opens the database — checked by the order of
 * its output (no "database ready" line), not by a timing.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnMain } from '../support/spawn-server.ts';

let busy: Server;
let busyPort: number;
const dataDir = mkdtempSync(join(tmpdir(), 'sesame-port-clash-'));

beforeAll(async () => {
  busy = createServer();
  busy.listen({ port: 0, host: '127.0.0.1' });
  await once(busy, 'listening');
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((r) => busy.close(r));
  rmSync(dataDir, { recursive: true, force: true });
});

async function run(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawnMain({ DATA_DIR: dataDir, ...env });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

describe('a taken port at start (issue #12)', () => {
  it('MQTT_PORT taken: one line naming the port, MQTT_PORT and MQTT_URL; the database was never opened', async () => {
    const { code, out, err } = await run({ MQTT_PORT: String(busyPort) });
    expect(code).toBe(1);
    const lines = err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`MQTT port ${busyPort} is already in use`);
    expect(lines[0]).toContain('MQTT_PORT');
    expect(lines[0]).toContain('MQTT_URL');
    expect(out).not.toContain('database ready');
  }, 120_000);

  it('PORT taken: one line naming the HTTP port and PORT', async () => {
    const { code, out, err } = await run({ PORT: String(busyPort) });
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain(`HTTP port ${busyPort} is already in use`);
    expect(err).toContain('set PORT');
    expect(out).not.toContain('database ready');
  }, 120_000);
});
