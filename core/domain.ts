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
  pricePerMinuteCents: number;
  minimumChargeCents: number;
}

export interface MachineView extends Pricing {
  id: string;
  state: MachineState;
  requiredQualifications: readonly string[];
  overdraftLimitCents: number;
  creditPolicy: CreditPolicy;
  /** null: no limit */
  maxSessionSeconds: number | null;
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
}

/** A member may use machines only while active and within the membership period. */
export function isMemberActive(member: MemberView, now: Date): boolean {
  if (member.status !== 'active') return false;
  return member.membershipValidUntil === null || member.membershipValidUntil.getTime() > now.getTime();
}

export function isCertificationValid(cert: CertificationView, now: Date): boolean {
  return cert.revokedAt === null && cert.expiresAt.getTime() > now.getTime();
}

export function isFree(pricing: Pricing): boolean {
  return pricing.pricePerMinuteCents === 0 && pricing.minimumChargeCents === 0;
}
