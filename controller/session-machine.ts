/**
 * The board's session state machine (issue #10): one discriminated union of states and ONE pure
 * transition function. Deny by default: an event a state does not expect changes nothing, and
 * the result says so (`accepted: false` with why). The shell (controller.ts) turns effects into
 * I/O (relay, MQTT, outbox, display) and feeds back what only it knows: ids, clocks, the running
 * and unlocked seconds its meters measured, the offline decision of the allow-list.
 *
 *   idle ──badge──▶ requesting ──grant──▶ in_session ──same badge / tick limit / lock──▶ idle
 *                       │ deny ▲               │ other badge (takeover request)
 *                       └──────┘ timeout:      ▼
 *                       offline decision   in_session_requesting ──grant──▶ in_session (new)
 *   any ──fault(permanent)──▶ faulted (no badge until a restart)
 */

import type { Pricing } from '../core/domain.ts';
import type { BadgeMode, Command, Decision, EndReason } from '../core/mqtt-contract.ts';
import { type OfflineDecision, offlineBudgetSpent } from '../core/offline.ts';
import type { ControllerEvent } from './events.ts';

/** When something happened: wall time for stamps, monotonic time for durations. */
export interface Stamp {
  at: string;
  mono: number;
}

export interface PendingRequest {
  uid: string;
  requestId: string;
  mode: BadgeMode;
  /** wall stamp of the badge (the request's `at`) */
  at: string;
}

export interface OpenSession {
  id: string;
  uid: string;
  offline: boolean;
  name?: string;
  startedAt: string;
  /** end with `timeout` once the machine ran this long (credit); null: no limit */
  maxRunningSeconds: number | null;
  /** offline: end with `timeout` at this monotonic instant (maxOfflineSessionSeconds) */
  deadlineMono: number | null;
  /** offline: the credit the list gave and the prices it is spent at */
  budget: { creditCents: number | null; pricing: Pricing } | null;
  /** offline: `issuedAt` of the allow-list the board decided from */
  listIssuedAt?: string;
  /** a lock with grace: the relay opens at this monotonic instant */
  cutAtMono: number | null;
}

export type BoardState =
  | { kind: 'idle' }
  | { kind: 'requesting'; request: PendingRequest }
  | { kind: 'in_session'; session: OpenSession }
  | { kind: 'in_session_requesting'; session: OpenSession; request: PendingRequest }
  | { kind: 'faulted' };

export type BoardInput =
  /** a valid badge (normalised UID) with its resolved mode and a fresh requestId */
  | { type: 'badge'; uid: string; mode: BadgeMode; requestId: string; now: Stamp }
  /** `late`: its request timed out after it was sent (the shell keeps those ids) */
  | { type: 'decision'; decision: Decision; late: boolean; now: Stamp }
  /** the decision did not come in time; `offline` is the allow-list's answer for the badge */
  | {
      type: 'decision_timeout';
      requestId: string;
      offline: OfflineDecision;
      offlineSessionId: string;
      now: Stamp;
    }
  | { type: 'command'; command: Command; now: Stamp }
  /** periodic check of the session's limits with the meters' readings */
  | { type: 'tick'; now: Stamp; runningSeconds: number; unlockedSeconds: number; running: boolean }
  /** `permanent`: the board is gone (no badge until a restart); else a handler failed */
  | { type: 'fault'; permanent: boolean }
  /** the program stops (or the outbox failed): end the session as a power loss */
  | { type: 'power_down' };

export type Effect =
  | { type: 'send_request'; request: PendingRequest }
  | { type: 'open_session'; session: OpenSession }
  /** `keepRelay` only for a takeover (the new session follows at once) */
  | { type: 'end_session'; sessionId: string; reason: EndReason; keepRelay: boolean }
  /** a lock with no session to end: the relay opens all the same */
  | { type: 'relay_off' }
  | { type: 'warning'; sessionId: string; graceSeconds: number; reason: string; cutAtMono: number }
  /** forget this request: a late grant for it must be closed */
  | { type: 'abandon'; requestId: string }
  /** a late grant opened a server session nobody holds: end it (`takeover`, 0 s) */
  | { type: 'close_late_grant'; sessionId: string }
  | { type: 'notify'; event: ControllerEvent };

export interface Transition {
  state: BoardState;
  effects: Effect[];
  /** false: the event is not expected in this state and changed nothing (`why` says why) */
  accepted: boolean;
  why?: string;
}

export const INITIAL_STATE: BoardState = { kind: 'idle' };

const ok = (state: BoardState, effects: Effect[] = []): Transition => ({ state, effects, accepted: true });
const refuse = (state: BoardState, why: string, effects: Effect[] = []): Transition => ({
  state,
  effects,
  accepted: false,
  why,
});
const notify = (event: ControllerEvent): Effect => ({ type: 'notify', event });

/** The open session of a state, if any. */
export function sessionOf(state: BoardState): OpenSession | null {
  return state.kind === 'in_session' || state.kind === 'in_session_requesting' ? state.session : null;
}

/** The badge request a state waits a decision for, if any. */
export function requestOf(state: BoardState): PendingRequest | null {
  return state.kind === 'requesting' || state.kind === 'in_session_requesting' ? state.request : null;
}

/** The state once the pending request is settled (a session goes on, if there is one). */
function settled(state: BoardState): BoardState {
  const session = sessionOf(state);
  return session === null ? { kind: 'idle' } : { kind: 'in_session', session };
}

/** The session ended: the machine is free. */
/**
 * The session ended: the machine is free. A request still pending (a takeover asked before a
 * lock or a limit ended the session) stays pending: its grant opens a session as usual.
 */
function ended(session: OpenSession, reason: EndReason, from?: BoardState): Transition {
  const next: BoardState =
    from?.kind === 'in_session_requesting' ? { kind: 'requesting', request: from.request } : { kind: 'idle' };
  return ok(next, [{ type: 'end_session', sessionId: session.id, reason, keepRelay: false }]);
}

export function transition(state: BoardState, input: BoardInput): Transition {
  if (input.type === 'fault') return onFault(state, input.permanent);
  if (input.type === 'power_down') {
    const session = sessionOf(state);
    if (session === null) return ok(state.kind === 'faulted' ? state : { kind: 'idle' });
    return ended(session, 'power_loss');
  }
  if (input.type === 'decision' && input.late) return onLateDecision(state, input.decision);
  switch (state.kind) {
    case 'faulted':
      if (input.type === 'badge') {
        return refuse(state, 'faulted', [notify({ type: 'ignored_badge', uid: input.uid, why: 'fault' })]);
      }
      return refuse(state, `faulted: ${input.type} ignored`);
    case 'idle':
      if (input.type === 'badge') return request(input, null);
      if (input.type === 'command') return ok(state, [{ type: 'relay_off' }]); // a lock is a lock
      return refuse(state, `idle: ${input.type} unexpected`);
    case 'requesting':
    case 'in_session_requesting':
      if (input.type === 'badge') {
        return refuse(state, 'a request is pending', [
          notify({ type: 'ignored_badge', uid: input.uid, why: 'pending' }),
        ]);
      }
      if (input.type === 'decision') return onDecision(state, input.decision, input.now);
      if (input.type === 'decision_timeout') return onTimeout(state, input);
      if (state.kind === 'in_session_requesting') return inSession(state, state.session, input);
      if (input.type === 'command') return ok(state, [{ type: 'relay_off' }]);
      return refuse(state, `requesting: ${input.type} unexpected`);
    case 'in_session':
      return inSession(state, state.session, input);
  }
}

function request(input: Extract<BoardInput, { type: 'badge' }>, session: OpenSession | null): Transition {
  const request: PendingRequest = {
    uid: input.uid,
    requestId: input.requestId,
    mode: input.mode,
    at: input.now.at,
  };
  const next: BoardState =
    session === null ? { kind: 'requesting', request } : { kind: 'in_session_requesting', session, request };
  return ok(next, [
    notify({
      type: 'request',
      uid: input.uid,
      requestId: input.requestId,
      mode: input.mode,
      takeover: session !== null,
    }),
    { type: 'send_request', request },
  ]);
}

/** Events common to `in_session` and `in_session_requesting` (the session runs on). */
function inSession(state: BoardState, session: OpenSession, input: BoardInput): Transition {
  switch (input.type) {
    case 'badge':
      if (input.uid === session.uid && input.mode === 'use') return ended(session, 'badge_out', state);
      return request(input, session);
    case 'command':
      return onCommand(state, session, input.command, input.now);
    case 'tick': {
      if (session.cutAtMono !== null && input.now.mono >= session.cutAtMono)
        return ended(session, 'command', state);
      const spent =
        (session.maxRunningSeconds !== null && input.runningSeconds >= session.maxRunningSeconds) ||
        (session.deadlineMono !== null && input.now.mono >= session.deadlineMono) ||
        (session.budget !== null &&
          offlineBudgetSpent(
            session.budget.pricing,
            session.budget.creditCents,
            input.runningSeconds,
            input.unlockedSeconds,
            input.running,
          ));
      return spent ? ended(session, 'timeout', state) : ok(state);
    }
    default:
      return refuse(state, `in session: ${input.type} unexpected`);
  }
}

function onCommand(state: BoardState, session: OpenSession, c: Command, now: Stamp): Transition {
  if (c.sessionId !== undefined && c.sessionId !== session.id)
    return refuse(state, 'lock for another session');
  const grace = c.graceSeconds ?? 0;
  if (grace <= 0) return ended(session, 'command', state);
  if (session.cutAtMono !== null)
    return refuse(state, 'a grace is running: a second lock does not extend it');
  const cutAtMono = now.mono + grace * 1000;
  const next = { ...session, cutAtMono };
  return ok(
    state.kind === 'in_session_requesting'
      ? { ...state, session: next }
      : { kind: 'in_session', session: next },
    [{ type: 'warning', sessionId: session.id, graceSeconds: grace, reason: c.reason, cutAtMono }],
  );
}

function onDecision(
  state: Extract<BoardState, { kind: 'requesting' | 'in_session_requesting' }>,
  d: Decision,
  now: Stamp,
): Transition {
  const { request } = state;
  if (d.requestId !== request.requestId) return refuse(state, 'decision for another request');
  const text = {
    ...(d.message !== undefined ? { message: d.message } : {}),
    ...(d.check !== undefined ? { check: d.check } : {}),
  };
  const shown = notify({ type: 'display', uid: request.uid, granted: d.granted, reason: d.reason, ...text });
  const current = sessionOf(state);
  if (!d.granted || !d.sessionId) {
    const reason = d.granted ? 'invalid_request' : d.reason;
    return ok(settled(state), [
      shown,
      notify({ type: 'denied', uid: request.uid, reason, offline: false, ...text }),
    ]);
  }
  if (current !== null && current.id === d.sessionId) {
    return ok(settled(state), [shown, notify({ type: 'ignored_badge', uid: request.uid, why: 'busy' })]);
  }
  const session: OpenSession = {
    id: d.sessionId,
    uid: request.uid,
    offline: false,
    ...(d.member?.name !== undefined ? { name: d.member.name } : {}),
    startedAt: now.at,
    maxRunningSeconds: d.maxSeconds ?? null,
    deadlineMono: null,
    budget: null,
    cutAtMono: null,
  };
  const effects: Effect[] = [shown];
  // Takeover: the server closed the current session; say so, keeping the relay closed.
  if (current !== null)
    effects.push({ type: 'end_session', sessionId: current.id, reason: 'takeover', keepRelay: true });
  effects.push({ type: 'open_session', session });
  return ok({ kind: 'in_session', session }, effects);
}

function onTimeout(
  state: Extract<BoardState, { kind: 'requesting' | 'in_session_requesting' }>,
  input: Extract<BoardInput, { type: 'decision_timeout' }>,
): Transition {
  const { request } = state;
  if (input.requestId !== request.requestId) return refuse(state, 'timeout of another request');
  const abandon: Effect = { type: 'abandon', requestId: request.requestId };
  const denied = (reason: string) =>
    notify({ type: 'denied', uid: request.uid, reason: `offline:${reason}`, offline: true });
  // A takeover needs the server: the open session goes on.
  if (state.kind === 'in_session_requesting') return ok(settled(state), [abandon, denied('machine_busy')]);
  // Certifying and enrolling are the server's business: nothing to decide alone.
  if (request.mode !== 'use') return ok({ kind: 'idle' }, [abandon, denied('server_unreachable')]);
  const o = input.offline;
  if (!o.granted) return ok({ kind: 'idle' }, [abandon, denied(o.reason)]);
  const session: OpenSession = {
    id: input.offlineSessionId,
    uid: request.uid,
    offline: true,
    name: o.name,
    startedAt: input.now.at,
    maxRunningSeconds: o.maxRunningSeconds,
    deadlineMono: input.now.mono + o.maxWallSeconds * 1000,
    budget: { creditCents: o.creditCents, pricing: o.pricing },
    listIssuedAt: o.listIssuedAt,
    cutAtMono: null,
  };
  return ok({ kind: 'in_session', session }, [abandon, { type: 'open_session', session }]);
}

/** A decision for a request we gave up on: a grant opened a server session nobody holds. */
function onLateDecision(state: BoardState, d: Decision): Transition {
  if (d.granted && d.sessionId && d.sessionId !== sessionOf(state)?.id) {
    return ok(state, [{ type: 'close_late_grant', sessionId: d.sessionId }]);
  }
  return refuse(state, 'late decision: nothing to close');
}

function onFault(state: BoardState, permanent: boolean): Transition {
  const session = sessionOf(state);
  const effects: Effect[] = [{ type: 'relay_off' }];
  if (session !== null)
    effects.push({ type: 'end_session', sessionId: session.id, reason: 'power_loss', keepRelay: false });
  return ok(permanent || state.kind === 'faulted' ? { kind: 'faulted' } : { kind: 'idle' }, effects);
}
