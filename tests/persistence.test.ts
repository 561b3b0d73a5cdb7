/**
 * `npm start` on the embedded database (SPEC §1): data survives a restart, also after
 * kill -9, and a bad configuration stops the process with one line naming the variable.
 * Runs the real entry point in a child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess } from './support/spawn-server.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TOKEN = 'persistence-admin-token-123';
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function start(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; mqttPort: number }> {
  return startServerProcess(env, (c) => children.push(c));
}

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

async function api(
  port: number,
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('npm start on the embedded database', () => {
  it('keeps its data across kill -9 and a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-data-'));
    const env = { DATA_DIR: dataDir, BOOTSTRAP_ADMIN_TOKEN: TOKEN };
    const first = await start(env);
    const health = await (await fetch(`http://127.0.0.1:${first.port}/healthz`)).json();
    expect(health).toEqual({ status: 'ok', db: 'ok', mqtt: 'ok', mqttPort: first.mqttPort });
    const member = await api(first.port, 'POST', '/members', { name: 'Zoé Kill', email: 'zoe@example.org' });
    expect(member.status).toBe(201);
    const topup = await api(
      first.port,
      'POST',
      `/members/${member.body.id}/topups`,
      { amountCents: 1234, method: 'cash', reference: 'k9' },
      { 'idempotency-key': 'k9' },
    );
    expect(topup.status).toBe(201);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await start(env);
    const again = await api(second.port, 'GET', `/members/${member.body.id}`);
    expect(again.body).toMatchObject({ name: 'Zoé Kill', balanceCents: 1234 });
    // The same key again after the restart: the same answer, nothing new.
    const replay = await api(
      second.port,
      'POST',
      `/members/${member.body.id}/topups`,
      { amountCents: 1234, method: 'cash', reference: 'k9' },
      { 'idempotency-key': 'k9' },
    );
    expect(replay.body.balanceCents).toBe(1234);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  }, 600_000);

  it('refuses a bad configuration value with one line naming the variable', async () => {
    const r = await run({ PORT: 'eighty' });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('PORT');
    const tz = await run({ LAB_TIMEZONE: 'Mars/Olympus' });
    expect(tz.stderr).toContain('LAB_TIMEZONE');
  }, 300_000);
});
