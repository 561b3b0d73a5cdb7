/**
 * A badge request at a machine (SPEC §2): claim the request id (exactly once across server
 * processes), decide with core/access.ts, open the session and debit the minimum charge.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { decide } from '../../core/access.ts';
import { usagePostings } from '../../core/ledger.ts';
import { meter } from '../../core/metering.ts';
import type { BadgeRequest, Decision } from '../../core/mqtt-contract.ts';
import {
  badgeFlow,
  confirmsCheck,
  pendingAfterDenial,
  supervisionStep,
} from '../../core/practices-policy.ts';
import { isBadgeOut, mayTakeOver, onlyBusy } from '../../core/session-policy.ts';
import type { Db, Tx } from '../../db/client.ts';
import { lockMachine, lockMembers, lockSession } from '../../db/lock-order.ts';
import { badges, certifications, machineEvents, machineSessions, members } from '../../db/schema.ts';
import { withTransaction } from '../../db/transaction.ts';
import { postTransaction } from '../ledger.ts';
import { badgeHash, newId } from '../security.ts';
import { loadCertifications, loadMachine, loadMember, openSessionOf } from './machine-view.ts';
import { closeSession } from './metering-service.ts';
import {
  armCertify,
  armEnrol,
  certifyAtMachine,
  clearPending,
  confirmCheckAtReader,
  currentPending,
  enrolBadge,
  qualifiedStaffPresent,
  setPending,
  supervisorFor,
} from './practices-flow.ts';

export interface BadgeOutcome {
  /**
   * null when this request id was already claimed (by another server process, or by this one
   * before a restart); the handler answers a repeat from the decisions it published itself
   */
  decision: Decision | null;
  memberId: string | null;
  /** a session of this member that had to be closed first (the board lost it) */
  closedSessionId: string | null;
}

class AlreadyHandled extends Error {}

export async function handleBadge(
  db: Db,
  badgeKey: Buffer,
  machineId: string,
  request: BadgeRequest,
  now: Date,
): Promise<BadgeOutcome> {
  try {
    return await withTransaction(db, async (tx) => {
      const outcome = await decideAndOpen(tx, badgeKey, machineId, request, now);
      // The request id is claimed last, in the same transaction: if another server process
      // (or a QoS 1 redelivery) got there first, everything above is rolled back.
      const claimed = await tx
        .insert(machineEvents)
        .values({
          id: request.requestId,
          machineId,
          kind: 'badge',
          at: new Date(request.at),
          receivedAt: now,
          memberId: outcome.memberId,
          granted: outcome.decision.granted,
          reason: outcome.decision.reason,
          sessionId: outcome.decision.sessionId ?? null,
          response: outcome.decision,
        })
        .onConflictDoNothing()
        .returning({ id: machineEvents.id });
      if (claimed.length === 0) throw new AlreadyHandled();
      return outcome;
    });
  } catch (err) {
    if (err instanceof AlreadyHandled) return { decision: null, memberId: null, closedSessionId: null };
    throw err;
  }
}

/**
 * The active badge with this UID, else its most recent past one (to say "revoked"). Not
 * locked: the member's row is locked later, in the lock order, and their balance read then.
 */
async function findBadgeHolder(tx: Tx, uidHash: string) {
  const rows = await tx
    .select({ badgeId: badges.id, badgeStatus: badges.status, id: members.id })
    .from(badges)
    .innerJoin(members, eq(members.id, badges.memberId))
    .where(eq(badges.uidHash, uidHash))
    .orderBy(sql`case when ${badges.status} = 'active' then 0 else 1 end`, desc(badges.issuedAt))
    .limit(1);
  return rows[0] ?? null;
}

interface Holder {
  badgeId: string | null;
  badgeStatus: 'active' | 'revoked' | 'lost';
  id: string;
  name: string;
  status: (typeof members.$inferSelect)['status'];
  membershipValidUntil: Date | null;
  balanceCents: number;
}

/** Level 3 of the lock order: the members' rows; the subject's view with its locked balance. */
async function lockHolders(
  tx: Tx,
  wanted: readonly { id: string; badgeId: string | null; badgeStatus: Holder['badgeStatus'] }[],
): Promise<Map<string, Holder>> {
  const balances = await lockMembers(
    tx,
    wanted.map((w) => w.id),
  );
  const out = new Map<string, Holder>();
  for (const w of wanted) {
    const m = balances.has(w.id) ? await loadMember(tx, w.id) : null;
    if (m !== null) out.set(w.id, { ...m, badgeId: w.badgeId, badgeStatus: w.badgeStatus });
  }
  return out;
}

export { TAKEOVER_IDLE_MS } from '../../core/session-policy.ts';

/**
 * Load → decide → persist, in the lock order of db/lock-order.ts: the machine, the open
 * session, the members; the rules are core/access.ts, core/session-policy.ts and
 * core/practices-policy.ts.
 */
async function decideAndOpen(
  tx: Tx,
  badgeKey: Buffer,
  machineId: string,
  request: BadgeRequest,
  now: Date,
): Promise<{ decision: Decision; memberId: string | null; closedSessionId: string | null }> {
  // Level 1: one decision at a time per machine across server processes, so two members
  // badging at once cannot both open a session.
  const machine = (await lockMachine(tx, machineId)) === null ? null : await loadMachine(tx, machineId);
  const found = await findBadgeHolder(tx, badgeHash(badgeKey, request.badge));
  const pending = machine ? await currentPending(tx, machineId, now) : null;
  const answer = (a: Omit<Decision, 'requestId'>, memberId: string | null) => ({
    decision: { requestId: request.requestId, ...a },
    memberId,
    closedSessionId: null,
  });
  const holderFacts = found ? { id: found.id, active: found.badgeStatus === 'active' } : null;

  // The two-badge flows of issue #6 (docs/mqtt.md "Lab practices").
  const flow = badgeFlow({
    mode: request.mode ?? 'use',
    machineKnown: machine !== null,
    holder: holderFacts,
    pending,
  });
  if (flow === 'arm_certify') return answer(await armCertify(tx, machine!, found!.id, now), found!.id);
  if (flow === 'arm_enrol') return answer(await armEnrol(tx, machineId, found!.id, now), found!.id);
  if (flow === 'certify_member')
    return answer(await certifyAtMachine(tx, pending!, found!.id, now), found!.id);
  if (flow === 'enrol_badge') return answer(await enrolBadge(tx, pending!, request.badge, now), null);

  // Whom the session is for, and who vouches for it on a supervised machine.
  let subjectRef: { id: string; badgeId: string | null; badgeStatus: Holder['badgeStatus'] } | null = found
    ? { id: found.id, badgeId: found.badgeId, badgeStatus: found.badgeStatus }
    : null;
  let supervisedBy: string | null = null;
  if (machine?.requiresSupervisor) {
    const step = supervisionStep({
      requiresSupervisor: true,
      supervisorMode: machine.supervisorMode,
      holder: holderFacts,
      pending,
    });
    if (step.secondBadgeFor !== null) {
      const supervisor = await supervisorFor(tx, machine, found!.id, now);
      if (supervisor) {
        subjectRef = { id: step.secondBadgeFor, badgeId: null, badgeStatus: 'active' };
        supervisedBy = supervisor.id;
        await clearPending(tx, machineId);
      }
    }
    if (supervisedBy === null && step.tryPresence)
      supervisedBy = await qualifiedStaffPresent(tx, machine, now);
  }

  // Level 2: the machine's open session (stable while we hold the machine).
  const openRow = machine ? await openSessionOf(tx, machineId) : null;
  let open = openRow ? await lockSession(tx, openRow.id) : null;
  // Level 3: the subject's row, balance read under the lock.
  const subject: Holder | null = subjectRef
    ? ((await lockHolders(tx, [subjectRef])).get(subjectRef.id) ?? null)
    : null;

  // The member asked to check the machine badges again: the check is confirmed.
  if (
    machine &&
    confirmsCheck({ checkPending: machine.checkPending === true, pending, subjectId: subject?.id ?? null })
  ) {
    await confirmCheckAtReader(tx, machineId);
    machine.checkPending = false;
  }

  let closedSessionId: string | null = null;
  if (open !== null && isBadgeOut(open, subject)) {
    await closeSession(tx, open.id, 'badge_out', now);
    closedSessionId = open.id;
    open = null;
  }

  const balanceCents = subject?.balanceCents ?? 0;
  const needsCerts = subject !== null && machine !== null && machine.requiredQualifications.length > 0;
  const certs = needsCerts ? await loadCertifications(tx, subject!.id) : [];
  const decideNow = () =>
    decide({
      now,
      badge: subject ? { status: subject.badgeStatus } : null,
      member: subject,
      machine,
      certifications: certs,
      balanceCents,
      openSession: open ? { memberId: open.memberId } : null,
      supervised: supervisedBy !== null,
    });
  let result = decideNow();

  // Takeover (issue #6): the machine is only busy with a session that has stopped running.
  if (open !== null && onlyBusy(result) && mayTakeOver(open, now)) {
    await closeSession(tx, open.id, 'takeover', now, { skipCheck: true });
    closedSessionId = open.id;
    open = null;
    result = decideNow();
  }
  const base = { requestId: request.requestId, member: subject ? { name: subject.name } : undefined };

  if (!result.granted || machine === null || subject === null) {
    const then = subject && machine ? pendingAfterDenial(result.reason, subject.id, machine, now) : null;
    if (then !== null) await setPending(tx, machineId, then.pending);
    return {
      decision: {
        ...base,
        granted: false,
        reason: result.reason,
        ...(subject && result.reason === 'insufficient_balance' ? { balanceCents } : {}),
        ...(then?.extra ?? {}),
      },
      memberId: subject?.id ?? null,
      closedSessionId,
    };
  }

  // Nothing has run yet: the formula at 0 s is the minimum charge (SPEC §3).
  const step = meter(
    { runningSeconds: 0, chargedCents: 0 },
    0,
    machine,
    balanceCents + machine.overdraftLimitCents,
  );
  const sessionId = newId();
  await tx.insert(machineSessions).values({
    id: sessionId,
    machineId,
    memberId: subject.id,
    badgeId: subject.badgeId,
    requestId: request.requestId,
    startedAt: now,
    lastEventAt: now,
    lastRunningAt: now,
    dueCents: step.dueCents,
    chargedCents: step.debitCents,
    supervisedBy,
  });
  let balanceAfter = balanceCents;
  if (step.debitCents > 0) {
    const posted = await postTransaction(
      tx,
      { kind: 'usage', memberId: subject.id, sessionId, createdAt: now },
      usagePostings(subject.id, machine.id, machine.kind, step.debitCents),
      -machine.overdraftLimitCents,
    );
    balanceAfter = posted.balances.get(subject.id) ?? balanceAfter;
  }
  await touchCertifications(tx, subject.id, machine.requiredQualifications, now);

  return {
    decision: {
      ...base,
      granted: true,
      reason: 'granted',
      sessionId,
      balanceCents: balanceAfter,
      ...(result.maxSeconds !== null ? { maxSeconds: result.maxSeconds } : {}),
    },
    memberId: subject.id,
    closedSessionId,
  };
}

/** Records the use for certifications that lapse after a period without use (issue #6). */
async function touchCertifications(tx: Tx, memberId: string, qualificationIds: readonly string[], now: Date) {
  if (qualificationIds.length === 0) return;
  await tx
    .update(certifications)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(certifications.memberId, memberId),
        inArray(certifications.qualificationId, [...qualificationIds]),
      ),
    );
}
