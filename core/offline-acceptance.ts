/**
 * Whether the server bills a session a board opened alone (issue #9, docs/mqtt.md "offline
 * sessions"). Pure: the service loads the facts, this decides. A board decides offline from
 * the signed allow-list it holds, so a genuine offline session is one whose badge was on a
 * list the server published for that machine, started while that list was valid, and whose
 * member could have used the machine at that instant. Anything else is held for the
 * treasurer instead of debited.
 */
import {
  type CertificationView,
  effectiveExpiry,
  isMemberActive,
  type MachineState,
  type MemberView,
} from './domain.ts';

/**
 * Clock skew tolerated between a board and the server: a board offline from the server may
 * have drifted (no NTP) by this much. Applied to every bound on `startedAt`.
 */
export const OFFLINE_CLOCK_SKEW_MS = 5 * 60_000;

export const HOLD_REASONS = [
  /** no `badge` or `startedAt` on the event */
  'incomplete_event',
  /** `startedAt` is after the server's now (+ skew) */
  'started_in_future',
  /** more running seconds than wall-clock time since `startedAt` */
  'ran_longer_than_elapsed',
  /** the server never published a list for this machine covering `startedAt` (or the named one) */
  'no_list',
  /** `startedAt` before the list's `issuedAt` */
  'before_list',
  /** `startedAt` after the list's `validUntil` */
  'after_list',
  /** the badge was not an entry of the list */
  'not_on_list',
  /** `startedAt` after the entry's `until` (certification or membership end) */
  'entry_expired',
  /** the UID matches no badge in the database */
  'unknown_badge',
  /** the badge was not issued yet, or already revoked or lost, at `startedAt` */
  'badge_inactive',
  'member_inactive',
  'not_certified',
  /** the machine was in maintenance or locked out at `startedAt` */
  'machine_unavailable',
] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

export interface ListFacts {
  issuedAt: Date;
  validUntil: Date;
  /** the badge's entry in that list, or null when it was not on it */
  entry: { until: Date } | null;
}

export interface BadgeFacts {
  issuedAt: Date;
  /** when it was revoked or declared lost; null while active */
  revokedAt: Date | null;
  status: 'active' | 'lost' | 'revoked';
}

export interface OfflineFacts {
  now: Date;
  /** null when the event carries none */
  startedAt: Date | null;
  /** runningSeconds of the first event seen */
  runningSeconds: number;
  /** the list the board decided from (named by `listIssuedAt`, or the one covering startedAt) */
  list: ListFacts | null;
  badge: BadgeFacts | null;
  member: MemberView | null;
  requiredQualifications: readonly string[];
  certifications: readonly CertificationView[];
  /** the machine's state at startedAt as far as the database history tells */
  machineStateAtStart: MachineState;
}

export type OfflineVerdict = { accepted: true } | { accepted: false; reason: HoldReason };

const hold = (reason: HoldReason): OfflineVerdict => ({ accepted: false, reason });

/** A certification that was held at `at`: granted before, not revoked before, not expired or lapsed. */
export function certifiedAt(cert: CertificationView, at: Date): boolean {
  const t = at.getTime();
  // certifiedAt is the server's clock, `at` the board's: the skew applies.
  if (cert.certifiedAt.getTime() > t + OFFLINE_CLOCK_SKEW_MS) return false;
  if (cert.revokedAt !== null && cert.revokedAt.getTime() <= t) return false;
  return effectiveExpiry(cert).getTime() > t;
}

/** The badge was issued and not yet revoked or lost at `at`. */
export function badgeActiveAt(badge: BadgeFacts, at: Date): boolean {
  if (badge.issuedAt.getTime() > at.getTime() + OFFLINE_CLOCK_SKEW_MS) return false;
  if (badge.revokedAt !== null) return badge.revokedAt.getTime() > at.getTime();
  // Not active and no date: we cannot tell when it stopped, so it does not vouch for anything.
  return badge.status === 'active';
}

export function decideOfflineSession(f: OfflineFacts): OfflineVerdict {
  if (f.startedAt === null) return hold('incomplete_event');
  const start = f.startedAt.getTime();
  if (start > f.now.getTime() + OFFLINE_CLOCK_SKEW_MS) return hold('started_in_future');
  if (start + f.runningSeconds * 1000 > f.now.getTime() + OFFLINE_CLOCK_SKEW_MS) {
    return hold('ran_longer_than_elapsed');
  }
  if (f.list === null) return hold('no_list');
  if (start < f.list.issuedAt.getTime() - OFFLINE_CLOCK_SKEW_MS) return hold('before_list');
  if (start > f.list.validUntil.getTime() + OFFLINE_CLOCK_SKEW_MS) return hold('after_list');
  if (f.list.entry === null) return hold('not_on_list');
  if (start > f.list.entry.until.getTime() + OFFLINE_CLOCK_SKEW_MS) return hold('entry_expired');
  if (f.badge === null) return hold('unknown_badge');
  if (!badgeActiveAt(f.badge, f.startedAt)) return hold('badge_inactive');
  if (f.member === null || !isMemberActive(f.member, f.startedAt)) return hold('member_inactive');
  for (const q of f.requiredQualifications) {
    const held = f.certifications.some((c) => c.qualificationId === q && certifiedAt(c, f.startedAt as Date));
    if (!held) return hold('not_certified');
  }
  if (f.machineStateAtStart !== 'available') return hold('machine_unavailable');
  return { accepted: true };
}

/**
 * The most running seconds an offline session can have at the server's `now`: the wall-clock
 * time since its `startedAt` (the board's clock), plus the clock skew tolerated. The first
 * event is held for review beyond it (`ran_longer_than_elapsed`); a later event of an
 * accepted session is billed only up to it.
 */
export function offlineRunningBound(startedAt: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - startedAt.getTime() + OFFLINE_CLOCK_SKEW_MS) / 1000));
}

/**
 * The running (and idle, unlocked but not running) seconds billable for an offline session's
 * event at `now`, and whether the claim was cut: together they never exceed the bound.
 */
export function boundOfflineRunning(
  claimed: { runningSeconds: number; idleSeconds: number },
  startedAt: Date,
  now: Date,
): { seconds: number; idleSeconds: number; clamped: boolean } {
  const bound = offlineRunningBound(startedAt, now);
  const seconds = Math.min(claimed.runningSeconds, bound);
  const idleSeconds = Math.min(claimed.idleSeconds, bound - seconds);
  return {
    seconds,
    idleSeconds,
    clamped: seconds < claimed.runningSeconds || idleSeconds < claimed.idleSeconds,
  };
}
