import { describe, expect, it } from 'vitest';
import {
  afterSession,
  idleSecondsOf,
  isBadgeOut,
  isTimedOut,
  type LockFacts,
  lockReason,
  maintenanceDue,
  mayTakeOver,
  onlyBusy,
  TAKEOVER_IDLE_MS,
  timeoutCutoff,
} from './session-policy.ts';

const T0 = new Date('2026-01-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('idleSecondsOf', () => {
  it.each([
    { event: { runningSeconds: 60 }, idle: 0, why: 'no unlockedSeconds: no idle time' },
    { event: { runningSeconds: 60, unlockedSeconds: 100 }, idle: 40, why: 'unlocked − running' },
    { event: { runningSeconds: 100, unlockedSeconds: 60 }, idle: 0, why: 'never negative' },
    { event: { runningSeconds: 0, unlockedSeconds: 0 }, idle: 0, why: 'nothing yet' },
  ])('$why', ({ event, idle }) => {
    expect(idleSecondsOf(event)).toBe(idle);
  });
});

describe('mayTakeOver (60 s without running)', () => {
  it.each([
    { lastRunningAt: at(0), now: at(TAKEOVER_IDLE_MS), may: true, why: 'exactly 60 s idle' },
    { lastRunningAt: at(0), now: at(TAKEOVER_IDLE_MS - 1), may: false, why: '59.999 s idle' },
    { lastRunningAt: null, now: at(TAKEOVER_IDLE_MS), may: true, why: 'never ran: counted from the start' },
    { lastRunningAt: null, now: at(1000), may: false, why: 'just started' },
    { lastRunningAt: at(50_000), now: at(70_000), may: false, why: 'ran 20 s ago' },
  ])('$why → $may', ({ lastRunningAt, now, may }) => {
    expect(mayTakeOver({ startedAt: T0, lastRunningAt }, now)).toBe(may);
  });
});

describe('the timeout rule (3 heartbeat periods)', () => {
  it.each([
    { heartbeat: 10, silentMs: 30_000, out: false, why: 'exactly 3 periods: not yet' },
    { heartbeat: 10, silentMs: 30_001, out: true, why: 'just past 3 periods' },
    { heartbeat: 60, silentMs: 120_000, out: false, why: '2 periods' },
    { heartbeat: 1, silentMs: 3_500, out: true, why: 'a short heartbeat' },
  ])('$why', ({ heartbeat, silentMs, out }) => {
    const now = at(silentMs);
    expect(isTimedOut(T0, heartbeat, now)).toBe(out);
    expect(timeoutCutoff(now, heartbeat).getTime()).toBe(now.getTime() - 3 * heartbeat * 1000);
  });
});

describe('lockReason', () => {
  const base: LockFacts = {
    sessionOpen: true,
    lockSent: false,
    exhausted: false,
    runningSeconds: 100,
    machine: { creditPolicy: 'lock', maxSessionSeconds: null, state: 'available', graceSeconds: 0 },
  };
  const m = (over: Partial<LockFacts['machine']>) => ({ machine: { ...base.machine, ...over } });
  it.each<{ why: string; over: Partial<LockFacts>; lock: ReturnType<typeof lockReason> }>([
    { why: 'nothing wrong', over: {}, lock: null },
    { why: 'exhausted, policy lock', over: { exhausted: true }, lock: { reason: 'insufficient_balance' } },
    {
      why: 'exhausted with a grace',
      over: { exhausted: true, ...m({ graceSeconds: 30 }) },
      lock: { reason: 'insufficient_balance', graceSeconds: 30 },
    },
    {
      why: 'exhausted, policy finish',
      over: { exhausted: true, ...m({ creditPolicy: 'finish' }) },
      lock: null,
    },
    { why: 'at the maximum length', over: m({ maxSessionSeconds: 100 }), lock: { reason: 'max_duration' } },
    { why: 'under the maximum length', over: m({ maxSessionSeconds: 101 }), lock: null },
    {
      why: 'credit before length',
      over: { exhausted: true, ...m({ maxSessionSeconds: 10, graceSeconds: 5 }) },
      lock: { reason: 'insufficient_balance', graceSeconds: 5 },
    },
    {
      why: 'locked out: no grace',
      over: m({ state: 'locked_out', graceSeconds: 30 }),
      lock: { reason: 'machine_unavailable' },
    },
    { why: 'maintenance does not cut a job', over: m({ state: 'maintenance' }), lock: null },
    { why: 'a lock already sent', over: { lockSent: true, exhausted: true }, lock: null },
    { why: 'a closed session', over: { sessionOpen: false, exhausted: true }, lock: null },
  ])('$why', ({ over, lock }) => {
    expect(lockReason({ ...base, ...over })).toEqual(lock);
  });
});

describe('after a session: post-use check and maintenance due', () => {
  const machine = {
    state: 'available' as const,
    postUseCheck: null as string | null,
    maintenanceEveryHours: null as number | null,
    runningSecondsSinceMaintenance: 0,
  };
  it.each([
    { why: 'nothing configured', over: {}, skip: false, change: null },
    { why: 'a post-use check', over: { postUseCheck: 'buse' }, skip: false, change: { checkPending: true } },
    { why: 'no check after a takeover', over: { postUseCheck: 'buse' }, skip: true, change: null },
    {
      why: 'hours reached',
      over: { maintenanceEveryHours: 10, runningSecondsSinceMaintenance: 36_000 },
      skip: false,
      change: { maintenance: { stateNote: 'Entretien dû après 10 h de marche' } },
    },
    {
      why: 'hours not reached',
      over: { maintenanceEveryHours: 10, runningSecondsSinceMaintenance: 35_999 },
      skip: false,
      change: null,
    },
    {
      why: 'a locked-out machine stays locked out',
      over: { state: 'locked_out' as const, maintenanceEveryHours: 1, runningSecondsSinceMaintenance: 7200 },
      skip: false,
      change: null,
    },
    {
      why: 'both',
      over: { postUseCheck: 'plateau', maintenanceEveryHours: 1, runningSecondsSinceMaintenance: 3600 },
      skip: false,
      change: { checkPending: true, maintenance: { stateNote: 'Entretien dû après 1 h de marche' } },
    },
  ])('$why', ({ over, skip, change }) => {
    expect(afterSession({ ...machine, ...over }, skip)).toEqual(change);
  });

  it.each([
    { every: null, ran: 1e9, due: false },
    { every: 0, ran: 0, due: true },
    { every: 2, ran: 7199, due: false },
    { every: 2, ran: 7200, due: true },
  ])('maintenance every $every h after $ran s → due $due', ({ every, ran, due }) => {
    expect(
      maintenanceDue({ ...machine, maintenanceEveryHours: every, runningSecondsSinceMaintenance: ran }),
    ).toBe(due);
  });
});

describe('badge out and takeover conditions', () => {
  it.each([
    { open: null, subject: { id: 'a', badgeStatus: 'active' }, out: false },
    { open: { memberId: 'a' }, subject: { id: 'a', badgeStatus: 'active' }, out: true },
    { open: { memberId: 'a' }, subject: { id: 'a', badgeStatus: 'revoked' }, out: false },
    { open: { memberId: 'a' }, subject: { id: 'b', badgeStatus: 'active' }, out: false },
    { open: { memberId: 'a' }, subject: null, out: false },
  ])(
    'open $open.memberId, subject $subject.id ($subject.badgeStatus) → badge out $out',
    ({ open, subject, out }) => {
      expect(isBadgeOut(open, subject)).toBe(out);
    },
  );

  it.each([
    { result: { granted: false, reasons: ['machine_busy' as const] }, only: true },
    {
      result: { granted: false, reasons: ['machine_busy' as const, 'insufficient_balance' as const] },
      only: false,
    },
    { result: { granted: false, reasons: ['insufficient_balance' as const] }, only: false },
    { result: { granted: true }, only: false },
  ])('onlyBusy($result.reasons) → $only', ({ result, only }) => {
    expect(onlyBusy(result)).toBe(only);
  });
});
