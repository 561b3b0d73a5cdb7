/**
 * Wall-clock steps (NTP after an offline boot) are neither billed nor lost (issue #10): running
 * seconds, offline deadlines and the allow-list's validity are counted on the monotonic clock;
 * the wall clock only stamps `at`. A FakeClock moves the two apart. Real Aedes broker on port 0.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endEventSchema, runtimeEventSchema } from '../core/mqtt-contract.ts';
import { FakeClock } from './clock.ts';
import { OfflineList } from './offline-list.ts';
import { type SimulatedController, startSimulatedController } from './simulate.ts';
import {
  connectServer,
  makeKeys,
  signedList,
  startTestBroker,
  type TestBroker,
  waitFor,
} from './test-helpers.ts';

const M = 'laser-1';
const T = (kind: string) => `fablab/v1/machines/${M}/${kind}`;
const UID = '04A3B2C1';
const HOUR = 3600_000;
const keys = makeKeys();

let broker: TestBroker;
let server: MqttClient;
let clock: FakeClock;
/** the fake server answers badges while true; false plays an unreachable server */
let answering: boolean;
const sims: SimulatedController[] = [];

beforeEach(async () => {
  broker = await startTestBroker();
  server = await connectServer(broker.url);
  await server.subscribeAsync(T('badge'), { qos: 1 });
  answering = true;
  server.on('message', (topic, payload) => {
    if (topic !== T('badge') || !answering) return;
    const { requestId } = JSON.parse(payload.toString()) as { requestId: string };
    const d = { requestId, granted: true, reason: 'granted', sessionId: 's-1', maxSeconds: 3600 };
    server.publish(T('decision'), JSON.stringify(d), { qos: 1 });
  });
  clock = new FakeClock(Date.parse('2026-06-01T10:00:00Z'));
});

afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
  await server.endAsync(true);
  await broker.stop();
});

async function start(allowListPublicKey?: string): Promise<SimulatedController> {
  const sim = await startSimulatedController({
    mqttUrl: broker.url,
    deviceId: 'dev-1',
    secret: 'secret-1',
    machineId: M,
    heartbeatSeconds: 0.05,
    decisionTimeoutMs: 300,
    reconnectPeriodMs: 100,
    tickMs: 20,
    clock,
    ...(allowListPublicKey ? { allowListPublicKey } : {}),
  });
  sims.push(sim);
  await waitFor(() => sim.controller.connected, 10_000);
  return sim;
}

const published = (kind: string) => broker.published.filter((p) => p.topic === T(kind)).map((p) => p.payload);
const ends = () => published('end').map((p) => endEventSchema.parse(p));
const runtimes = () => published('runtime').map((p) => runtimeEventSchema.parse(p));

describe('monotonic durations, wall-clock stamps', () => {
  it('an NTP step forward is not billed, a step backward loses nothing; `at` follows the wall clock', async () => {
    const sim = await start();
    await sim.badgeAndWait(UID);
    clock.advance(30_000); // ran 30 s
    clock.stepWall(+2 * HOUR); // NTP: +2 h
    clock.advance(30_000); // ran 30 s more
    await waitFor(() => runtimes().some((r) => r.runningSeconds === 60));
    clock.stepWall(-3 * HOUR); // NTP: −3 h
    clock.advance(15_000);
    const ended = await sim.badgeAndWait(UID);
    expect(ended).toMatchObject({ type: 'session_end', reason: 'badge_out', runningSeconds: 75 });
    await waitFor(() => ends().length === 1);
    expect(ends()[0]).toMatchObject({
      runningSeconds: 75,
      unlockedSeconds: 75,
      at: new Date(clock.wall).toISOString(),
    });
  });

  it('an offline session is not cut by a step forward; its maxOfflineSessionSeconds is monotonic', async () => {
    const list = signedList(
      keys.privateKey,
      {
        machineId: M,
        maxOfflineSessionSeconds: 600,
        issuedAt: new Date(clock.wall).toISOString(),
        validUntil: new Date(clock.wall + HOUR).toISOString(),
      },
      [{ uid: UID, name: 'Camille', creditCents: null, until: new Date(clock.wall + HOUR).toISOString() }],
    );
    await server.publishAsync(T('allowlist'), JSON.stringify(list), { qos: 1, retain: true });
    const sim = await start(keys.publicKeyPem);
    await waitFor(() => sim.events.some((e) => e.type === 'allowlist' && e.accepted));
    answering = false;
    clock.stepWall(+3 * HOUR); // past validUntil by the wall clock: the list still counts
    const opened = await sim.badgeAndWait(UID);
    expect(opened).toMatchObject({ type: 'session_open', offline: true });
    clock.advance(60_000);
    clock.stepWall(+1 * HOUR); // a wall-clock deadline would end it here
    const mark = runtimes().length;
    // Barrier: later heartbeats of the same session, the relay still on.
    await waitFor(
      () =>
        runtimes()
          .slice(mark)
          .filter((r) => r.runningSeconds === 60).length >= 3,
    );
    expect(sim.relay()).toBe('on');
    expect(sim.sessionId()).toMatch(/^off-/);
    clock.advance(540_000); // 600 s of monotonic time
    await waitFor(() => ends().length === 1);
    expect(ends()[0]).toMatchObject({
      reason: 'timeout',
      runningSeconds: 600,
      badge: UID,
      listIssuedAt: list.body.issuedAt,
    });
    expect(sim.relay()).toBe('off');
  });

  it("the list's validity counts down monotonically: a step backward does not extend it", () => {
    const list = signedList(
      keys.privateKey,
      { machineId: M, validUntil: new Date(clock.wall + HOUR).toISOString() },
      [
        {
          uid: UID,
          name: 'Camille',
          creditCents: null,
          until: new Date(clock.wall + 2 * HOUR).toISOString(),
        },
      ],
    );
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-clock-'));
    const holder = new OfflineList({ publicKeyPem: keys.publicKeyPem, machineId: M, dataDir, clock });
    expect(holder.receive(Buffer.from(JSON.stringify(list)))).toEqual({ accepted: true, entries: 1 });
    clock.advance(HOUR - 1000);
    clock.stepWall(-5 * HOUR);
    expect(holder.decide(UID)).toMatchObject({ granted: true });
    clock.advance(1000); // an hour of real time since reception
    expect(holder.decide(UID)).toEqual({ granted: false, reason: 'list_expired' });
  });
});
