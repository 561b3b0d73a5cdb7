/**
 * The board program against the real server (issue #3 §5): the controller on a simulated
 * Firmata board, the embedded broker on port 0, the database; then the broker killed
 * mid-session, offline decisions, durable buffering and replay, and the exact bill.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSiteKeys } from '../application/site-keys.ts';
import { type SimulatedController, startSimulatedController } from '../controller/simulate.ts';
import { testDatabase } from './support/db.ts';
import { createMachine, createMember, createQualification } from './support/lab.ts';
import { eventually, startSystem, type TestSystem } from './support/system.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

async function system(database?: Awaited<ReturnType<typeof testDatabase>>, env: Record<string, string> = {}) {
  const sys = await startSystem({ ...(database ? { database, keepDatabase: true } : {}), env });
  return sys;
}

async function sessionById(sys: TestSystem, machineId: string, sessionId: string) {
  const res = await sys.api('GET', `/sessions?machine=${machineId}`);
  return (res.body.items as any[]).find((s) => s.id === sessionId);
}

async function controllerFor(
  sys: TestSystem,
  machineId: string,
  device: { deviceId: string; secret: string },
  dataDir?: string,
) {
  const keys = await loadSiteKeys(sys.database.db);
  const sim = await startSimulatedController({
    mqttUrl: sys.server.mqttUrl,
    deviceId: device.deviceId,
    secret: device.secret,
    machineId,
    allowListPublicKey: keys.signingPublicKeyPem,
    heartbeatSeconds: 0.2,
    decisionTimeoutMs: 5000, // late answers on a loaded machine stay online; offline waits this long
    reconnectPeriodMs: 100,
    tickMs: 50,
    ...(dataDir ? { dataDir } : {}),
  });
  await eventually(async () => sim.controller.connected, 20_000);
  return sim;
}

const lastEnd = (sim: SimulatedController) =>
  [...sim.events].reverse().find((e) => e.type === 'session_end') as { runningSeconds: number } | undefined;

// Whole-server tests: budgets sized for a loaded 2-core machine (issue #10).
describe('controller ↔ server', { timeout: 90_000 }, () => {
  it('badge → relay on → runtime debits → badge out → relay off → exact charge', async () => {
    const sys = await system();
    cleanup.push(() => sys.stop());
    await createQualification(sys, 'laser');
    const device = await createMachine(sys, 'laser-1', {
      qualifications: ['laser'],
      pricePerMinuteCents: 60,
      minimumChargeCents: 0,
    });
    const m = await createMember(sys, { creditCents: 5000, certify: ['laser'] });
    const sim = await controllerFor(sys, 'laser-1', device);
    cleanup.push(() => sim.stop());
    expect(sim.relayPinValue()).toBe(0);

    const opened = await sim.badgeAndWait(m.uid);
    expect(opened).toMatchObject({ type: 'session_open', offline: false, name: 'Camille Martin' });
    expect(sim.relayPinValue()).toBe(1);
    const sessionId = sim.sessionId()!;
    // Live debits: within a moment of the runtime events the card is debited.
    await eventually(async () => (await sessionById(sys, 'laser-1', sessionId))?.chargedCents > 0, 20_000);

    const ended = await sim.badgeAndWait(m.uid);
    expect(ended).toMatchObject({ type: 'session_end', reason: 'badge_out' });
    expect(sim.relayPinValue()).toBe(0);
    const seconds = lastEnd(sim)!.runningSeconds;
    const s = await eventually(async () => {
      const s = await sessionById(sys, 'laser-1', sessionId);
      return s?.endedAt ? s : null;
    });
    expect(s.runningSeconds).toBe(seconds);
    expect(s.chargedCents).toBe(Math.ceil(seconds / 60) * 60);
    expect((await sys.api('GET', `/members/${m.id}`)).body.balanceCents).toBe(5000 - s.chargedCents);
  });

  it('keeps going when the server dies mid-session, decides offline, buffers, replays, bills exactly', async () => {
    const database = await testDatabase();
    cleanup.push(() => database.drop());
    let sys = await system(database);
    const mqttPort = String(sys.server.mqttPort);
    await createQualification(sys, 'printer-3d');
    const device = await createMachine(sys, 'printer-1', {
      kind: 'printer-3d',
      qualifications: ['printer-3d'],
      pricePerMinuteCents: 10,
      minimumChargeCents: 0,
    });
    const a = await createMember(sys, { creditCents: 1000, certify: ['printer-3d'] });
    const b = await createMember(sys, { name: 'Yanis Benali', creditCents: 1000, certify: ['printer-3d'] });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-e2e-'));
    const sim = await controllerFor(sys, 'printer-1', device, dataDir);
    cleanup.push(() => sim.stop());
    // The signed allow-list reaches the board (retained) before the server goes away.
    await eventually(
      async () => sim.events.some((e) => e.type === 'allowlist' && e.accepted && (e.entries ?? 0) >= 2),
      5000,
    );

    const online = await sim.badgeAndWait(a.uid);
    expect(online).toMatchObject({ type: 'session_open', offline: false });
    const onlineSession = sim.sessionId()!;

    await sys.server.stop(); // the whole server: broker, machine loop, HTTP
    await eventually(async () => !sim.controller.connected, 20_000);
    // The print goes on: barrier, two heartbeats buffered offline, with the relay still on.
    const buffered = sim.controller.pendingEvents().length;
    await eventually(async () => sim.controller.pendingEvents().length >= buffered + 2, 20_000);
    expect(sim.relay()).toBe('on');
    expect((await sim.badgeAndWait(a.uid)).type).toBe('session_end');

    // Offline: the next member is let in from the allow-list.
    const offline = await sim.badgeAndWait(b.uid, 20_000);
    expect(offline).toMatchObject({ type: 'session_open', offline: true });
    const offlineSession = sim.sessionId()!;
    expect(offlineSession.startsWith('off-')).toBe(true);
    const before = sim.controller.pendingEvents().length;
    await eventually(async () => sim.controller.pendingEvents().length > before, 20_000); // a heartbeat
    await sim.badgeAndWait(b.uid);
    const offlineSeconds = lastEnd(sim)!.runningSeconds;
    expect(sim.controller.pendingEvents().length).toBeGreaterThan(0);

    // The server comes back on the same database and port: the board replays its buffer.
    sys = await system(database, { MQTT_PORT: mqttPort });
    cleanup.push(() => sys.stop());
    // Replayed: every buffered event reached the broker again. (They leave the outbox at the
    // server's `ack`, issue #10; a server that does not ack yet leaves them there, resent.)
    await eventually(
      async () => sim.controller.connected && sim.controller.pendingEvents().every((e) => e.delivered),
      10_000,
    );
    const first = await eventually(async () => {
      const s = await sessionById(sys, 'printer-1', onlineSession);
      return s?.endedAt ? s : null;
    }, 20_000);
    expect(first.endReason).toBe('badge_out');
    expect(first.chargedCents).toBe(Math.ceil(first.runningSeconds / 60) * 10);
    const second = await eventually(async () => {
      const s = await sessionById(sys, 'printer-1', offlineSession);
      return s?.endedAt ? s : null;
    }, 20_000);
    expect(second).toMatchObject({ memberId: b.id, runningSeconds: offlineSeconds, endReason: 'badge_out' });
    expect(second.chargedCents).toBe(Math.ceil(offlineSeconds / 60) * 10);
    expect((await sys.api('GET', `/members/${b.id}`)).body.balanceCents).toBe(1000 - second.chargedCents);
  });

  it('resumes after kill -9 of the board: buffered events replayed, the open session ended as power loss', async () => {
    const sys = await system();
    cleanup.push(() => sys.stop());
    const device = await createMachine(sys, 'cnc-1', {
      kind: 'cnc',
      pricePerMinuteCents: 30,
      minimumChargeCents: 50,
    });
    const m = await createMember(sys, { creditCents: 1000 });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-e2e-'));
    const first = await controllerFor(sys, 'cnc-1', device, dataDir);
    await first.badgeAndWait(m.uid);
    const sessionId = first.sessionId()!;
    await eventually(async () => (await sessionById(sys, 'cnc-1', sessionId))?.runningSeconds > 0, 20_000);
    first.controller.abort(); // like kill -9: nothing more is sent or written
    const second = await controllerFor(sys, 'cnc-1', device, dataDir);
    cleanup.push(() => second.stop());
    expect(second.relay()).toBe('off'); // never re-energised by itself
    const s = await eventually(async () => {
      const s = await sessionById(sys, 'cnc-1', sessionId);
      return s?.endedAt ? s : null;
    }, 20_000);
    expect(s.endReason).toBe('power_loss');
    expect(s.chargedCents).toBe(Math.max(50, Math.ceil(s.runningSeconds / 60) * 30));
  });
});
