/**
 * Offline mode (SPEC §2): decisions from the signed allow-list, buffering while the broker is
 * away, replay in order, power cuts. Real Aedes broker on port 0 (board-harness.ts).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { endEventSchema } from '../core/mqtt-contract.ts';
import { grant, M, T, UID, useBoardHarness } from './board-harness.ts';
import { connectServer, makeKeys, signedList, waitFor } from './test-helpers.ts';

const h = useBoardHarness();
const { start, startConnected, published, runtimes, ends } = h;

describe('offline mode', () => {
  const keys = makeKeys();
  const publishList = (list: unknown) =>
    h.server.publishAsync(T('allowlist'), JSON.stringify(list), { qos: 1, retain: true });

  it('decides from the signed allow-list when the server does not answer; events carry badge and startedAt', async () => {
    h.answer = () => null; // server silent
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
    h.clock += 30_000;
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
    h.answer = () => null;
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
    h.answer = () => null;
    await publishList(
      signedList(keys.privateKey, { machineId: M }, [{ uid: UID, name: 'C', creditCents: null }]),
    );
    const sim = await startConnected();
    expect(await sim.badgeAndWait(UID)).toMatchObject({ type: 'denied', reason: 'offline:no_list' });
  });

  it('closes the server session of a grant that arrives after it decided alone', async () => {
    const pendingGrant: { send?: () => void } = {};
    h.answer = (req) => {
      pendingGrant.send = () =>
        h.server.publish(T('decision'), JSON.stringify(grant('s-late')(req)), { qos: 1 });
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
    await h.server.endAsync(true);
    await h.broker.stop();
    await waitFor(() => !sim.controller.connected);
    const before = h.broker.published.length;
    for (let i = 0; i < 4; i++) {
      h.clock += 10_000;
      await new Promise((r) => setTimeout(r, 60));
    }
    await sim.badgeAndWait(UID); // badge out while offline
    expect(sim.relay()).toBe('off');
    const pending = sim.controller.pendingEvents();
    expect(pending.length).toBeGreaterThanOrEqual(4);
    expect(pending.at(-1)?.topic).toBe(T('end'));
    expect(existsSync(path.join(dataDir, 'outbox.jsonl'))).toBe(true);

    await h.broker.restart();
    h.server = await connectServer(h.broker.url);
    await waitFor(() => sim.controller.pendingEvents().length === 0, 10_000);
    const replayed = h.broker.published
      .slice(before)
      .filter((p) => p.topic === T('runtime') || p.topic === T('end'));
    const ids = replayed.map((p) => p.payload.eventId);
    expect(ids).toEqual(expect.arrayContaining(pending.map((e) => JSON.parse(e.payload).eventId)));
    // Order kept: the reconnection's batch replays every unacknowledged event in its original
    // order (runtime seqs ascending, the end last). A message the dropped connection had in
    // flight may also be retransmitted by mqtt.js itself just before the batch: each id's LAST
    // appearance is the batch's.
    const lastSeen = [...new Set([...ids].reverse())].reverse();
    expect(lastSeen).toEqual(pending.map((e) => JSON.parse(e.payload).eventId));
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
    h.sims.splice(h.sims.indexOf(first), 1);
    await h.server.endAsync(true);
    await h.broker.stop();

    const sim = await start({ dataDir, allowListPublicKey: keys.publicKeyPem }); // no broker at all
    const opened = await sim.badgeAndWait(UID, 1000);
    expect(opened).toMatchObject({ type: 'session_open', offline: true, name: 'Camille' });
    expect(sim.relay()).toBe('on');
    h.clock += 20_000;
    await sim.badgeAndWait(UID);
    expect(
      sim.controller
        .pendingEvents()
        .map((e) => e.topic)
        .at(-1),
    ).toBe(T('end'));

    await h.broker.restart();
    h.server = await connectServer(h.broker.url);
    await waitFor(() => sim.controller.pendingEvents().length === 0, 10_000);
    expect(ends().at(-1)).toMatchObject({ badge: UID, reason: 'badge_out', runningSeconds: 20 });
    expect(published('badge')).toHaveLength(0); // no request was queued for later
  });

  it('killed without stop: a new controller on the same dataDir replays the buffer and ends the lost session', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-ctl-'));
    const sim = await startConnected({ dataDir });
    await sim.badgeAndWait(UID);
    h.clock += 15_000;
    await waitFor(() => runtimes().some((r) => r.runningSeconds === 15));
    await h.broker.stop();
    await waitFor(() => !sim.controller.connected);
    h.clock += 5_000;
    await new Promise((r) => setTimeout(r, 150)); // a few heartbeats into the buffer
    const pending = sim.controller.pendingEvents().map((e) => JSON.parse(e.payload).eventId);
    expect(pending.length).toBeGreaterThan(0);
    sim.controller.abort(); // kill -9: nothing written, nothing sent
    h.sims.splice(h.sims.indexOf(sim), 1);

    await h.broker.restart();
    h.server = await connectServer(h.broker.url);
    const before = h.broker.published.length;
    const again = await startConnected({ dataDir });
    expect(again.relay()).toBe('off'); // power back: relay stays off
    await waitFor(() => again.controller.pendingEvents().length === 0, 10_000);
    const after = h.broker.published
      .slice(before)
      .filter((p) => p.topic === T('runtime') || p.topic === T('end'));
    expect(after.map((p) => p.payload.eventId).slice(0, pending.length)).toEqual(pending);
    const last = endEventSchema.parse(after.at(-1)?.payload);
    expect(last).toMatchObject({ sessionId: 's-1', reason: 'power_loss', runningSeconds: 20 });
    expect(again.relay()).toBe('off');
  });
});
