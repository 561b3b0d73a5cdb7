/**
 * Issue #6 on the board (docs/mqtt.md "Lab practices"): badge modes, decision display, takeover,
 * unlockedSeconds, grace before cut, report a problem, materials. A real in-process Aedes broker
 * (port 0), a plain mqtt.js client playing the server, MockFirmata, a manual clock.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  badgeRequestSchema,
  type Decision,
  endEventSchema,
  materialEventSchema,
  reportEventSchema,
  runtimeEventSchema,
} from '../core/mqtt-contract.ts';
import type { ControllerEvent } from './controller.ts';
import { describeEvent } from './messages.ts';
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
const THIRD = 'CAFE0123';

let broker: TestBroker;
let server: MqttClient;
let clock: number;
let answer: (req: { requestId: string; badge: string; mode?: string }) => Decision | null;
const sims: SimulatedController[] = [];

const grant =
  (sessionId: string, extra: Partial<Decision> = {}) =>
  (req: { requestId: string }): Decision => ({
    requestId: req.requestId,
    granted: true,
    reason: 'granted',
    sessionId,
    member: { name: 'Camille' },
    ...extra,
  });
const refuse =
  (reason: Decision['reason'], extra: Partial<Decision> = {}) =>
  (req: { requestId: string }): Decision => ({ requestId: req.requestId, granted: false, reason, ...extra });

function listen(client: MqttClient) {
  client.on('message', (topic, payload) => {
    if (topic !== T('badge')) return;
    const decision = answer(JSON.parse(payload.toString()));
    if (decision) client.publish(T('decision'), JSON.stringify(decision), { qos: 1 });
  });
}

beforeEach(async () => {
  broker = await startTestBroker();
  server = await connectServer(broker.url);
  await server.subscribeAsync(T('badge'), { qos: 1 });
  answer = grant('s-1');
  listen(server);
  clock = Date.now();
});

afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
  await server.endAsync(true);
  await broker.stop();
});

async function startConnected(opts: Partial<SimulatedControllerOptions> = {}): Promise<SimulatedController> {
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
  await waitFor(() => sim.controller.connected);
  return sim;
}

const published = (kind: string) => broker.published.filter((p) => p.topic === T(kind)).map((p) => p.payload);
const requests = () => published('badge').map((p) => badgeRequestSchema.parse(p));
const runtimes = () => published('runtime').map((p) => runtimeEventSchema.parse(p));
const ends = () => published('end').map((p) => endEventSchema.parse(p));
const ofType = <K extends ControllerEvent['type']>(sim: SimulatedController, type: K) =>
  sim.events.filter((e): e is Extract<ControllerEvent, { type: K }> => e.type === type);

/** Every level the board wrote on a pin, in order. */
function recordWrites(sim: SimulatedController, pin: number): number[] {
  const writes: number[] = [];
  const io = sim.io as unknown as { digitalWrite: (p: number, v: number) => void };
  const original = io.digitalWrite.bind(io);
  io.digitalWrite = (p, v) => {
    if (p === pin) writes.push(v);
    original(p, v);
  };
  return writes;
}

describe('badge modes', () => {
  it('the mode button arms certify for the next badge only; the request carries mode only when not use', async () => {
    const sim = await startConnected({ modeButton: { pin: 2 } });
    answer = refuse('awaiting_member', { message: 'Badgez le membre à certifier' });
    expect(sim.pressModeButton()).toBe('certify');
    expect(sim.mode()).toBe('certify');
    const first = await sim.badgeAndWait(UID);
    expect(first).toMatchObject({
      type: 'denied',
      reason: 'awaiting_member',
      message: 'Badgez le membre à certifier',
    });
    expect(sim.mode()).toBe('use'); // one badge used it
    answer = refuse('certified', { message: 'Camille est certifiée' });
    expect(await sim.badgeAndWait(OTHER)).toMatchObject({ type: 'denied', reason: 'certified' });
    expect(requests()).toEqual([
      expect.objectContaining({ badge: UID, mode: 'certify' }),
      expect.not.objectContaining({ mode: expect.anything() }),
    ]);
    expect(published('badge')[1]).not.toHaveProperty('mode');
    expect(ofType(sim, 'display').map((d) => [d.uid, d.reason, d.message])).toEqual([
      [UID, 'awaiting_member', 'Badgez le membre à certifier'],
      [OTHER, 'certified', 'Camille est certifiée'],
    ]);
    expect(sim.relay()).toBe('off');
  });

  it('the button cycles use -> certify -> enrol -> use; an armed mode falls back to use after modeResetMs', async () => {
    const sim = await startConnected({ modeButton: { pin: 2, activeLow: true }, modeResetMs: 150 });
    expect([sim.pressModeButton(), sim.pressModeButton(), sim.pressModeButton()]).toEqual([
      'certify',
      'enrol',
      'use',
    ]);
    sim.pressModeButton();
    expect(sim.mode()).toBe('certify');
    await waitFor(() => sim.mode() === 'use');
    expect(ofType(sim, 'mode').at(-1)).toEqual({ type: 'mode', mode: 'use', why: 'timeout' });
    answer = grant('s-1');
    await sim.badgeAndWait(UID);
    expect(requests()[0]).not.toHaveProperty('mode');
  });

  it('a button held down at boot is not a press: only a released -> pressed edge counts', async () => {
    const sim = await startConnected({ modeButton: { pin: 2 }, reportButton: { pin: 3 } });
    sim.io.setDigitalInput(2, 1); // first reading: pressed (stuck, or wired so)
    sim.io.setDigitalInput(3, 1);
    expect(sim.mode()).toBe('use');
    sim.io.setDigitalInput(2, 0);
    sim.io.setDigitalInput(2, 1);
    expect(sim.mode()).toBe('certify');
    // Barrier: a real press of the report button is published; the one held at boot was not.
    sim.io.setDigitalInput(3, 0);
    sim.io.setDigitalInput(3, 1);
    await waitFor(() => published('report').length >= 1);
    expect(published('report')).toHaveLength(1);
  });

  it('keyboard modes: badge(uid, mode) overrides the armed mode; enrol flow messages', async () => {
    const sim = await startConnected();
    answer = (req) =>
      req.mode === 'enrol'
        ? refuse('enrolment_ready', { message: 'Présentez le nouveau badge' })(req)
        : refuse('badge_presented', { message: 'Badge transmis au tableau de bord' })(req);
    expect(await sim.badgeAndWait(UID, { mode: 'enrol' })).toMatchObject({ reason: 'enrolment_ready' });
    expect(await sim.badgeAndWait(THIRD)).toMatchObject({ reason: 'badge_presented' });
    expect(requests().map((r) => r.mode)).toEqual(['enrol', undefined]);
    const lines = sim.events.map(describeEvent).filter(Boolean);
    expect(lines).toContainEqual(expect.stringContaining('Présentez le nouveau badge'));
    expect(lines).toContainEqual(expect.stringContaining(`Badge ${THIRD} transmis`));
  });

  it('a certify badge that gets no answer is not decided offline', async () => {
    answer = () => null;
    const keys = makeKeys();
    await server.publishAsync(
      T('allowlist'),
      JSON.stringify(
        signedList(keys.privateKey, { machineId: M }, [{ uid: UID, name: 'C', creditCents: null }]),
      ),
      { qos: 1, retain: true },
    );
    const sim = await startConnected({ allowListPublicKey: keys.publicKeyPem });
    await waitFor(() => sim.events.some((e) => e.type === 'allowlist' && e.accepted));
    expect(await sim.badgeAndWait(UID, { mode: 'certify' })).toMatchObject({
      type: 'denied',
      reason: 'offline:server_unreachable',
      offline: true,
    });
    expect(sim.relay()).toBe('off');
  });
});

describe('decision display', () => {
  it('check_required shows what to check and asks to badge again; the confirmation opens the session', async () => {
    const sim = await startConnected();
    answer = refuse('check_required', {
      message: 'Vérifiez la machine',
      check: 'Lentille propre, plateau vide',
    });
    const first = await sim.badgeAndWait(UID);
    expect(first).toMatchObject({
      type: 'denied',
      reason: 'check_required',
      check: 'Lentille propre, plateau vide',
    });
    const display = ofType(sim, 'display')[0];
    expect(display).toEqual({
      type: 'display',
      uid: UID,
      granted: false,
      reason: 'check_required',
      message: 'Vérifiez la machine',
      check: 'Lentille propre, plateau vide',
    });
    const line = describeEvent(display as ControllerEvent);
    expect(line).toContain('Lentille propre, plateau vide');
    expect(line).toContain('badgez à nouveau pour confirmer / badge again to confirm');
    expect(line).toContain('Vérifiez la machine');
    answer = grant('s-1');
    expect(await sim.badgeAndWait(UID)).toMatchObject({ type: 'session_open', sessionId: 's-1' });
  });

  it('says every flow reason in both languages, with the server message', () => {
    const show = (reason: Decision['reason'], granted = false, message?: string) =>
      describeEvent({ type: 'display', uid: UID, granted, reason, ...(message ? { message } : {}) });
    expect(show('awaiting_member')).toMatch(/Formateur reconnu.*\/ Trainer recognised/);
    expect(show('certified', false, 'Camille certifiée')).toMatch(
      /Certification enregistrée.*« Camille certifiée »/,
    );
    expect(show('enrolment_ready')).toMatch(/Inscription.*\/ Enrolment/);
    expect(show('badge_presented')).toMatch(/transmis.*\/ Badge sent/);
    expect(show('supervisor_required')).toMatch(/Encadrant requis.*\/ Supervisor required/);
    expect(show('machine_busy')).toBe('Machine occupée / Machine busy');
    expect(show('not_certified', false, 'Formation requise')).toBe(
      'Accès refusé / Access denied (not_certified) — « Formation requise »',
    );
    expect(show('granted', true)).toBeNull(); // session_open says it
    expect(show('granted', true, 'Bonne découpe')).toContain('« Bonne découpe »');
    // offline denials have no display event: the denied line says it
    expect(describeEvent({ type: 'denied', uid: UID, reason: 'offline:no_list', offline: true })).toContain(
      'offline:no_list',
    );
    expect(describeEvent({ type: 'denied', uid: UID, reason: 'not_certified', offline: false })).toBeNull();
  });

  it('supervisor_required then a staff badge: the grant carries the member session', async () => {
    const sim = await startConnected();
    answer = refuse('supervisor_required', { message: 'Un encadrant doit badger' });
    expect(await sim.badgeAndWait(UID)).toMatchObject({ reason: 'supervisor_required' });
    answer = grant('s-sup', { member: { name: 'Camille' } });
    expect(await sim.badgeAndWait(OTHER)).toMatchObject({
      type: 'session_open',
      sessionId: 's-sup',
      name: 'Camille',
    });
  });
});

describe('takeover', () => {
  it('another badge during a session is asked; a denial keeps the session and shows the message', async () => {
    const sim = await startConnected();
    await sim.badgeAndWait(UID);
    answer = refuse('machine_busy', { message: 'Machine utilisée par Camille' });
    expect(await sim.badgeAndWait(OTHER)).toMatchObject({
      type: 'denied',
      reason: 'machine_busy',
      message: 'Machine utilisée par Camille',
    });
    expect(requests().at(-1)).toMatchObject({ badge: OTHER });
    expect(ofType(sim, 'request').at(-1)).toMatchObject({ uid: OTHER, takeover: true, mode: 'use' });
    expect(sim.sessionId()).toBe('s-1');
    expect(sim.relay()).toBe('on');
    expect(ends()).toHaveLength(0);
    // the holder's badge still ends it
    expect(await sim.badgeAndWait(UID)).toMatchObject({ type: 'session_end', reason: 'badge_out' });
  });

  it('a grant with a new session ends the old one (takeover, its seconds) and switches without opening the relay', async () => {
    const sim = await startConnected({ runningInput: { digital: 7 } });
    await sim.badgeAndWait(UID);
    const writes = recordWrites(sim, 13);
    const from = sim.events.length;
    sim.setRunning(true);
    clock += 40_000;
    sim.setRunning(false);
    clock += 70_000; // idle 70 s: the server lets the next member take over
    answer = grant('s-2', { member: { name: 'Dominique' }, maxSeconds: 600 });
    const outcome = await sim.badgeAndWait(OTHER);
    expect(outcome).toMatchObject({ type: 'session_open', sessionId: 's-2', uid: OTHER, name: 'Dominique' });
    expect(sim.sessionId()).toBe('s-2');
    expect(sim.relay()).toBe('on');
    expect(writes).not.toContain(0); // the relay pin never went LOW
    expect(sim.events.slice(from).filter((e) => e.type === 'relay')).toEqual([]);
    const oldEnd = sim.events.find((e) => e.type === 'session_end');
    expect(oldEnd).toEqual({
      type: 'session_end',
      sessionId: 's-1',
      reason: 'takeover',
      runningSeconds: 40,
      unlockedSeconds: 110,
    });
    await waitFor(() => ends().length === 1 && runtimes().some((r) => r.sessionId === 's-2'));
    expect(ends()[0]).toMatchObject({
      sessionId: 's-1',
      reason: 'takeover',
      runningSeconds: 40,
      unlockedSeconds: 110,
    });
    // the old session's end goes out before the new session's first runtime
    const order = broker.published
      .filter((p) => p.topic === T('end') || p.topic === T('runtime'))
      .map((p) => `${p.topic.split('/').at(-1)}:${p.payload.sessionId}`);
    expect(order.indexOf('end:s-1')).toBeLessThan(order.indexOf('runtime:s-2'));
    await waitFor(() => published('status').some((s) => s.sessionId === 's-2' && s.relay === 'on'));
    // the new holder badges out; the old one is a stranger now
    clock += 5_000;
    answer = refuse('machine_busy');
    expect(await sim.badgeAndWait(UID)).toMatchObject({ type: 'denied', reason: 'machine_busy' });
    expect(await sim.badgeAndWait(OTHER)).toMatchObject({
      type: 'session_end',
      sessionId: 's-2',
      reason: 'badge_out',
    });
    expect(writes.at(-1)).toBe(0);
  });

  it('while the takeover request is pending, further badges are ignored; no answer keeps the session', async () => {
    const sim = await startConnected({ decisionTimeoutMs: 400 });
    await sim.badgeAndWait(UID);
    answer = () => null; // the server is silent
    sim.badge(OTHER);
    sim.badge(THIRD);
    sim.badge(UID); // the holder too: one request at a time
    expect(ofType(sim, 'ignored_badge')).toEqual([
      { type: 'ignored_badge', uid: THIRD, why: 'pending' },
      { type: 'ignored_badge', uid: UID, why: 'pending' },
    ]);
    await waitFor(() => ofType(sim, 'denied').length === 1);
    expect(ofType(sim, 'denied')[0]).toMatchObject({
      uid: OTHER,
      reason: 'offline:machine_busy',
      offline: true,
    });
    expect(requests().map((r) => r.badge)).toEqual([UID, OTHER]);
    expect(sim.sessionId()).toBe('s-1');
    expect(sim.relay()).toBe('on');
  });
});

describe('unlockedSeconds', () => {
  it('every runtime and end carries the seconds the relay has been closed, next to the running seconds', async () => {
    const sim = await startConnected({ runningInput: { digital: 7 } });
    await sim.badgeAndWait(UID);
    await waitFor(() => runtimes().length >= 1);
    expect(runtimes()[0]).toMatchObject({ seq: 0, runningSeconds: 0, unlockedSeconds: 0 });
    sim.setRunning(true);
    clock += 10_000;
    sim.setRunning(false);
    clock += 20_000;
    await waitFor(() => runtimes().some((r) => r.unlockedSeconds === 30));
    expect(runtimes().find((r) => r.unlockedSeconds === 30)).toMatchObject({ runningSeconds: 10 });
    expect(sim.controller.unlockedSeconds()).toBe(30);
    for (const r of runtimes()) expect(r.unlockedSeconds).toBeGreaterThanOrEqual(r.runningSeconds);
    clock += 5_000;
    await sim.badgeAndWait(UID);
    await waitFor(() => ends().length === 1);
    expect(ends()[0]).toMatchObject({ runningSeconds: 10, unlockedSeconds: 35 });
  });

  it('offline sessions carry it too, and a session lost to a power cut is ended with the last saved value', async () => {
    const keys = makeKeys();
    answer = () => null;
    await server.publishAsync(
      T('allowlist'),
      JSON.stringify(
        signedList(keys.privateKey, { machineId: M }, [{ uid: UID, name: 'C', creditCents: null }]),
      ),
      { qos: 1, retain: true },
    );
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-ctl-'));
    const sim = await startConnected({ dataDir, allowListPublicKey: keys.publicKeyPem });
    await waitFor(() => sim.events.some((e) => e.type === 'allowlist' && e.accepted));
    const opened = await sim.badgeAndWait(UID);
    expect(opened).toMatchObject({ type: 'session_open', offline: true });
    clock += 25_000;
    await waitFor(() => runtimes().some((r) => r.unlockedSeconds === 25));
    expect(runtimes().find((r) => r.unlockedSeconds === 25)).toMatchObject({
      badge: UID,
      runningSeconds: 25,
    });
    const seen = runtimes().length;
    await waitFor(() => runtimes().length > seen); // the next heartbeat: 25 s saved before it
    sim.controller.abort();
    sims.splice(sims.indexOf(sim), 1);
    const again = await startConnected({ dataDir, allowListPublicKey: keys.publicKeyPem });
    await waitFor(() => again.controller.pendingEvents().length === 0 && ends().length === 1);
    expect(ends()[0]).toMatchObject({
      reason: 'power_loss',
      badge: UID,
      runningSeconds: 25,
      unlockedSeconds: 25,
    });
  });
});

describe('grace before cut', () => {
  const lock = (extra: Record<string, unknown>) =>
    server.publishAsync(
      T('command'),
      JSON.stringify({
        commandId: crypto.randomUUID(),
        action: 'lock',
        reason: 'credit_exhausted',
        ...extra,
      }),
      { qos: 1 },
    );

  it('warns, blinks the warning output, and opens the relay when the grace is over; a second lock does not extend it', async () => {
    const sim = await startConnected({ warningOutput: { pin: 5 } });
    const blinks = recordWrites(sim, 5);
    await sim.badgeAndWait(UID);
    expect(sim.warningPinValue()).toBe(0);
    await lock({ sessionId: 's-1', graceSeconds: 10 });
    await waitFor(() => ofType(sim, 'warning').length === 1);
    expect(ofType(sim, 'warning')[0]).toMatchObject({
      sessionId: 's-1',
      graceSeconds: 10,
      reason: 'credit_exhausted',
      cutAt: new Date(clock + 10_000).toISOString(),
    });
    expect(sim.warning()).toBe(true);
    expect(sim.relay()).toBe('on');
    // blinks at 250 ms
    await waitFor(() => blinks.filter((v) => v === 1).length >= 2 && blinks.includes(0), 20_000);

    clock += 6_000;
    await lock({ sessionId: 's-1', graceSeconds: 60 }); // does not extend
    // Barrier: the cut at 10 s (not 66 s) below, and still one warning.
    clock += 4_000;
    await waitFor(() => sim.relay() === 'off');
    expect(ofType(sim, 'warning')).toHaveLength(1);
    expect(sim.relayPinValue()).toBe(0);
    expect(sim.warning()).toBe(false);
    expect(sim.warningPinValue()).toBe(0);
    await waitFor(() => ends().length === 1);
    expect(ends()[0]).toMatchObject({
      sessionId: 's-1',
      reason: 'command',
      runningSeconds: 10,
      unlockedSeconds: 10,
    });
    expect(sim.warning()).toBe(false); // the blink timer is cleared: stopped blinking
    expect(describeEvent(ofType(sim, 'warning')[0] as ControllerEvent)).toContain(
      'coupure dans 10 s / WARNING',
    );
  });

  it('graceSeconds 0 cuts at once; a lock without grace during a grace cuts at once', async () => {
    const sim = await startConnected();
    await sim.badgeAndWait(UID);
    await lock({ graceSeconds: 0 });
    await waitFor(() => sim.relay() === 'off');
    expect(ofType(sim, 'warning')).toHaveLength(0);
    answer = grant('s-2');
    await sim.badgeAndWait(UID);
    await lock({ sessionId: 's-2', graceSeconds: 30 });
    await waitFor(() => sim.warning());
    await lock({ sessionId: 's-2' });
    await waitFor(() => sim.relay() === 'off');
    await waitFor(() => ends().length === 2);
    expect(ends().map((e) => [e.sessionId, e.reason])).toEqual([
      ['s-1', 'command'],
      ['s-2', 'command'],
    ]);
  });

  it('badging out during the grace ends the session normally and stops the warning', async () => {
    const sim = await startConnected({ warningOutput: { pin: 5 } });
    await sim.badgeAndWait(UID);
    await lock({ graceSeconds: 20 });
    await waitFor(() => sim.warning());
    expect(await sim.badgeAndWait(UID)).toMatchObject({ type: 'session_end', reason: 'badge_out' });
    expect(sim.warning()).toBe(false);
    expect(sim.warningPinValue()).toBe(0);
  });
});

describe('report a problem', () => {
  it('the report button publishes a report; the session goes on', async () => {
    const sim = await startConnected({ reportButton: { pin: 3, activeLow: true } });
    await sim.badgeAndWait(UID);
    sim.pressReportButton();
    await waitFor(() => published('report').length === 1);
    const report = reportEventSchema.parse(published('report')[0]);
    expect(report).not.toHaveProperty('note');
    expect(report.at).toBe(new Date(clock).toISOString());
    expect(sim.relay()).toBe('on');
    expect(sim.sessionId()).toBe('s-1');
    const id = sim.report('  Lentille fissurée  ');
    await waitFor(() => published('report').length === 2);
    expect(published('report')[1]).toEqual({
      eventId: id,
      note: 'Lentille fissurée',
      at: expect.any(String),
    });
    expect(ofType(sim, 'report').map((r) => r.note)).toEqual([undefined, 'Lentille fissurée']);
    await waitFor(() => sim.controller.pendingEvents().length === 0);
  });

  it('a report made while the broker is away is buffered durably and sent on reconnection', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-ctl-'));
    const sim = await startConnected({ dataDir });
    await server.endAsync(true);
    await broker.stop();
    await waitFor(() => !sim.controller.connected);
    const id = sim.report('Courroie cassée');
    expect(id).not.toBeNull();
    expect(sim.controller.pendingEvents().map((e) => e.topic)).toEqual([T('report')]);
    // lost power before the broker came back
    sim.controller.abort();
    sims.splice(sims.indexOf(sim), 1);
    await broker.restart();
    server = await connectServer(broker.url);
    const again = await startConnected({ dataDir });
    await waitFor(() => again.controller.pendingEvents().length === 0 && published('report').length > 0);
    expect(published('report')[0]).toMatchObject({ eventId: id, note: 'Courroie cassée' });
  });
});

describe('materials', () => {
  it('records material in the open session through the outbox; refused without a session or when invalid', async () => {
    const sim = await startConnected();
    expect(sim.recordMaterial('pla-black', 25)).toBeNull();
    expect(ofType(sim, 'material_refused').at(-1)).toMatchObject({ why: 'no_session' });
    await sim.badgeAndWait(UID);
    const id = sim.recordMaterial('pla-black', 25);
    expect(id).not.toBeNull();
    expect(sim.recordMaterial('PLA Black', 3)).toBeNull();
    expect(sim.recordMaterial('pla-black', 0)).toBeNull();
    expect(sim.recordMaterial('pla-black', 1.5)).toBeNull();
    expect(ofType(sim, 'material_refused').map((e) => e.why)).toEqual([
      'no_session',
      'invalid',
      'invalid',
      'invalid',
    ]);
    await waitFor(() => published('material').length === 1);
    expect(materialEventSchema.parse(published('material')[0])).toEqual({
      eventId: id,
      sessionId: 's-1',
      materialId: 'pla-black',
      quantity: 25,
      at: new Date(clock).toISOString(),
    });
    expect(sim.relay()).toBe('on');
    expect(describeEvent(ofType(sim, 'material')[0] as ControllerEvent)).toContain('25 × pla-black');
    await waitFor(() => sim.controller.pendingEvents().length === 0);
  });
});
