import { describe, expect, it } from 'vitest';
import type { Decision } from '../core/mqtt-contract.ts';
import {
  grant,
  M,
  OTHER,
  ofType,
  recordWrites,
  refuse,
  T,
  THIRD,
  UID,
  useBoardHarness,
} from './board-harness.ts';
import type { ControllerEvent } from './controller.ts';
import { describeEvent } from './messages.ts';
import { makeKeys, signedList, waitFor } from './test-helpers.ts';

const h = useBoardHarness();
const { startConnected, published, requests, runtimes, ends } = h;

describe('badge modes', () => {
  it('the mode button arms certify for the next badge only; the request carries mode only when not use', async () => {
    const sim = await startConnected({ modeButton: { pin: 2 } });
    h.answer = refuse('awaiting_member', { message: 'Badgez le membre à certifier' });
    expect(sim.pressModeButton()).toBe('certify');
    expect(sim.mode()).toBe('certify');
    const first = await sim.badgeAndWait(UID);
    expect(first).toMatchObject({
      type: 'denied',
      reason: 'awaiting_member',
      message: 'Badgez le membre à certifier',
    });
    expect(sim.mode()).toBe('use'); // one badge used it
    h.answer = refuse('certified', { message: 'Camille est certifiée' });
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
    h.answer = grant('s-1');
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
    h.answer = (req) =>
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
    h.answer = () => null;
    const keys = makeKeys();
    await h.server.publishAsync(
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
    h.answer = refuse('check_required', {
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
    h.answer = grant('s-1');
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
    h.answer = refuse('supervisor_required', { message: 'Un encadrant doit badger' });
    expect(await sim.badgeAndWait(UID)).toMatchObject({ reason: 'supervisor_required' });
    h.answer = grant('s-sup', { member: { name: 'Camille' } });
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
    h.answer = refuse('machine_busy', { message: 'Machine utilisée par Camille' });
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
    h.clock += 40_000;
    sim.setRunning(false);
    h.clock += 70_000; // idle 70 s: the server lets the next member take over
    h.answer = grant('s-2', { member: { name: 'Dominique' }, maxSeconds: 600 });
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
    const order = h.broker.published
      .filter((p) => p.topic === T('end') || p.topic === T('runtime'))
      .map((p) => `${p.topic.split('/').at(-1)}:${p.payload.sessionId}`);
    expect(order.indexOf('end:s-1')).toBeLessThan(order.indexOf('runtime:s-2'));
    await waitFor(() => published('status').some((s) => s.sessionId === 's-2' && s.relay === 'on'));
    // the new holder badges out; the old one is a stranger now
    h.clock += 5_000;
    h.answer = refuse('machine_busy');
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
    h.answer = () => null; // the server is silent
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
