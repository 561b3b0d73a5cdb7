/**
 * The two-badge flows at a reader (issue #6, docs/mqtt.md "Lab practices"), pure: which flow
 * a badge starts or completes, what stays pending and for how long, and what the reader shows.
 * The server loads the reader's pending action and the people involved, and persists.
 */
import type { Decision } from './mqtt-contract.ts';

export const CERTIFY_WINDOW_MS = 30_000;
export const ENROL_WINDOW_MS = 30_000;
export const SUPERVISOR_WINDOW_MS = 60_000;
export const CHECK_WINDOW_MS = 30_000;
/** supervisor mode `present`: a qualified staff member badged somewhere in the lab this recently */
export const PRESENCE_WINDOW_MS = 8 * 3600_000;

export type PendingKind = 'certify' | 'enrol' | 'supervise' | 'check';
export interface PendingView {
  kind: PendingKind;
  memberId: string;
  expiresAt: Date;
}

/** A pending action counts until its expiry (exclusive). */
export function isPendingLive(p: { expiresAt: Date }, now: Date): boolean {
  return p.expiresAt.getTime() > now.getTime();
}

export type BadgeMode = 'use' | 'certify' | 'enrol';

/** What a badge at a reader does, before any access decision. */
export type BadgeFlow =
  /** a trainer arms "certify at the machine" */
  | 'arm_certify'
  /** an admin arms enrolment */
  | 'arm_enrol'
  /** the member badging after an armed trainer gets the certification */
  | 'certify_member'
  /** an unknown badge after an armed admin is offered for enrolment */
  | 'enrol_badge'
  /** an ordinary request: the access decision */
  | 'use';

export interface FlowFacts {
  mode: BadgeMode;
  machineKnown: boolean;
  /** null: an unknown badge */
  holder: { id: string; active: boolean } | null;
  pending: PendingView | null;
}

export function badgeFlow(f: FlowFacts): BadgeFlow {
  const active = f.holder?.active === true ? f.holder : null;
  if (f.machineKnown && active && f.mode === 'certify') return 'arm_certify';
  if (f.machineKnown && active && f.mode === 'enrol') return 'arm_enrol';
  if (f.pending?.kind === 'certify' && active && active.id !== f.pending.memberId) return 'certify_member';
  if (f.pending?.kind === 'enrol' && f.holder === null) return 'enrol_badge';
  return 'use';
}

/**
 * On a supervised machine, how the supervisor is found: a second badge (a staff member after
 * a pending `supervise` of someone else), presence in the lab, or not at all.
 */
export function supervisionStep(f: {
  requiresSupervisor: boolean;
  supervisorMode: 'badge' | 'present';
  holder: { id: string; active: boolean } | null;
  pending: PendingView | null;
}): { secondBadgeFor: string | null; tryPresence: boolean } {
  if (!f.requiresSupervisor || f.holder?.active !== true) return { secondBadgeFor: null, tryPresence: false };
  const secondBadgeFor =
    f.pending?.kind === 'supervise' && f.holder.id !== f.pending.memberId ? f.pending.memberId : null;
  return { secondBadgeFor, tryPresence: f.supervisorMode === 'present' };
}

/** The member asked to check the machine badges again: the check is confirmed. */
export function confirmsCheck(f: {
  checkPending: boolean;
  pending: PendingView | null;
  subjectId: string | null;
}): boolean {
  return (
    f.checkPending &&
    f.pending?.kind === 'check' &&
    f.subjectId !== null &&
    f.pending.memberId === f.subjectId
  );
}

type Answer = Omit<Decision, 'requestId'>;

/** What a denial leaves pending at the reader, and what the reader says about it. */
export function pendingAfterDenial(
  reason: Decision['reason'],
  subjectId: string,
  machine: { postUseCheck: string | null },
  now: Date,
): { pending: PendingView; extra: Partial<Answer> } | null {
  if (reason === 'supervisor_required') {
    return {
      pending: {
        kind: 'supervise',
        memberId: subjectId,
        expiresAt: new Date(now.getTime() + SUPERVISOR_WINDOW_MS),
      },
      extra: { message: 'Un encadrant qualifié doit badger dans la minute.' },
    };
  }
  if (reason === 'check_required') {
    return {
      pending: { kind: 'check', memberId: subjectId, expiresAt: new Date(now.getTime() + CHECK_WINDOW_MS) },
      extra: {
        check: machine.postUseCheck ?? '',
        message: `Vérifiez : ${machine.postUseCheck ?? 'la machine'} — badgez à nouveau pour confirmer.`,
      },
    };
  }
  return null;
}

const deny = (reason: Decision['reason'], message: string): Answer => ({ granted: false, reason, message });

/** The reader's answers of the two-badge flows (French first: the reader's display). */
export const FLOW_ANSWERS = {
  notTrainer: deny('not_certified', 'Vous n’êtes pas formateur de cette machine.'),
  awaitingMember: deny('awaiting_member', 'Formation : faites badger le membre (30 s).'),
  prerequisiteMissing: deny('not_certified', 'Prérequis manquant : certification refusée.'),
  certified: deny('certified', 'Certification enregistrée.'),
  notAdmin: deny('not_certified', 'Enrôlement réservé aux administrateurs.'),
  enrolmentReady: deny('enrolment_ready', 'Présentez le nouveau badge (30 s).'),
  badgePresented: deny('badge_presented', 'Badge lu : attribuez-le dans le tableau de bord.'),
} as const satisfies Record<string, Answer>;

/** Step 1 of "certify at the machine": who may arm it, and for which qualification. */
export function certifyArming(f: {
  isStaff: boolean;
  /** qualifications of the machine this staff member trains, in a stable order */
  teaches: readonly string[];
}): { qualificationId: string } | null {
  const qualificationId = f.teaches[0];
  return f.isStaff && qualificationId !== undefined ? { qualificationId } : null;
}

/** Step 1 of enrolment: only an enabled admin. */
export function mayArmEnrolment(roles: readonly string[] | null): boolean {
  return roles?.includes('admin') === true;
}
