/**
 * Issue #6 on the board, during a session: unlockedSeconds, grace before cut, report a problem,
 * materials. Real Aedes broker on port 0, manual clock (board-harness.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { materialEventSchema, reportEventSchema } from '../core/mqtt-contract.ts';
import { grant, M, ofType, recordWrites, sleep, T, UID, useBoardHarness } from './board-harness.ts';
import type { ControllerEvent } from './controller.ts';
import { describeEvent } from './messages.ts';
import { connectServer, makeKeys, signedList, waitFor } from './test-helpers.ts';

const h = useBoardHarness();
const { startConnected, published, runtimes, ends } = h;

describe('unlockedSeconds', () => {
  it('every runtime and end carries the seconds the relay has been closed, next to the running seconds', async () => {
    const sim = await startConnected({ runningInput: { digital: 7 } });
    await sim.badgeAndWait(UID);
    await waitFor(() => runtimes().length >= 1);
    expect(runtimes()[0]).toMatchObject({ seq: 0, runningSeconds: 0, unlockedSeconds: 0 });
    sim.setRunning(true);
    h.clock += 10_000;
    sim.setRunning(false);
    h.clock += 20_000;
    await waitFor(() => runtimes().some((r) => r.unlockedSeconds === 30));
    expect(runtimes().find((r) => r.unlockedSeconds === 30)).toMatchObject({ runningSeconds: 10 });
    expect(sim.controller.unlockedSeconds()).toBe(30);
    for (const r of runtimes()) expect(r.unlockedSeconds).toBeGreaterThanOrEqual(r.runningSeconds);
    h.clock += 5_000;
    await sim.badgeAndWait(UID);
    await waitFor(() => ends().length === 1);
    expect(ends()[0]).toMatchObject({ runningSeconds: 10, unlockedSeconds: 35 });
  });

  it('offline sessions carry it too, and a session lost to a power cut is ended with the last saved value', async () => {
    const keys = makeKeys();
    h.answer = () => null;
    await h.server.publishAsync(
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
    h.clock += 25_000;
    await waitFor(() => runtimes().some((r) => r.unlockedSeconds === 25));
    expect(runtimes().find((r) => r.unlockedSeconds === 25)).toMatchObject({
      badge: UID,
      runningSeconds: 25,
    });
    await sleep(100); // a heartbeat saved 25 s
    sim.controller.abort();
    h.sims.splice(h.sims.indexOf(sim), 1);
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
    h.server.publishAsync(
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
      cutAt: new Date(h.clock + 10_000).toISOString(),
    });
    expect(sim.warning()).toBe(true);
    expect(sim.relay()).toBe('on');
    await sleep(600); // blinks at 250 ms
    expect(blinks.filter((v) => v === 1).length).toBeGreaterThanOrEqual(2);
    expect(blinks.filter((v) => v === 0).length).toBeGreaterThanOrEqual(1);

    h.clock += 6_000;
    await lock({ sessionId: 's-1', graceSeconds: 60 }); // does not extend
    await sleep(100);
    expect(ofType(sim, 'warning')).toHaveLength(1);
    expect(sim.relay()).toBe('on');
    h.clock += 4_000;
    await waitFor(() => sim.relay() === 'off');
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
    const n = blinks.length;
    await sleep(300);
    expect(blinks.length).toBe(n); // stopped blinking
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
    h.answer = grant('s-2');
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
    expect(report.at).toBe(new Date(h.clock).toISOString());
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
    await h.server.endAsync(true);
    await h.broker.stop();
    await waitFor(() => !sim.controller.connected);
    const id = sim.report('Courroie cassée');
    expect(id).not.toBeNull();
    expect(sim.controller.pendingEvents().map((e) => e.topic)).toEqual([T('report')]);
    // lost power before the broker came back
    sim.controller.abort();
    h.sims.splice(h.sims.indexOf(sim), 1);
    await h.broker.restart();
    h.server = await connectServer(h.broker.url);
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
      at: new Date(h.clock).toISOString(),
    });
    expect(sim.relay()).toBe('on');
    expect(describeEvent(ofType(sim, 'material')[0] as ControllerEvent)).toContain('25 × pla-black');
    await waitFor(() => sim.controller.pendingEvents().length === 0);
  });
});
