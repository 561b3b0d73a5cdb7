import { describe, expect, it } from 'vitest';
import {
  boundOfflineRunning,
  decideOfflineSession,
  type HoldReason,
  OFFLINE_CLOCK_SKEW_MS,
  type OfflineFacts,
  offlineRunningBound,
} from './offline-acceptance.ts';

const H = 3600_000;
const NOW = new Date('2026-03-10T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);

/** A genuine offline session: on the list published for the machine, within it, eligible. */
function genuine(): OfflineFacts {
  return {
    now: NOW,
    startedAt: ago(2 * H),
    runningSeconds: 3600,
    list: {
      issuedAt: ago(10 * H),
      validUntil: new Date(NOW.getTime() + 62 * H),
      entry: { until: ago(-30 * H) },
    },
    badge: { issuedAt: ago(100 * H), revokedAt: null, status: 'active' },
    member: { id: 'm', name: 'Camille', status: 'active', membershipValidUntil: null },
    requiredQualifications: ['laser'],
    certifications: [
      { qualificationId: 'laser', certifiedAt: ago(200 * H), expiresAt: ago(-1000 * H), revokedAt: null },
    ],
    machineStateAtStart: 'available',
  };
}

type Case = { why: string; change: (f: OfflineFacts) => OfflineFacts; reason: HoldReason | null };

const cases: Case[] = [
  { why: 'the genuine session is accepted', change: (f) => f, reason: null },
  {
    why: 'startedAt within the skew before the list is accepted',
    change: (f) => ({ ...f, startedAt: new Date(f.list!.issuedAt.getTime() - OFFLINE_CLOCK_SKEW_MS + 1000) }),
    reason: null,
  },
  {
    why: 'a badge revoked after startedAt still vouches for the session',
    change: (f) => ({ ...f, badge: { ...f.badge!, status: 'revoked', revokedAt: ago(H) } }),
    reason: null,
  },
  { why: 'no startedAt', change: (f) => ({ ...f, startedAt: null }), reason: 'incomplete_event' },
  {
    why: 'startedAt in the future beyond the skew',
    change: (f) => ({ ...f, startedAt: new Date(NOW.getTime() + OFFLINE_CLOCK_SKEW_MS + 1000) }),
    reason: 'started_in_future',
  },
  {
    why: 'more running time than elapsed since startedAt',
    change: (f) => ({ ...f, runningSeconds: 3 * 3600 }),
    reason: 'ran_longer_than_elapsed',
  },
  { why: 'no list for the machine', change: (f) => ({ ...f, list: null }), reason: 'no_list' },
  {
    why: 'startedAt in 2020, before the list',
    change: (f) => ({ ...f, startedAt: new Date('2020-01-01T00:00:00Z') }),
    reason: 'before_list',
  },
  {
    why: 'startedAt after the list expired',
    change: (f) => ({ ...f, list: { ...f.list!, validUntil: ago(3 * H) } }),
    reason: 'after_list',
  },
  {
    why: 'badge not on the list',
    change: (f) => ({ ...f, list: { ...f.list!, entry: null } }),
    reason: 'not_on_list',
  },
  {
    why: 'entry expired at startedAt',
    change: (f) => ({ ...f, list: { ...f.list!, entry: { until: ago(3 * H) } } }),
    reason: 'entry_expired',
  },
  { why: 'UID unknown to the database', change: (f) => ({ ...f, badge: null }), reason: 'unknown_badge' },
  {
    why: 'badge revoked before startedAt',
    change: (f) => ({ ...f, badge: { ...f.badge!, status: 'revoked', revokedAt: ago(5 * H) } }),
    reason: 'badge_inactive',
  },
  {
    why: 'badge lost with no date',
    change: (f) => ({ ...f, badge: { ...f.badge!, status: 'lost', revokedAt: null } }),
    reason: 'badge_inactive',
  },
  {
    why: 'badge issued after startedAt',
    change: (f) => ({ ...f, badge: { ...f.badge!, issuedAt: ago(H) } }),
    reason: 'badge_inactive',
  },
  {
    why: 'member suspended',
    change: (f) => ({ ...f, member: { ...f.member!, status: 'suspended' } }),
    reason: 'member_inactive',
  },
  {
    why: 'membership ended before startedAt',
    change: (f) => ({ ...f, member: { ...f.member!, membershipValidUntil: ago(3 * H) } }),
    reason: 'member_inactive',
  },
  { why: 'no certification', change: (f) => ({ ...f, certifications: [] }), reason: 'not_certified' },
  {
    why: 'certification revoked before startedAt',
    change: (f) => ({ ...f, certifications: [{ ...f.certifications[0]!, revokedAt: ago(3 * H) }] }),
    reason: 'not_certified',
  },
  {
    why: 'certification granted after startedAt (beyond the skew)',
    change: (f) => ({ ...f, certifications: [{ ...f.certifications[0]!, certifiedAt: ago(H) }] }),
    reason: 'not_certified',
  },
  {
    why: 'certification lapsed before startedAt',
    change: (f) => ({ ...f, certifications: [{ ...f.certifications[0]!, lapsesAt: ago(3 * H) }] }),
    reason: 'not_certified',
  },
  {
    why: 'machine in maintenance at startedAt',
    change: (f) => ({ ...f, machineStateAtStart: 'maintenance' }),
    reason: 'machine_unavailable',
  },
  {
    why: 'machine locked out at startedAt',
    change: (f) => ({ ...f, machineStateAtStart: 'locked_out' }),
    reason: 'machine_unavailable',
  },
];

describe('decideOfflineSession (issue #9)', () => {
  it.each(cases)('$why', ({ change, reason }) => {
    const verdict = decideOfflineSession(change(genuine()));
    expect(verdict).toEqual(reason === null ? { accepted: true } : { accepted: false, reason });
  });
});

describe('boundOfflineRunning', () => {
  const start = new Date('2026-03-02T10:00:00Z');
  const at = (s: number) => new Date(start.getTime() + s * 1000);
  it('keeps a claim within elapsed + skew', () => {
    expect(boundOfflineRunning({ runningSeconds: 600, idleSeconds: 0 }, start, at(600))).toEqual({
      seconds: 600,
      idleSeconds: 0,
      clamped: false,
    });
    expect(offlineRunningBound(start, at(1))).toBe(301);
  });
  it('cuts a claim beyond elapsed + skew, idle included', () => {
    expect(boundOfflineRunning({ runningSeconds: 14_000, idleSeconds: 0 }, start, at(1))).toEqual({
      seconds: 301,
      idleSeconds: 0,
      clamped: true,
    });
    expect(boundOfflineRunning({ runningSeconds: 200, idleSeconds: 5000 }, start, at(1))).toEqual({
      seconds: 200,
      idleSeconds: 101,
      clamped: true,
    });
  });
  it('a start far in the future bounds to zero', () => {
    expect(offlineRunningBound(at(3600), start)).toBe(0);
  });
});
