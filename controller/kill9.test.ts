/**
 * The board program as a real process (`tsx controller/main.ts --simulate`), killed with
 * SIGKILL mid-session while the server has acknowledged nothing (issue #10): the outbox on disk
 * holds its events; the restarted program republishes them with the same eventIds, ends the lost
 * session (`power_loss`), and empties its outbox once the server acks. Real Aedes broker on port
 * 0; a plain mqtt.js client plays the server. Budgets sized for a loaded 2-core machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { M, T } from './board-harness.ts';
import { Outbox } from './outbox.ts';
import { ackEvents, connectServer, startTestBroker, type TestBroker, waitFor } from './test-helpers.ts';

const UID = '04A3B2C1';
let broker: TestBroker;
let server: MqttClient;
const children: ChildProcess[] = [];

beforeEach(async () => {
  broker = await startTestBroker();
  server = await connectServer(broker.url, { ack: false });
  await server.subscribeAsync(T('badge'), { qos: 1 });
  server.on('message', (topic, payload) => {
    if (topic !== T('badge')) return;
    const { requestId } = JSON.parse(payload.toString()) as { requestId: string };
    const d = { requestId, granted: true, reason: 'granted', sessionId: 's-1' };
    server.publish(T('decision'), JSON.stringify(d), { qos: 1 });
  });
});

afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await server.endAsync(true);
  await broker.stop();
});

function board(dataDir: string): ChildProcess {
  // Node itself with tsx as a loader, so the child IS the board: `.bin/tsx` is a launcher whose
  // SIGKILL would leave the real board running (an orphan, and no kill -9 at all).
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'controller/main.ts',
      '--simulate',
      '--mqtt-url',
      broker.url,
      '--device-id',
      'dev-1',
      '--secret',
      'secret-1',
      '--machine-id',
      M,
      '--data-dir',
      dataDir,
      '--heartbeat',
      '0.2',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SESAME_DECISION_TIMEOUT_MS: '5000' } },
  );
  children.push(child);
  return child;
}

const published = (kind: string) => broker.published.filter((p) => p.topic === T(kind)).map((p) => p.payload);

describe('kill -9 of the board program', () => {
  it('keeps unacknowledged events on disk and delivers them after the restart', {
    timeout: 120_000,
  }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-kill9-'));
    const first = board(dataDir);
    await waitFor(() => published('status').some((s) => s.online === true), 60_000);
    first.stdin?.write(`${UID}\n`);
    await waitFor(() => published('runtime').length >= 3, 30_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    const kept = new Outbox(dataDir).open();
    expect(kept.length).toBeGreaterThanOrEqual(3); // nothing was acknowledged by the server
    const keptIds = kept.map((e) => e.id);
    expect(published('runtime').map((p) => p.eventId)).toEqual(expect.arrayContaining(keptIds.slice(0, 3)));

    await ackEvents(server); // the server acks from now on
    const mark = broker.published.length;
    board(dataDir);
    // Replayed with the same eventIds, the lost session ended as a power loss ...
    await waitFor(() => published('end').some((e) => e.reason === 'power_loss'), 60_000);
    const replayed = broker.published.slice(mark).map((p) => p.payload.eventId);
    expect(replayed).toEqual(expect.arrayContaining(keptIds));
    // ... and the outbox empties once every event is acknowledged (compacted to nothing).
    await waitFor(() => readFileSync(path.join(dataDir, 'outbox.jsonl'), 'utf8') === '', 30_000);
  });
});
