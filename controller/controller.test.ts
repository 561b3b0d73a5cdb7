/**
 * The controller's session flow against a real in-process Aedes broker (port 0) and a plain
 * mqtt.js client playing the server (board-harness.ts); the board is MockFirmata (johnny-five's
 * own seam) and the clock is manual so running seconds are exact. Heartbeats are 50 ms.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { statusSchema } from '../core/mqtt-contract.ts';
import { grant, OTHER, T, UID, useBoardHarness } from './board-harness.ts';
import { connectServer, waitFor } from './test-helpers.ts';

const h = useBoardHarness();
const { startConnected, published, runtimes, ends } = h;

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
    expect(h.broker.logins).toContainEqual({ clientId: 'dev-1', username: 'dev-1', password: 'secret-1' });
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
    h.clock += 65_000; // ran 65 s
    sim.setRunning(false);
    h.clock += 30_000; // idle 30 s: not metered
    await waitFor(() => runtimes().some((r) => r.runningSeconds === 65));
    sim.setRunning(true);
    h.clock += 10_000;

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
    h.clock += 42_000;
    const ended = await sim.badgeAndWait(UID);
    expect(ended).toMatchObject({ type: 'session_end', runningSeconds: 42 });
  });

  it('a denial leaves the relay off; another badge whose answer repeats the open session changes nothing', async () => {
    const sim = await startConnected();
    h.answer = (req) => ({ requestId: req.requestId, granted: false, reason: 'not_certified' });
    expect(await sim.badgeAndWait(UID)).toMatchObject({ type: 'denied', reason: 'not_certified' });
    expect(sim.relayPinValue()).toBe(0);
    h.answer = grant('s-2');
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
      h.server.publishAsync(
        T('command'),
        JSON.stringify({ commandId: crypto.randomUUID(), action: 'lock', reason: 'operator', sessionId }),
        { qos: 1 },
      );
    await lock('s-old');
    // Barrier: the next lock, for the open session, ends it at 5 s; had the first one acted, 0 s.
    h.clock += 5000;
    await lock('s-1');
    await waitFor(() => sim.relay() === 'off');
    expect(sim.relayPinValue()).toBe(0);
    await waitFor(() => ends().length === 1);
    expect(ends()[0]).toMatchObject({ sessionId: 's-1', reason: 'command', runningSeconds: 5 });
  });

  it('ends the session with timeout when maxSeconds of running is reached', async () => {
    const sim = await startConnected();
    h.answer = grant('s-max', { maxSeconds: 120 });
    await sim.badgeAndWait(UID);
    h.clock += 121_000;
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
    await h.server.endAsync(true);
    await h.broker.stop();
    await waitFor(() => !sim.controller.connected);
    const outcome = sim.badgeAndWait(UID);
    await h.broker.restart();
    h.server = await connectServer(h.broker.url);
    await h.server.subscribeAsync(T('badge'), { qos: 1 });
    h.server.on('message', (topic, payload) => {
      if (topic === T('badge')) {
        h.server.publish(T('decision'), JSON.stringify(grant('s-back')(JSON.parse(payload.toString()))), {
          qos: 1,
        });
      }
    });
    expect(await outcome).toMatchObject({ type: 'session_open', sessionId: 's-back', offline: false });
  });
});
