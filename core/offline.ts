/**
 * The offline decision (SPEC §2 offline mode), written once (issue #10): who may be on a
 * machine's signed allow-list (`offlineEligibility`, called by the server's list builder), what
 * a board decides alone from that list (`decideOffline`), and when an offline session has spent
 * the credit the list gave it (`offlineBudgetSpent`). Pure: no I/O, no clock of its own.
 *
 * Badge hash rule: an entry's `badge` is HMAC-SHA256(key = the list's `salt` decoded from hex,
 * message = the normalised UID as UTF-8), lowercase hex; compared case-insensitively. Core has
 * no `node:*` imports, so the HMAC itself is the caller's (`BadgeHasher`): the board passes
 * node:crypto's, the server stores the same hash per badge at enrolment (application/security.ts).
 *
 * Credit rule. An entry's `creditCents` is the member's credit (balance + overdraft) LESS the
 * machine's session fee: the list carries no fee (core/mqtt-contract.ts), so the server pays it
 * out of the credit before listing it, and the board spends the rest on minutes. A session may
 * start when that net credit covers the minimum charge or one minute, whichever is more (online:
 * credit >= max(minimum, fee + one minute); offline is as strict or stricter), and runs while
 * `sessionCharge(running, idle)` (core/metering.ts: running minutes, idle minutes at the idle
 * price, the running price when the list names none) stays within it.
 */
import { isFree, isMemberActive, type MachineState, type MemberView, type Pricing } from './domain.ts';
import { sessionCharge } from './metering.ts';
import type { AllowListBody } from './mqtt-contract.ts';

/** HMAC-SHA256(hex-decoded salt, uid) as lowercase hex; supplied by the caller (see above). */
export type BadgeHasher = (saltHex: string, uid: string) => string;

/**
 * The list body as the board reads it. `idlePricePerMinuteCents` is not in the signed contract
 * yet (core/mqtt-contract.ts); when a list carries it, it is used, otherwise idle minutes cost
 * the running price (core/metering.ts's default when a machine names no idle price).
 */
export type OfflineListBody = AllowListBody & { idlePricePerMinuteCents?: number | null };

/** The credit a session needs to start: its minimum charge, or its fee plus one minute. */
export function creditToStart(pricing: Pricing): number {
  return Math.max(pricing.minimumChargeCents, (pricing.sessionFeeCents ?? 0) + pricing.pricePerMinuteCents);
}

export type OfflineIneligibility =
  | 'machine_unavailable'
  | 'supervisor_required'
  | 'check_required'
  | 'member_inactive'
  | 'not_certified'
  | 'insufficient_balance';

export interface OfflineEligibilityInput {
  now: Date;
  machine: Pricing & {
    state: MachineState;
    requiresSupervisor?: boolean;
    /** the previous session's post-use check is not confirmed: nobody starts offline */
    checkPending?: boolean;
    overdraftLimitCents: number;
  };
  member: MemberView;
  /** holds a valid certification for every qualification the machine requires */
  certified: boolean;
  balanceCents: number;
}

/**
 * May this member be on the machine's offline list now? Deny by default; the first failing
 * rule is returned. The machine rules come first (they empty the whole list).
 */
export function offlineEligibility(
  x: OfflineEligibilityInput,
): { eligible: true; creditCents: number | null } | { eligible: false; reason: OfflineIneligibility } {
  const m = x.machine;
  if (m.state !== 'available') return { eligible: false, reason: 'machine_unavailable' };
  // A supervised machine never opens without its supervisor, and a pending check must be
  // confirmed by a person before the next session (issue #6): nobody offline.
  if (m.requiresSupervisor === true) return { eligible: false, reason: 'supervisor_required' };
  if (m.checkPending === true) return { eligible: false, reason: 'check_required' };
  if (!isMemberActive(x.member, x.now)) return { eligible: false, reason: 'member_inactive' };
  if (!x.certified) return { eligible: false, reason: 'not_certified' };
  if (isFree(m)) return { eligible: true, creditCents: null };
  // Net of the session fee: what the board may spend on minutes (see the credit rule above).
  const credit = x.balanceCents + m.overdraftLimitCents - (m.sessionFeeCents ?? 0);
  if (!Number.isSafeInteger(credit) || credit < creditToStart({ ...m, sessionFeeCents: 0 })) {
    return { eligible: false, reason: 'insufficient_balance' };
  }
  return { eligible: true, creditCents: credit };
}

export type OfflineDenial = 'no_list' | 'list_expired' | 'unknown_badge' | 'expired' | 'insufficient_balance';

export type OfflineDecision =
  | {
      granted: true;
      name: string;
      /** credit the session may spend on minutes, the fee already paid (null: free machine) */
      creditCents: number | null;
      /** running seconds the credit pays for with no idle time (null: unlimited) */
      maxRunningSeconds: number | null;
      /** longest the session may stay open (relay closed), counted on a monotonic clock */
      maxWallSeconds: number;
      /** `issuedAt` of the list decided from (sent as `listIssuedAt` on the session's events) */
      listIssuedAt: string;
      pricing: Pricing;
    }
  | { granted: false; reason: OfflineDenial };

/** The prices an offline session spends its net credit at (the fee is already out of it). */
export function listPricing(list: OfflineListBody): Pricing {
  return {
    pricePerMinuteCents: list.pricePerMinuteCents,
    minimumChargeCents: list.minimumChargeCents,
    sessionFeeCents: 0,
    idlePricePerMinuteCents: list.idlePricePerMinuteCents ?? null,
  };
}

/**
 * The offline decision for a normalised UID. `nowMs` is the list's notion of now: the board
 * passes the wall time it read when the list arrived plus the monotonic time elapsed since
 * (controller/offline-list.ts), so a clock step after reception neither extends nor cuts it.
 */
export function decideOffline(
  list: OfflineListBody | null,
  uid: string,
  nowMs: number,
  hash: BadgeHasher,
): OfflineDecision {
  if (list === null) return { granted: false, reason: 'no_list' };
  if (!(Date.parse(list.validUntil) > nowMs)) return { granted: false, reason: 'list_expired' };
  const badge = hash(list.salt, uid).toLowerCase();
  const entry = list.entries.find((e) => e.badge.toLowerCase() === badge);
  if (entry === undefined) return { granted: false, reason: 'unknown_badge' };
  if (!(Date.parse(entry.until) > nowMs)) return { granted: false, reason: 'expired' };
  const pricing = listPricing(list);
  const free = isFree(pricing);
  const credit = free ? null : entry.creditCents;
  let maxRunningSeconds: number | null = null;
  if (credit !== null) {
    if (credit < creditToStart(pricing)) return { granted: false, reason: 'insufficient_balance' };
    if (pricing.pricePerMinuteCents > 0) {
      // ceil(s / 60) × price <= credit  <=>  s <= floor(credit / price) × 60
      const minutes = Math.floor(credit / pricing.pricePerMinuteCents);
      maxRunningSeconds = Math.min(Math.max(0, minutes) * 60, list.maxOfflineSessionSeconds);
    }
  }
  return {
    granted: true,
    name: entry.name,
    creditCents: credit,
    maxRunningSeconds,
    maxWallSeconds: list.maxOfflineSessionSeconds,
    listIssuedAt: list.issuedAt,
    pricing,
  };
}

/**
 * True when the next second (running or idle, as the machine is now) would bill more than the
 * credit: the board ends the session (`timeout`) then. Idle time = unlocked − running, as the
 * server bills it (core/metering.ts).
 */
export function offlineBudgetSpent(
  pricing: Pricing,
  creditCents: number | null,
  runningSeconds: number,
  unlockedSeconds: number,
  running: boolean,
): boolean {
  if (creditCents === null) return false;
  const idle = Math.max(0, unlockedSeconds - runningSeconds);
  const next = running
    ? sessionCharge(runningSeconds + 1, pricing, idle)
    : sessionCharge(runningSeconds, pricing, idle + 1);
  return next > creditCents;
}
