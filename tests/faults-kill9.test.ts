/**
 * Issue #10: `kill -9` of the server process between the broker's PUBACK of a board's events
 * and their commit. The real entry point runs in a child process (embedded broker and
 * machine loop in one process, so both die together); the board keeps its events until the
 * server acks them, and replays them to the restarted server.
 *
 * On PostgreSQL the database is cut (TCP proxy) before the events are sent, so the server
 * holds them uncommitted when it is killed: the window is hit for sure. On PGlite the kill
 * comes right after the broker's PUBACK, whatever the server managed to do by then.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onPostgres } from './support/db.ts';
import { FaultBoard } from './support/fault-board.ts';
import { type SpawnedServer, startServerProcess } from './support/spawn-server.ts';
import { eventually } from './support/system.ts';
import { freshPostgresDatabase, TcpProxy } from './support/tcp-proxy.ts';

const TOKEN = 'kill9-admin-token-0123456';
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const f of cleanups.splice(0)) await f().catch(() => {});
}, 120_000);

type Child = SpawnedServer;

/** Starts `server/main.ts`; resolves once it listens. */
function start(env: Record<string, string>): Promise<Child> {
  return startServerProcess({ BOOTSTRAP_ADMIN_TOKEN: TOKEN, ...env }, (c) => children.push(c));
}

async function kill9(c: Child): Promise<void> {
  const exited = new Promise((r) => c.child.once('exit', r));
  c.child.kill('SIGKILL');
  await exited;
}

async function api(port: number, method: string, p: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1${p}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('kill -9 of the server between the broker PUBACK and the commit', () => {
  it('the board replays its unacked events to the restarted server: billed once, right', async () => {
    let env: Record<string, string>;
    let proxy: TcpProxy | null = null;
    if (onPostgres) {
      const fresh = await freshPostgresDatabase();
      const target = new URL(fresh.url);
      const p = await TcpProxy.start(target.hostname, Number(target.port || 5432));
      proxy = p;
      cleanups.push(async () => {
        await p.close();
        await fresh.drop();
      });
      env = { DATABASE_URL: p.rewrite(fresh.url) };
    } else {
      env = { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sesame-kill9-')) };
    }
    const first = await start(env);
    expect((await api(first.port, 'POST', '/machines', machineBody)).status).toBe(201);
    const device = (await api(first.port, 'POST', '/machines/cnc-k9/devices', {})).body;
    const member = (await api(first.port, 'POST', '/members', { name: 'Kim Neuf', email: 'k9@example.org' }))
      .body;
    const uid = '04AB9C11';
    expect((await api(first.port, 'POST', `/members/${member.id}/badges`, { uid })).status).toBe(201);
    const topup = { amountCents: 5000, method: 'cash', reference: 'k9' };
    expect((await api(first.port, 'POST', `/members/${member.id}/topups`, topup)).status).toBe(201);

    const board = new FaultBoard('fablab', 'cnc-k9', device.deviceId, device.secret);
    cleanups.push(() => board.disconnect());
    await board.connect(`mqtt://127.0.0.1:${first.mqttPort}`);
    const requestId = await board.badge(uid);
    const d = await eventually(async () => board.decisions.find((x) => x.requestId === requestId), 30_000);
    expect(d).toMatchObject({ granted: true });
    const sessionId = d.sessionId as string;
    const early = await board.send('runtime', { sessionId, seq: 1, runningSeconds: 120 });
    await eventually(async () => board.acked(early), 30_000);

    if (proxy) {
      proxy.cutOff();
      // The server holds what it receives now, uncommitted (a barrier: it said so).
    }
    // Resolved at the broker's PUBACK: the board's part is done, the server's is not.
    const runtime = await board.send('runtime', { sessionId, seq: 2, runningSeconds: 1800 });
    const end = await board.send('end', { sessionId, runningSeconds: 1800, reason: 'badge_out' });
    if (proxy) {
      await eventually(async () => {
        const res = await fetch(`http://127.0.0.1:${first.port}/healthz`);
        return ((await res.json()) as { pending?: number }).pending ?? 0;
      }, 30_000);
      expect(board.acked(runtime) || board.acked(end)).toBe(false);
    }
    await kill9(first);
    await board.disconnect();
    proxy?.restore();

    const second = await start(env);
    await board.connect(`mqtt://127.0.0.1:${second.mqttPort}`);
    await eventually(async () => board.acked(runtime) && board.acked(end), 60_000);
    const sessions = (await api(second.port, 'GET', '/sessions?machine=cnc-k9')).body.items;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      id: sessionId,
      runningSeconds: 1800,
      chargedCents: 1500,
      endReason: 'badge_out',
    });
    expect((await api(second.port, 'GET', '/machines/cnc-k9')).body.inUse).toBe(false);
    expect((await api(second.port, 'GET', `/members/${member.id}`)).body.balanceCents).toBe(3500);
    await board.disconnect();
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  }, 300_000);
});

const machineBody = {
  id: 'cnc-k9',
  name: 'CNC',
  kind: 'cnc',
  pricePerMinuteCents: 50,
  minimumChargeCents: 100,
  qualifications: [],
};
