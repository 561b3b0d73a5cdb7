/**
 * The controller against a real in-process Aedes broker (port 0) and a plain mqtt.js client
 * playing the server; the board is MockFirmata (johnny-five's own seam) and the clock is manual
 * so running seconds are exact. Heartbeats are shortened to 50 ms.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Decision } from '../core/mqtt-contract.ts';
import { endEventSchema, runtimeEventSchema, statusSchema } from '../core/mqtt-contract.ts';
import {
  type SimulatedController,
  type SimulatedControllerOptions,
  startSimulatedController,
} from './simulate.ts';
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
const OTHER = 'DEADBEEF01';

let broker: TestBroker;
let server: MqttClient;
let clock: number;
let answer: (req: { requestId: string; badge: string }) => Decision | null;
const sims: SimulatedController[] = [];

const grant =
  (sessionId: string, extra: Partial<Decision> = {}) =>
  (req: { requestId: string }) =>
    ({
      requestId: req.requestId,
      granted: true,
      reason: 'granted',
      sessionId,
      member: { name: 'Camille' },
      ...extra,
    }) as Decision;

beforeEach(async () => {
  broker = await startTestBroker();
  server = await connectServer(broker.url);
  await server.subscribeAsync(T('badge'), { qos: 1 });
  answer = grant('s-1');
  server.on('message', (topic, payload) => {
    if (topic !== T('badge')) return;
    const decision = answer(JSON.parse(payload.toString()));
    if (decision) server.publish(T('decision'), JSON.stringify(decision), { qos: 1 });
  });
  clock = Date.now();
});

afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
  await server.endAsync(true);
  await broker.stop();
});

async function start(opts: Partial<SimulatedControllerOptions> = {}): Promise<SimulatedController> {
  const sim = await startSimulatedController({
    mqttUrl: broker.url,
    deviceId: 'dev-1',
    secret: 'secret-1',
    machineId: M,
    heartbeatSeconds: 0.05,
    decisionTimeoutMs: 300,
    reconnectPeriodMs: 100,
    tickMs: 20,
    now: () => clock,
    ...opts,
  });
  sims.push(sim);
  return sim;
}

async function startConnected(opts: Partial<SimulatedControllerOptions> = {}) {
  const sim = await start(opts);
  await waitFor(() => sim.controller.connected);
  return sim;
}

const published = (kind: string) => broker.published.filter((p) => p.topic === T(kind)).map((p) => p.payload);
const runtimes = () => published('runtime').map((p) => runtimeEventSchema.parse(p));
const ends = () => published('end').map((p) => endEventSchema.parse(p));

describe('controller session flow', () => {
  it('starts with the relay off (NO: pin LOW; NC: pin HIGH) and announces itself', async () => {
    const no = await startConnected();
    expect(no.relay()).toBe('off');
    expect(no.relayPinValue()).toBe(0);
    const nc = await startConnected({ deviceId: 'dev-2', machineId: 'cnc-1', relayType: 'NC' });
    expect(nc.relay()).toBe('off');
    expect(nc.relayPinValue()).toBe(1);
    await waitFor(() => published('status').length > 0);
    expect(statusSchema.parse(published('status')[0])).toEqual({ online: true, relay: 'off' });
    expect(broker.logins).toContainEqual({ clientId: 'dev-1', username: 'dev-1', password: 'secret-1' });
  });

  it('badge -> grant -> relay on -> runtime with running seconds -> same badge -> relay off, end badge_out', async () => {
    const sim = await startConnected({ runningInput: { digital: 7 } });
    const opened = await sim.badgeAndWait(UID.toLowerCase());
    expect(opened).toMatchObject({ type: 'session_open', sessionId: 's-1', offline: false, name: 'Camille' });
    const [request] = published('badge');
    expect(request).toMatchObject({ badge: UID });
    expect(sim.relay()).toBe('on');
    expect(sim.relayPinValue()).toBe(1);
    await waitFor(() => published('status').some((s) => s.relay === 'on' && s.sessionId === 's-1'));

    sim.setRunning(true);
    clock += 65_000; // ran 65 s
    sim.setRunning(false);
    clock += 30_000; // idle 30 s: not metered
    await waitFor(() => runtimes().some((r) => r.runningSeconds === 65));
    sim.setRunning(true);
    clock += 10_000;

    const ended = await sim.badgeAndWait(UID);
    expect(ended).toMatchObject({ type: 'session_end', reason: 'badge_out', runningSeconds: 75 });
    expect(sim.relay()).toBe('off');
    expect(sim.relayPinValue()).toBe(0);
    await waitFor(() => ends().length === 1);
    expect(ends()[0]).toMatchObject({ sessionId: 's-1', reason: 'badge_out', runningSeconds: 75 });
    expect(ends()[0]).not.toHaveProperty('badge'); // online sessions carry no offline fields
    const seqs = runtimes().map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(runtimes().map((r) => r.eventId)).size).toBe(runtimes().length);
    await waitFor(() => sim.controller.pendingEvents().length === 0);
  });

  it('without a running input, the machine counts as running while the relay is on', async () => {
    const sim = await startConnected();
    await sim.badgeAndWait(UID);
    clock += 42_000;
    const ended = await sim.badgeAndWait(UID);
    expect(ended).toMatchObject({ type: 'session_end', runningSeconds: 42 });
  });

  it('a denial leaves the relay off; another badge whose answer repeats the open session changes nothing', async () => {
    const sim = await startConnected();
    answer = (req) => ({ requestId: req.requestId, granted: false, reason: 'not_certified' });
    expect(await sim.badgeAndWait(UID)).toMatchObject({ type: 'denied', reason: 'not_certified' });
    expect(sim.relayPinValue()).toBe(0);
    answer = grant('s-2');
    await sim.badgeAndWait(UID);
    // forwarded (a takeover request, lab-practices.test.ts); a grant of the same session is no switch
    expect(await sim.badgeAndWait(OTHER)).toMatchObject({ type: 'ignored_badge', why: 'busy' });
    expect(published('badge').at(-1)).toMatchObject({ badge: OTHER });
    expect(sim.sessionId()).toBe('s-2');
    expect(sim.relay()).toBe('on');
  });

  it('command lock opens the relay and ends with reason command; a lock for another session is ignored', async () => {
    const sim = await startConnected();
    await sim.badgeAndWait(UID);
    const lock = (sessionId?: string) =>
      server.publishAsync(
        T('command'),
        JSON.stringify({ commandId: crypto.randomUUID(), action: 'lock', reason: 'operator', sessionId }),
        { qos: 1 },
      );
    await lock('s-old');
    // Barrier: the next lock, for the open session, ends it at 5 s; had the first one acted, 0 s.
    clock += 5000;
    await lock('s-1');
    await waitFor(() => sim.relay() === 'off');
    expect(sim.relayPinValue()).toBe(0);
    await waitFor(() => ends().length === 1);
    expect(ends()[0]).toMatchObject({ sessionId: 's-1', reason: 'command', runningSeconds: 5 });
  });

  it('ends the session with timeout when maxSeconds of running is reached', async () => {
    const sim = await startConnected();
    answer = grant('s-max', { maxSeconds: 120 });
    await sim.badgeAndWait(UID);
    clock += 121_000;
    await waitFor(() => sim.relay() === 'off');
    await waitFor(() => ends().length === 1);
    expect(ends()[0]).toMatchObject({ sessionId: 's-max', reason: 'timeout', runningSeconds: 121 });
  });

  it('a board fault cuts the relay, ends the session (power_loss) and refuses badges', async () => {
    const sim = await startConnected();
    await sim.badgeAndWait(UID);
    sim.io.emit('error', new Error('USB unplugged'));
    expect(sim.relay()).toBe('off');
    expect(sim.relayPinValue()).toBe(0);
    await waitFor(() => ends().length === 1);
    expect(ends()[0]).toMatchObject({ reason: 'power_loss' });
    expect(await sim.badgeAndWait(UID)).toMatchObject({ type: 'ignored_badge', why: 'fault' });
    expect(sim.relay()).toBe('off');
  });
  it('an error inside the session logic cuts the relay (fail secure)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-ctl-'));
    const sim = await startConnected({ dataDir });
    await sim.badgeAndWait(UID);
    expect(sim.relay()).toBe('on');
    // The next heartbeat cannot save the session: the data folder became a file.
    rmSync(dataDir, { recursive: true });
    writeFileSync(dataDir, 'not a folder');
    await waitFor(() => sim.events.some((e) => e.type === 'fault'));
    expect(sim.relay()).toBe('off');
    expect(sim.relayPinValue()).toBe(0);
    expect(sim.sessionId()).toBeNull();
  });

  it('a badge while the broker is briefly away waits for the reconnection, within decisionTimeoutMs', async () => {
    const sim = await startConnected({ decisionTimeoutMs: 3000, reconnectPeriodMs: 300 });
    await server.endAsync(true);
    await broker.stop();
    await waitFor(() => !sim.controller.connected);
    const outcome = sim.badgeAndWait(UID);
    await broker.restart();
    server = await connectServer(broker.url);
    await server.subscribeAsync(T('badge'), { qos: 1 });
    server.on('message', (topic, payload) => {
      if (topic === T('badge')) {
        server.publish(T('decision'), JSON.stringify(grant('s-back')(JSON.parse(payload.toString()))), {
          qos: 1,
        });
      }
    });
    expect(await outcome).toMatchObject({ type: 'session_open', sessionId: 's-back', offline: false });
  });
});

describe('offline mode', () => {
  const keys = makeKeys();
  const publishList = (list: unknown) =>
    server.publishAsync(T('allowlist'), JSON.stringify(list), { qos: 1, retain: true });

  it('decides from the signed allow-list when the server does not answer; events carry badge and startedAt', async () => {
    answer = () => null; // server silent
    await publishList(
      signedList(keys.privateKey, { machineId: M }, [{ uid: UID, name: 'Camille', creditCents: 900 }]),
    );
    const sim = await startConnected({ allowListPublicKey: keys.publicKeyPem });
    await waitFor(() => sim.events.some((e) => e.type === 'allowlist' && e.accepted));
    const opened = await sim.badgeAndWait(UID);
    expect(opened).toMatchObject({
      type: 'session_open',
      offline: true,
      name: 'Camille',
      maxSeconds: (900 / 50) * 60,
    });
    if (opened.type !== 'session_open') throw new Error('unreachable');
    expect(opened.sessionId).toMatch(/^off-/);
    expect(sim.relayPinValue()).toBe(1);
    expect(published('badge')).toHaveLength(1); // it asked first
    clock += 30_000;
    await sim.badgeAndWait(UID);
    await waitFor(() => ends().length === 1);
    expect(ends()[0]).toMatchObject({
      sessionId: opened.sessionId,
      badge: UID,
      reason: 'badge_out',
      runningSeconds: 30,
    });
    expect(ends()[0]?.startedAt).toBeDefined();
    expect(runtimes()[0]).toMatchObject({ sessionId: opened.sessionId, badge: UID, seq: 0 });
  });

  it('ignores a badly signed list, and denies offline without a valid one', async () => {
    answer = () => null;
    const forged = signedList(makeKeys().privateKey, { machineId: M }, [
      { uid: UID, name: 'Mallory', creditCents: null },
    ]);
    await publishList(forged);
    const sim = await startConnected({ allowListPublicKey: keys.publicKeyPem });
    await waitFor(() => sim.events.some((e) => e.type === 'allowlist'));
    expect(sim.events).toContainEqual({ type: 'allowlist', accepted: false, reason: 'bad_signature' });
    expect(await sim.badgeAndWait(UID)).toMatchObject({ type: 'denied', reason: 'offline:no_list' });
    expect(sim.relayPinValue()).toBe(0);
  });

  it('never decides offline without a configured public key', async () => {
    answer = () => null;
    await publishList(
      signedList(keys.privateKey, { machineId: M }, [{ uid: UID, name: 'C', creditCents: null }]),
    );
    const sim = await startConnected();
    expect(await sim.badgeAndWait(UID)).toMatchObject({ type: 'denied', reason: 'offline:no_list' });
  });

  it('closes the server session of a grant that arrives after it decided alone', async () => {
    const pendingGrant: { send?: () => void } = {};
    answer = (req) => {
      pendingGrant.send = () =>
        server.publish(T('decision'), JSON.stringify(grant('s-late')(req)), { qos: 1 });
      return null;
    };
    await publishList(
      signedList(keys.privateKey, { machineId: M }, [{ uid: UID, name: 'C', creditCents: null }]),
    );
    const sim = await startConnected({ allowListPublicKey: keys.publicKeyPem });
    await waitFor(() => sim.events.some((e) => e.type === 'allowlist'));
    await sim.badgeAndWait(UID);
    expect(sim.sessionId()).toMatch(/^off-/);
    pendingGrant.send?.();
    await waitFor(() => ends().some((e) => e.sessionId === 's-late'));
    expect(ends().find((e) => e.sessionId === 's-late')).toMatchObject({
      reason: 'takeover',
      runningSeconds: 0,
    });
    expect(sim.sessionId()).toMatch(/^off-/); // the offline session goes on
  });

  it('broker down mid-session: events are buffered; back up: replayed in order', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-ctl-'));
    const sim = await startConnected({ dataDir, allowListPublicKey: keys.publicKeyPem });
    await sim.badgeAndWait(UID);
    await waitFor(() => runtimes().length >= 1);
    await server.endAsync(true);
    await broker.stop();
    await waitFor(() => !sim.controller.connected);
    const before = broker.published.length;
    for (let i = 0; i < 4; i++) {
      const buffered = sim.controller.pendingEvents().length;
      clock += 10_000;
      await waitFor(() => sim.controller.pendingEvents().length > buffered); // a heartbeat buffered
    }
    await sim.badgeAndWait(UID); // badge out while offline
    expect(sim.relay()).toBe('off');
    const pending = sim.controller.pendingEvents();
    expect(pending.length).toBeGreaterThanOrEqual(4);
    expect(pending.at(-1)?.topic).toBe(T('end'));
    expect(existsSync(path.join(dataDir, 'outbox.jsonl'))).toBe(true);

    await broker.restart();
    server = await connectServer(broker.url);
    await waitFor(() => sim.controller.pendingEvents().length === 0, 10_000);
    const replayed = broker.published
      .slice(before)
      .filter((p) => p.topic === T('runtime') || p.topic === T('end'));
    const ids = replayed.map((p) => p.payload.eventId);
    expect(ids).toEqual(expect.arrayContaining(pending.map((e) => JSON.parse(e.payload).eventId)));
    // Order kept: runtime seqs ascending, the end last
    const firstSeen = [...new Set(ids)];
    expect(firstSeen).toEqual(
      pending.map((e) => JSON.parse(e.payload).eventId).filter((id) => firstSeen.includes(id)),
    );
    expect(replayed.at(-1)?.topic).toBe(T('end'));
  });

  it('broker unreachable at badge time: decides after decisionTimeoutMs from the list kept on disk', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-ctl-'));
    await publishList(
      signedList(keys.privateKey, { machineId: M }, [{ uid: UID, name: 'Camille', creditCents: null }]),
    );
    const first = await startConnected({ dataDir, allowListPublicKey: keys.publicKeyPem });
    await waitFor(() => first.events.some((e) => e.type === 'allowlist' && e.accepted));
    await first.stop();
    sims.splice(sims.indexOf(first), 1);
    await server.endAsync(true);
    await broker.stop();

    const sim = await start({ dataDir, allowListPublicKey: keys.publicKeyPem }); // no broker at all
    const opened = await sim.badgeAndWait(UID, 1000);
    expect(opened).toMatchObject({ type: 'session_open', offline: true, name: 'Camille' });
    expect(sim.relay()).toBe('on');
    clock += 20_000;
    await sim.badgeAndWait(UID);
    expect(
      sim.controller
        .pendingEvents()
        .map((e) => e.topic)
        .at(-1),
    ).toBe(T('end'));

    await broker.restart();
    server = await connectServer(broker.url);
    await waitFor(() => sim.controller.pendingEvents().length === 0, 10_000);
    expect(ends().at(-1)).toMatchObject({ badge: UID, reason: 'badge_out', runningSeconds: 20 });
    expect(published('badge')).toHaveLength(0); // no request was queued for later
  });

  it('killed without stop: a new controller on the same dataDir replays the buffer and ends the lost session', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-ctl-'));
    const sim = await startConnected({ dataDir });
    await sim.badgeAndWait(UID);
    clock += 15_000;
    await waitFor(() => runtimes().some((r) => r.runningSeconds === 15));
    await broker.stop();
    await waitFor(() => !sim.controller.connected);
    clock += 5_000;
    await waitFor(() => sim.controller.pendingEvents().length > 0); // heartbeats into the buffer
    const pending = sim.controller.pendingEvents().map((e) => JSON.parse(e.payload).eventId);
    expect(pending.length).toBeGreaterThan(0);
    sim.controller.abort(); // kill -9: nothing written, nothing sent
    sims.splice(sims.indexOf(sim), 1);

    await broker.restart();
    server = await connectServer(broker.url);
    const before = broker.published.length;
    const again = await startConnected({ dataDir });
    expect(again.relay()).toBe('off'); // power back: relay stays off
    await waitFor(() => again.controller.pendingEvents().length === 0, 10_000);
    const after = broker.published
      .slice(before)
      .filter((p) => p.topic === T('runtime') || p.topic === T('end'));
    expect(after.map((p) => p.payload.eventId).slice(0, pending.length)).toEqual(pending);
    const last = endEventSchema.parse(after.at(-1)?.payload);
    expect(last).toMatchObject({ sessionId: 's-1', reason: 'power_loss', runningSeconds: 20 });
    expect(again.relay()).toBe('off');
  });
});
