/**
 * The session state machine, row by row: (state, input) -> (next state kind, accepted, effects).
 * Pure: no broker, no clock, no timers.
 */
import { describe, expect, it } from 'vitest';
import type { Decision } from '../core/mqtt-contract.ts';
import type { OfflineDecision } from '../core/offline.ts';
import {
  type BoardInput,
  type BoardState,
  type Effect,
  type OpenSession,
  type PendingRequest,
  transition,
} from './session-machine.ts';

const now = { at: '2026-06-01T10:00:00.000Z', mono: 1_000 };
const A = '04A3B2C1';
const B = 'DEADBEEF01';
const session = (extra: Partial<OpenSession> = {}): OpenSession => ({
  id: 's-1',
  uid: A,
  offline: false,
  startedAt: now.at,
  maxRunningSeconds: 600,
  deadlineMono: null,
  budget: null,
  cutAtMono: null,
  ...extra,
});
const req = (uid = B, requestId = 'r-1', mode: PendingRequest['mode'] = 'use'): PendingRequest => ({
  uid,
  requestId,
  mode,
  at: now.at,
});

const IDLE: BoardState = { kind: 'idle' };
const REQUESTING: BoardState = { kind: 'requesting', request: req(A) };
const CERTIFYING: BoardState = { kind: 'requesting', request: req(A, 'r-1', 'certify') };
const IN_SESSION: BoardState = { kind: 'in_session', session: session() };
const GRACE: BoardState = { kind: 'in_session', session: session({ cutAtMono: 5_000 }) };
const OFFLINE: BoardState = {
  kind: 'in_session',
  session: session({
    id: 'off-1',
    offline: true,
    maxRunningSeconds: 360,
    deadlineMono: 1_000 + 3_600_000,
    budget: {
      creditCents: 500,
      pricing: { pricePerMinuteCents: 50, minimumChargeCents: 0, sessionFeeCents: 200 },
    },
  }),
};
const TAKEOVER: BoardState = { kind: 'in_session_requesting', session: session(), request: req(B) };
const FAULTED: BoardState = { kind: 'faulted' };

const badge = (uid: string, mode: PendingRequest['mode'] = 'use'): BoardInput => ({
  type: 'badge',
  uid,
  mode,
  requestId: 'r-2',
  now,
});
const decision = (d: Partial<Decision>, late = false): BoardInput => ({
  type: 'decision',
  decision: { requestId: 'r-1', granted: false, reason: 'not_certified', ...d } as Decision,
  late,
  now,
});
const grant = (sessionId: string, late = false) =>
  decision({ granted: true, reason: 'granted', sessionId }, late);
const offlineGrant: OfflineDecision = {
  granted: true,
  name: 'Camille',
  creditCents: 500,
  maxRunningSeconds: 600,
  maxWallSeconds: 3600,
  listIssuedAt: '2026-06-01T09:00:00.000Z',
  pricing: { pricePerMinuteCents: 50, minimumChargeCents: 0 },
};
const timeout = (offline: OfflineDecision = offlineGrant, requestId = 'r-1'): BoardInput => ({
  type: 'decision_timeout',
  requestId,
  offline,
  offlineSessionId: 'off-9',
  now,
});
const lock = (graceSeconds?: number, sessionId?: string): BoardInput => ({
  type: 'command',
  command: {
    commandId: '6f1c2b8e-2f7a-4a55-9d0e-5b9f7f5c1a01',
    action: 'lock',
    reason: 'credit_exhausted',
    ...(graceSeconds !== undefined ? { graceSeconds } : {}),
    ...(sessionId !== undefined ? { sessionId } : {}),
  },
  now,
});
const tick = (runningSeconds: number, mono = now.mono, unlockedSeconds = runningSeconds): BoardInput => ({
  type: 'tick',
  now: { ...now, mono },
  runningSeconds,
  unlockedSeconds,
  running: true,
});

/** An effect's short form: its type, plus what matters most for reading the table. */
function short(e: Effect): string {
  switch (e.type) {
    case 'notify':
      return `notify:${e.event.type}`;
    case 'end_session':
      return `end:${e.reason}${e.keepRelay ? ':keep' : ''}`;
    case 'open_session':
      return `open:${e.session.offline ? 'offline' : 'online'}`;
    default:
      return e.type;
  }
}

describe('session state machine', () => {
  it.each<[string, BoardState, BoardInput, BoardState['kind'], boolean, string[]]>([
    // state, input -> next, accepted, effects
    ['idle + badge: request', IDLE, badge(A), 'requesting', true, ['notify:request', 'send_request']],
    ['idle + lock: relay off all the same', IDLE, lock(), 'idle', true, ['relay_off']],
    ['idle + decision: not ours', IDLE, grant('s-1'), 'idle', false, []],
    ['idle + timeout: nothing pending', IDLE, timeout(), 'idle', false, []],
    ['idle + tick: no session', IDLE, tick(10), 'idle', false, []],
    ['requesting + badge: ignored', REQUESTING, badge(B), 'requesting', false, ['notify:ignored_badge']],
    ['requesting + grant', REQUESTING, grant('s-1'), 'in_session', true, ['notify:display', 'open:online']],
    ['requesting + denial', REQUESTING, decision({}), 'idle', true, ['notify:display', 'notify:denied']],
    [
      'requesting + grant without sessionId: invalid',
      REQUESTING,
      decision({ granted: true, reason: 'granted' }),
      'idle',
      true,
      ['notify:display', 'notify:denied'],
    ],
    [
      'requesting + decision for another request',
      REQUESTING,
      decision({ requestId: 'r-x' }),
      'requesting',
      false,
      [],
    ],
    [
      'requesting + timeout: offline grant',
      REQUESTING,
      timeout(),
      'in_session',
      true,
      ['abandon', 'open:offline'],
    ],
    [
      'requesting + timeout: offline denial',
      REQUESTING,
      timeout({ granted: false, reason: 'unknown_badge' }),
      'idle',
      true,
      ['abandon', 'notify:denied'],
    ],
    [
      'requesting + timeout of another request',
      REQUESTING,
      timeout(offlineGrant, 'r-x'),
      'requesting',
      false,
      [],
    ],
    [
      'certify request + timeout: never offline',
      CERTIFYING,
      timeout(),
      'idle',
      true,
      ['abandon', 'notify:denied'],
    ],
    ['requesting + lock: relay off', REQUESTING, lock(), 'requesting', true, ['relay_off']],
    ['in session + same badge: badge out', IN_SESSION, badge(A), 'idle', true, ['end:badge_out']],
    [
      'in session + same badge with a mode: a request',
      IN_SESSION,
      badge(A, 'certify'),
      'in_session_requesting',
      true,
      ['notify:request', 'send_request'],
    ],
    [
      'in session + other badge: takeover request',
      IN_SESSION,
      badge(B),
      'in_session_requesting',
      true,
      ['notify:request', 'send_request'],
    ],
    ['in session + lock', IN_SESSION, lock(), 'idle', true, ['end:command']],
    ['in session + lock for another session', IN_SESSION, lock(0, 's-0'), 'in_session', false, []],
    ['in session + lock with grace', IN_SESSION, lock(10), 'in_session', true, ['warning']],
    ['grace + second lock: not extended', GRACE, lock(60), 'in_session', false, []],
    ['grace + lock without grace: cut now', GRACE, lock(0), 'idle', true, ['end:command']],
    ['grace + tick before the cut', GRACE, tick(10, 4_999), 'in_session', true, []],
    ['grace + tick at the cut', GRACE, tick(10, 5_000), 'idle', true, ['end:command']],
    ['in session + tick under the limit', IN_SESSION, tick(599), 'in_session', true, []],
    ['in session + tick at maxSeconds', IN_SESSION, tick(600), 'idle', true, ['end:timeout']],
    ['in session + stale decision', IN_SESSION, grant('s-2'), 'in_session', false, []],
    ['offline + tick within budget', OFFLINE, tick(300, 2_000), 'in_session', true, []],
    [
      'offline + tick: fee + running spend the credit',
      OFFLINE,
      tick(360, 2_000),
      'idle',
      true,
      ['end:timeout'],
    ],
    [
      'offline + tick: idle minutes spend it too',
      OFFLINE,
      tick(240, 2_000, 420),
      'idle',
      true,
      ['end:timeout'],
    ],
    [
      'offline + tick at the monotonic deadline',
      OFFLINE,
      tick(10, 1_000 + 3_600_000),
      'idle',
      true,
      ['end:timeout'],
    ],
    [
      'takeover + grant of a new session',
      TAKEOVER,
      grant('s-2'),
      'in_session',
      true,
      ['notify:display', 'end:takeover:keep', 'open:online'],
    ],
    [
      'takeover + grant of the same session',
      TAKEOVER,
      grant('s-1'),
      'in_session',
      true,
      ['notify:display', 'notify:ignored_badge'],
    ],
    [
      'takeover + denial: session goes on',
      TAKEOVER,
      decision({}),
      'in_session',
      true,
      ['notify:display', 'notify:denied'],
    ],
    [
      'takeover + timeout: session goes on',
      TAKEOVER,
      timeout(),
      'in_session',
      true,
      ['abandon', 'notify:denied'],
    ],
    [
      'takeover + badge: ignored',
      TAKEOVER,
      badge(A),
      'in_session_requesting',
      false,
      ['notify:ignored_badge'],
    ],
    [
      'takeover + lock: the session ends, the request stays pending',
      TAKEOVER,
      lock(),
      'requesting',
      true,
      ['end:command'],
    ],
    ['takeover + tick at maxSeconds: same', TAKEOVER, tick(600), 'requesting', true, ['end:timeout']],
    [
      'late grant: its server session is closed',
      IDLE,
      grant('s-9', true),
      'idle',
      true,
      ['close_late_grant'],
    ],
    ['late denial: nothing to close', IDLE, decision({}, true), 'idle', false, []],
    ['late grant of the open session: kept', IN_SESSION, grant('s-1', true), 'in_session', false, []],
    [
      'fault in session',
      IN_SESSION,
      { type: 'fault', permanent: false },
      'idle',
      true,
      ['relay_off', 'end:power_loss'],
    ],
    [
      'board gone',
      IN_SESSION,
      { type: 'fault', permanent: true },
      'faulted',
      true,
      ['relay_off', 'end:power_loss'],
    ],
    ['faulted + badge: ignored', FAULTED, badge(A), 'faulted', false, ['notify:ignored_badge']],
    ['faulted + grant: ignored', FAULTED, grant('s-1'), 'faulted', false, []],
    ['power down in session', IN_SESSION, { type: 'power_down' }, 'idle', true, ['end:power_loss']],
    ['power down idle', IDLE, { type: 'power_down' }, 'idle', true, []],
  ])('%s', (_name, state, input, next, accepted, effects) => {
    const t = transition(state, input);
    expect(t.state.kind).toBe(next);
    expect(t.accepted).toBe(accepted);
    expect(t.effects.map(short)).toEqual(effects);
    if (!accepted) {
      expect(t.why).toEqual(expect.any(String));
      if (t.effects.length === 0) expect(t.state).toBe(state); // deny by default: nothing changed
    }
  });

  it('an offline grant carries the list it came from, the credit and a monotonic deadline', () => {
    const t = transition(REQUESTING, timeout());
    expect(t.state).toMatchObject({
      kind: 'in_session',
      session: {
        id: 'off-9',
        uid: A,
        offline: true,
        listIssuedAt: '2026-06-01T09:00:00.000Z',
        deadlineMono: now.mono + 3_600_000,
        budget: { creditCents: 500 },
      },
    });
  });

  it('a lock with grace cuts at a monotonic instant', () => {
    const t = transition(IN_SESSION, lock(10));
    expect(t.effects[0]).toMatchObject({ type: 'warning', cutAtMono: now.mono + 10_000 });
    expect(t.state).toMatchObject({ session: { cutAtMono: now.mono + 10_000 } });
  });
});
