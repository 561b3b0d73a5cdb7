import { describe, expect, it } from 'vitest';
import {
  badgeFlow,
  CHECK_WINDOW_MS,
  certifyArming,
  confirmsCheck,
  type FlowFacts,
  isPendingLive,
  mayArmEnrolment,
  type PendingView,
  pendingAfterDenial,
  SUPERVISOR_WINDOW_MS,
  supervisionStep,
} from './practices-policy.ts';

const NOW = new Date('2026-01-01T10:00:00.000Z');
const later = new Date(NOW.getTime() + 10_000);
const pending = (kind: PendingView['kind'], memberId = 'trainer'): PendingView => ({
  kind,
  memberId,
  expiresAt: later,
});
const active = (id: string) => ({ id, active: true });

describe('badgeFlow: what a badge does at a reader', () => {
  const base: FlowFacts = { mode: 'use', machineKnown: true, holder: active('m1'), pending: null };
  it.each<{ why: string; over: Partial<FlowFacts>; flow: ReturnType<typeof badgeFlow> }>([
    { why: 'an ordinary request', over: {}, flow: 'use' },
    { why: 'a trainer in certify mode', over: { mode: 'certify' }, flow: 'arm_certify' },
    { why: 'an admin in enrol mode', over: { mode: 'enrol' }, flow: 'arm_enrol' },
    {
      why: 'certify mode on an unknown machine',
      over: { mode: 'certify', machineKnown: false },
      flow: 'use',
    },
    {
      why: 'certify mode with a revoked badge',
      over: { mode: 'certify', holder: { id: 'm1', active: false } },
      flow: 'use',
    },
    {
      why: 'the member after an armed trainer',
      over: { pending: pending('certify') },
      flow: 'certify_member',
    },
    {
      why: 'the trainer again after arming: not their own certification',
      over: { holder: active('trainer'), pending: pending('certify') },
      flow: 'use',
    },
    {
      why: 'an unknown badge after an armed admin',
      over: { holder: null, pending: pending('enrol') },
      flow: 'enrol_badge',
    },
    { why: 'a known badge after an armed admin', over: { pending: pending('enrol') }, flow: 'use' },
    { why: 'an unknown badge, nothing armed', over: { holder: null }, flow: 'use' },
    {
      why: 'a supervise pending is not a flow of its own',
      over: { pending: pending('supervise') },
      flow: 'use',
    },
  ])('$why → $flow', ({ over, flow }) => {
    expect(badgeFlow({ ...base, ...over })).toBe(flow);
  });
});

describe('supervisionStep', () => {
  it.each([
    {
      why: 'not supervised',
      f: {
        requiresSupervisor: false,
        supervisorMode: 'badge' as const,
        holder: active('s'),
        pending: pending('supervise', 'm1'),
      },
      step: { secondBadgeFor: null, tryPresence: false },
    },
    {
      why: 'staff badges after a waiting member',
      f: {
        requiresSupervisor: true,
        supervisorMode: 'badge' as const,
        holder: active('s'),
        pending: pending('supervise', 'm1'),
      },
      step: { secondBadgeFor: 'm1', tryPresence: false },
    },
    {
      why: 'the waiting member badges again',
      f: {
        requiresSupervisor: true,
        supervisorMode: 'badge' as const,
        holder: active('m1'),
        pending: pending('supervise', 'm1'),
      },
      step: { secondBadgeFor: null, tryPresence: false },
    },
    {
      why: 'presence mode',
      f: {
        requiresSupervisor: true,
        supervisorMode: 'present' as const,
        holder: active('m1'),
        pending: null,
      },
      step: { secondBadgeFor: null, tryPresence: true },
    },
    {
      why: 'an inactive badge',
      f: {
        requiresSupervisor: true,
        supervisorMode: 'present' as const,
        holder: { id: 'm1', active: false },
        pending: null,
      },
      step: { secondBadgeFor: null, tryPresence: false },
    },
  ])('$why', ({ f, step }) => {
    expect(supervisionStep(f)).toEqual(step);
  });
});

describe('post-use check, pending windows and arming', () => {
  it.each([
    { checkPending: true, pending: pending('check', 'm1'), subjectId: 'm1', confirms: true },
    { checkPending: true, pending: pending('check', 'm1'), subjectId: 'm2', confirms: false },
    { checkPending: false, pending: pending('check', 'm1'), subjectId: 'm1', confirms: false },
    { checkPending: true, pending: pending('supervise', 'm1'), subjectId: 'm1', confirms: false },
    { checkPending: true, pending: null, subjectId: 'm1', confirms: false },
    { checkPending: true, pending: pending('check', 'm1'), subjectId: null, confirms: false },
  ])('confirmsCheck → $confirms', ({ confirms, ...f }) => {
    expect(confirmsCheck(f)).toBe(confirms);
  });

  it.each([
    { expiresAt: new Date(NOW.getTime() + 1), live: true },
    { expiresAt: NOW, live: false },
    { expiresAt: new Date(NOW.getTime() - 1), live: false },
  ])('a pending action expiring at $expiresAt is live: $live', ({ expiresAt, live }) => {
    expect(isPendingLive({ expiresAt }, NOW)).toBe(live);
  });

  it.each([
    {
      reason: 'supervisor_required' as const,
      kind: 'supervise',
      window: SUPERVISOR_WINDOW_MS,
      check: undefined,
    },
    { reason: 'check_required' as const, kind: 'check', window: CHECK_WINDOW_MS, check: 'buse propre' },
  ])('$reason leaves a $kind pending for its window', ({ reason, kind, window, check }) => {
    const then = pendingAfterDenial(reason, 'm1', { postUseCheck: 'buse propre' }, NOW);
    expect(then?.pending).toEqual({ kind, memberId: 'm1', expiresAt: new Date(NOW.getTime() + window) });
    expect(then?.extra.check).toBe(check);
    expect(then?.extra.message).toMatch(/.+/);
  });

  it.each(['insufficient_balance', 'machine_busy', 'not_certified'] as const)(
    '%s leaves nothing pending',
    (reason) => {
      expect(pendingAfterDenial(reason, 'm1', { postUseCheck: 'x' }, NOW)).toBeNull();
    },
  );

  it.each([
    { isStaff: true, teaches: ['laser', 'cnc'], armed: { qualificationId: 'laser' } },
    { isStaff: true, teaches: [], armed: null },
    { isStaff: false, teaches: ['laser'], armed: null },
  ])('certifyArming(staff $isStaff, teaches $teaches)', ({ armed, ...f }) => {
    expect(certifyArming(f)).toEqual(armed);
  });

  it.each([
    { roles: ['admin'], may: true },
    { roles: ['admin', 'treasurer'], may: true },
    { roles: ['trainer'], may: false },
    { roles: null, may: false },
  ])('mayArmEnrolment($roles) → $may', ({ roles, may }) => {
    expect(mayArmEnrolment(roles)).toBe(may);
  });
});
