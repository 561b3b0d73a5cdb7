/**
 * The access decision (SPEC §2): one function, deny by default. Every failed check is
 * reported; `reason` is the first in the order below, the one shown on the reader.
 */
import {
  type BadgeStatus,
  type CertificationView,
  effectiveExpiry,
  isCertificationValid,
  isFree,
  isMemberActive,
  type MachineView,
  type MemberView,
} from './domain.ts';
import type { DecisionReason } from './mqtt-contract.ts';

export interface AccessRequest {
  now: Date;
  /** null when the badge is unknown */
  badge: { status: BadgeStatus } | null;
  member: MemberView | null;
  machine: MachineView | null;
  certifications: readonly CertificationView[];
  balanceCents: number;
  /** the session open on this machine, if any */
  openSession: { memberId: string } | null;
  /** a staff member qualified on the machine vouches for this session (issue #6) */
  supervised?: boolean;
}

export type DenialReason = Exclude<
  DecisionReason,
  'granted' | 'awaiting_member' | 'certified' | 'enrolment_ready' | 'badge_presented'
>;

export type AccessDecision =
  | { granted: true; reason: 'granted'; maxSeconds: number | null }
  | { granted: false; reason: DenialReason; reasons: DenialReason[] };

/**
 * Running seconds a balance pays for, before the overdraft floor (null: unlimited): the
 * greatest whole number of minutes k with max(minimum, fee + k × price) ≤ credit (issue #10:
 * the session fee counts), capped by the machine's maximum session length. Idle minutes are
 * not part of it: `maxSeconds` bounds running time (the board's count), idle time is metered
 * live and locked out like running time when the credit runs dry.
 */
export function affordableSeconds(machine: MachineView, balanceCents: number): number | null {
  if (isFree(machine)) return machine.maxSessionSeconds;
  const available = balanceCents + machine.overdraftLimitCents;
  const fee = machine.sessionFeeCents ?? 0;
  // What even 0 s costs: the minimum, or the fee alone.
  if (!Number.isSafeInteger(available) || available < Math.max(machine.minimumChargeCents, fee)) return 0;
  if (machine.pricePerMinuteCents === 0) return machine.maxSessionSeconds;
  const byCredit = Math.floor((available - fee) / machine.pricePerMinuteCents) * 60;
  return machine.maxSessionSeconds === null ? byCredit : Math.min(byCredit, machine.maxSessionSeconds);
}

/** The credit a session needs to start: its minimum charge, or one minute of use. */
export function creditNeededToStart(machine: MachineView): number {
  return Math.max(machine.minimumChargeCents, (machine.sessionFeeCents ?? 0) + machine.pricePerMinuteCents);
}

export function decide(req: AccessRequest): AccessDecision {
  const reasons: DenialReason[] = [];
  const { badge, member, machine, now } = req;

  if (badge === null || member === null) {
    reasons.push('unknown_badge');
  } else {
    if (badge.status !== 'active') reasons.push('badge_revoked');
    if (!isMemberActive(member, now)) reasons.push('member_inactive');
  }

  if (machine === null || machine.state !== 'available') {
    reasons.push('machine_unavailable');
  } else {
    if (req.openSession !== null && req.openSession.memberId !== member?.id) reasons.push('machine_busy');

    const certReason = certificationReason(machine.requiredQualifications, req.certifications, now);
    if (certReason !== null) reasons.push(certReason);

    // A credit that is not a whole number of cents (NaN, Infinity: corrupt input) denies: deny by default.
    const credit = req.balanceCents + machine.overdraftLimitCents;
    if (!isFree(machine) && (!Number.isSafeInteger(credit) || credit < creditNeededToStart(machine))) {
      reasons.push('insufficient_balance');
    }
    // Issue #6: the post-use check comes before a new session, and so does the supervisor.
    if (machine.checkPending === true) reasons.push('check_required');
    if (machine.requiresSupervisor === true && req.supervised !== true) reasons.push('supervisor_required');
  }

  const first = reasons[0];
  if (first !== undefined) return { granted: false, reason: first, reasons };
  // Only reachable when every check above passed; `machine` is non-null here.
  if (machine === null)
    return { granted: false, reason: 'machine_unavailable', reasons: ['machine_unavailable'] };
  return { granted: true, reason: 'granted', maxSeconds: affordableSeconds(machine, req.balanceCents) };
}

/**
 * For each required qualification the member needs a valid certification. When one is
 * missing, `certification_expired` if they held it once (expired or lapsed), else `not_certified`.
 */
function certificationReason(
  required: readonly string[],
  certs: readonly CertificationView[],
  now: Date,
): DenialReason | null {
  let expired = false;
  for (const qualificationId of required) {
    const held = certs.filter((c) => c.qualificationId === qualificationId);
    if (held.some((c) => isCertificationValid(c, now))) continue;
    const onceValid = held.some((c) => c.revokedAt === null && effectiveExpiry(c).getTime() <= now.getTime());
    if (!onceValid) return 'not_certified';
    expired = true;
  }
  return expired ? 'certification_expired' : null;
}
