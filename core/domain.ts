/** Domain states as explicit unions (SPEC §3; issue #2). Pure: no I/O. */

export const MEMBER_STATUSES = ['active', 'suspended', 'expired'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export const BADGE_STATUSES = ['active', 'lost', 'revoked'] as const;
export type BadgeStatus = (typeof BADGE_STATUSES)[number];

export const MACHINE_KINDS = ['laser', 'cnc', 'printer-3d', 'electronics', 'door', 'other'] as const;
export type MachineKind = (typeof MACHINE_KINDS)[number];

export const MACHINE_STATES = ['available', 'maintenance', 'locked_out'] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

/** What happens when a card runs dry mid-session: cut now, or let the job finish at the overdraft floor. */
export const CREDIT_POLICIES = ['lock', 'finish'] as const;
export type CreditPolicy = (typeof CREDIT_POLICIES)[number];

export const TOPUP_METHODS = ['cash', 'card', 'transfer', 'check', 'helloasso', 'other'] as const;
export type TopupMethod = (typeof TOPUP_METHODS)[number];

export const ROLES = ['admin', 'trainer', 'treasurer', 'member'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES = ['admin', 'trainer', 'treasurer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface Pricing {
  /** price of a running minute */
  pricePerMinuteCents: number;
  minimumChargeCents: number;
  /** price of an unlocked-but-idle minute (issue #6); null or absent: the running price */
  idlePricePerMinuteCents?: number | null;
  /** fixed fee per session (issue #6), 0 when absent */
  sessionFeeCents?: number;
}

export interface MachineView extends Pricing {
  id: string;
  state: MachineState;
  requiredQualifications: readonly string[];
  overdraftLimitCents: number;
  creditPolicy: CreditPolicy;
  /** null: no limit */
  maxSessionSeconds: number | null;
  /** a qualified staff member must confirm each session (issue #6) */
  requiresSupervisor?: boolean;
  /** the previous session's post-use check is not confirmed yet (issue #6) */
  checkPending?: boolean;
}

export interface MemberView {
  id: string;
  name: string;
  status: MemberStatus;
  /** null: no end date */
  membershipValidUntil: Date | null;
}

export interface CertificationView {
  qualificationId: string;
  certifiedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  /** when it lapses for want of use (issue #6: N days after its holder last used it); null: never */
  lapsesAt?: Date | null;
}

/** The instant a certification lapses for want of use, or null when its qualification sets no period. */
export function lapseDate(
  cert: { certifiedAt: Date; lastUsedAt: Date | null },
  lapseAfterUnusedDays: number | null,
): Date | null {
  if (lapseAfterUnusedDays === null) return null;
  const since = cert.lastUsedAt ?? cert.certifiedAt;
  return new Date(since.getTime() + lapseAfterUnusedDays * 86_400_000);
}

/** Expiry or lapse, whichever comes first. */
export function effectiveExpiry(cert: CertificationView): Date {
  const lapse = cert.lapsesAt ?? null;
  return lapse !== null && lapse.getTime() < cert.expiresAt.getTime() ? lapse : cert.expiresAt;
}

/** A member may use machines only while active and within the membership period. */
export function isMemberActive(member: MemberView, now: Date): boolean {
  if (member.status !== 'active') return false;
  return member.membershipValidUntil === null || member.membershipValidUntil.getTime() > now.getTime();
}

export function isCertificationValid(cert: CertificationView, now: Date): boolean {
  return cert.revokedAt === null && effectiveExpiry(cert).getTime() > now.getTime();
}

export function isFree(pricing: Pricing): boolean {
  return (
    pricing.pricePerMinuteCents === 0 &&
    pricing.minimumChargeCents === 0 &&
    (pricing.sessionFeeCents ?? 0) === 0 &&
    (pricing.idlePricePerMinuteCents ?? 0) === 0
  );
}
