/**
 * The session rules of the machine loop (SPEC §2–3, issues #6 and #10), pure: the server's
 * services load the rows, call these, and persist what they decide.
 */
import type { CreditPolicy, MachineState } from './domain.ts';
import type { DecisionReason } from './mqtt-contract.ts';

/** A session may be taken over when its machine has not run for this long (issue #6). */
export const TAKEOVER_IDLE_MS = 60_000;
/** A session with no event for this many heartbeat periods is closed as `timeout` (SPEC §2). */
export const TIMEOUT_HEARTBEATS = 3;

/** Idle time an event reports: unlocked but not running (0 when the device does not say). */
export function idleSecondsOf(event: {
  runningSeconds: number;
  unlockedSeconds?: number | undefined;
}): number {
  return event.unlockedSeconds === undefined ? 0 : Math.max(0, event.unlockedSeconds - event.runningSeconds);
}

/** Has the open session's machine stopped running long enough to be taken over? */
export function mayTakeOver(open: { startedAt: Date; lastRunningAt: Date | null }, now: Date): boolean {
  const idleSince = (open.lastRunningAt ?? open.startedAt).getTime();
  return now.getTime() - idleSince >= TAKEOVER_IDLE_MS;
}

/** The instant before which a session's last event makes it timed out. */
export function timeoutCutoff(now: Date, heartbeatSeconds: number): Date {
  return new Date(now.getTime() - TIMEOUT_HEARTBEATS * heartbeatSeconds * 1000);
}

export function isTimedOut(lastEventAt: Date, heartbeatSeconds: number, now: Date): boolean {
  return lastEventAt.getTime() < timeoutCutoff(now, heartbeatSeconds).getTime();
}

/** A `lock` to send; `graceSeconds` lets the board warn first (issue #6). */
export interface LockRequest {
  reason: string;
  graceSeconds?: number;
}

export interface LockFacts {
  sessionOpen: boolean;
  /** a lock was already sent for this session */
  lockSent: boolean;
  /** the card's floor stopped the debit short of what is due */
  exhausted: boolean;
  runningSeconds: number;
  machine: {
    creditPolicy: CreditPolicy;
    maxSessionSeconds: number | null;
    state: MachineState;
    graceSeconds: number;
  };
}

/**
 * Whether the board must be told to stop, once per session: exhausted credit (policy `lock`),
 * then the maximum length (both with the machine's grace), then a machine locked out.
 */
export function lockReason(f: LockFacts): LockRequest | null {
  if (!f.sessionOpen || f.lockSent) return null;
  const grace = f.machine.graceSeconds > 0 ? { graceSeconds: f.machine.graceSeconds } : {};
  if (f.exhausted && f.machine.creditPolicy === 'lock') return { reason: 'insufficient_balance', ...grace };
  if (f.machine.maxSessionSeconds !== null && f.runningSeconds >= f.machine.maxSessionSeconds) {
    return { reason: 'max_duration', ...grace };
  }
  if (f.machine.state === 'locked_out') return { reason: 'machine_unavailable' };
  return null;
}

export interface AfterSessionFacts {
  state: MachineState;
  postUseCheck: string | null;
  maintenanceEveryHours: number | null;
  runningSecondsSinceMaintenance: number;
}

/** What changes on the machine when a session ends; null: nothing. */
export interface AfterSessionChange {
  checkPending?: true;
  maintenance?: { stateNote: string };
}

export function maintenanceDue(m: AfterSessionFacts): boolean {
  return (
    m.maintenanceEveryHours !== null && m.runningSecondsSinceMaintenance >= m.maintenanceEveryHours * 3600
  );
}

/**
 * After a session (issue #6): the post-use check falls due (not on a takeover: the next user
 * is already there), and maintenance falls due once the machine has run its hours — never
 * during a session, so a job is not cut; only an available machine goes into maintenance.
 */
export function afterSession(m: AfterSessionFacts, skipCheck: boolean): AfterSessionChange | null {
  const check = m.postUseCheck !== null && !skipCheck;
  const maintenance = maintenanceDue(m) && m.state === 'available';
  if (!check && !maintenance) return null;
  return {
    ...(check ? { checkPending: true as const } : {}),
    ...(maintenance
      ? { maintenance: { stateNote: `Entretien dû après ${m.maintenanceEveryHours} h de marche` } }
      : {}),
  };
}

/**
 * The board asks again for the member whose session it holds (it restarted, or the member
 * badged out without an `end`): that session is closed (`badge_out`) before deciding.
 */
export function isBadgeOut(
  open: { memberId: string } | null,
  subject: { id: string; badgeStatus: string } | null,
): boolean {
  return (
    open !== null && subject !== null && open.memberId === subject.id && subject.badgeStatus === 'active'
  );
}

/** A denial that only a stopped session stands in the way of: the takeover may apply. */
export function onlyBusy(result: { granted: boolean; reasons?: readonly DecisionReason[] }): boolean {
  return !result.granted && result.reasons?.length === 1 && result.reasons[0] === 'machine_busy';
}
