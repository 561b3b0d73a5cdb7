/**
 * A badge request at a machine (SPEC §2): claim the request id (exactly once across server
 * processes), decide with core/access.ts, open the session and debit the minimum charge.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { decide } from '../../core/access.ts';
import { usagePostings } from '../../core/ledger.ts';
import { meter } from '../../core/metering.ts';
import type { BadgeRequest, Decision } from '../../core/mqtt-contract.ts';
import type { Db, Tx } from '../db/client.ts';
import { badges, certifications, machineEvents, machineSessions, members } from '../db/schema.ts';
import { badgeHash, newId } from '../security.ts';
import { postTransaction } from '../services/ledger.ts';
import { loadCertifications, loadMachine, openSessionOf } from './machine-view.ts';
import { closeSession } from './metering-service.ts';
import {
  armCertify,
  armEnrol,
  CHECK_WINDOW_MS,
  certifyAtMachine,
  clearPending,
  confirmCheckAtReader,
  currentPending,
  enrolBadge,
  qualifiedStaffPresent,
  SUPERVISOR_WINDOW_MS,
  setPending,
  supervisorFor,
} from './practices-flow.ts';

export interface BadgeOutcome {
  /** null when another server process already handled this request */
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
    return await db.transaction(async (tx) => {
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

async function findBadgeHolder(tx: Tx, uidHash: string) {
  // The active badge with this UID, else its most recent past one (to say "revoked"); the
  // member's row is locked: their balance is read and debited in this transaction.
  const rows = await tx
    .select({
      badgeId: badges.id,
      badgeStatus: badges.status,
      id: members.id,
      name: members.name,
      status: members.status,
      membershipValidUntil: members.membershipValidUntil,
      balanceCents: members.balanceCents,
    })
    .from(badges)
    .innerJoin(members, eq(members.id, badges.memberId))
    .where(eq(badges.uidHash, uidHash))
    .orderBy(sql`case when ${badges.status} = 'active' then 0 else 1 end`, desc(badges.issuedAt))
    .limit(1)
    .for('update', { of: members });
  return rows[0] ?? null;
}

type Holder = NonNullable<Awaited<ReturnType<typeof findBadgeHolder>>>;

async function loadHolder(tx: Tx, memberId: string): Promise<Holder | null> {
  const rows = await tx
    .select({
      id: members.id,
      name: members.name,
      status: members.status,
      membershipValidUntil: members.membershipValidUntil,
      balanceCents: members.balanceCents,
    })
    .from(members)
    .where(eq(members.id, memberId))
    .for('update');
  const m = rows[0];
  return m ? { ...m, badgeId: null as unknown as string, badgeStatus: 'active' as const } : null;
}

/** A session may be taken over when its machine has not run for this long (issue #6). */
export const TAKEOVER_IDLE_MS = 60_000;

async function decideAndOpen(
  tx: Tx,
  badgeKey: Buffer,
  machineId: string,
  request: BadgeRequest,
  now: Date,
): Promise<{ decision: Decision; memberId: string | null; closedSessionId: string | null }> {
  // The machine row is locked: one decision at a time per machine across server processes,
  // so two members badging at once cannot both open a session.
  const machine = await loadMachine(tx, machineId, { lock: true });
  const holder = await findBadgeHolder(tx, badgeHash(badgeKey, request.badge));
  const mode = request.mode ?? 'use';
  const pending = machine ? await currentPending(tx, machineId, now) : null;
  const answer = (a: Omit<Decision, 'requestId'>, memberId: string | null) => ({
    decision: { requestId: request.requestId, ...a },
    memberId,
    closedSessionId: null,
  });

  // The two-badge flows of issue #6 (docs/mqtt.md "Lab practices").
  const activeHolder = holder?.badgeStatus === 'active' ? holder : null;
  if (machine && activeHolder && mode === 'certify')
    return answer(await armCertify(tx, machine, activeHolder.id, now), activeHolder.id);
  if (machine && activeHolder && mode === 'enrol')
    return answer(await armEnrol(tx, machineId, activeHolder.id, now), activeHolder.id);
  if (pending?.kind === 'certify' && activeHolder && activeHolder.id !== pending.memberId) {
    return answer(await certifyAtMachine(tx, pending, activeHolder.id, now), activeHolder.id);
  }
  if (pending?.kind === 'enrol' && holder === null)
    return answer(await enrolBadge(tx, pending, request.badge, now), null);

  // Whom the session is for, and who vouches for it on a supervised machine.
  let subject: Holder | null = holder;
  let supervisedBy: string | null = null;
  if (machine?.requiresSupervisor && activeHolder) {
    if (pending?.kind === 'supervise' && activeHolder.id !== pending.memberId) {
      const supervisor = await supervisorFor(tx, machine, activeHolder.id, now);
      if (supervisor) {
        subject = await loadHolder(tx, pending.memberId);
        supervisedBy = supervisor.id;
        await clearPending(tx, machineId);
      }
    }
    if (supervisedBy === null && machine.supervisorMode === 'present') {
      supervisedBy = await qualifiedStaffPresent(tx, machine, now);
    }
  }
  // The member asked to check the machine badges again: the check is confirmed.
  if (machine?.checkPending && pending?.kind === 'check' && subject && pending.memberId === subject.id) {
    await confirmCheckAtReader(tx, machineId);
    machine.checkPending = false;
  }

  let open = machine ? await openSessionOf(tx, machineId) : null;
  let closedSessionId: string | null = null;
  if (open !== null && subject !== null && open.memberId === subject.id && subject.badgeStatus === 'active') {
    // The board asks again for the member whose session it holds: it lost that session
    // (restart) or the member badged out without an `end`. Close it before deciding.
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
  if (!result.granted && result.reasons.length === 1 && result.reason === 'machine_busy' && open !== null) {
    const idleSince = (open.lastRunningAt ?? open.startedAt).getTime();
    if (now.getTime() - idleSince >= TAKEOVER_IDLE_MS) {
      await closeSession(tx, open.id, 'takeover', now, { skipCheck: true });
      closedSessionId = open.id;
      open = null;
      result = decideNow();
    }
  }
  const base = { requestId: request.requestId, member: subject ? { name: subject.name } : undefined };

  if (!result.granted || machine === null || subject === null) {
    let extra: Partial<Decision> = {};
    if (subject && machine && result.reason === 'supervisor_required') {
      await setPending(tx, machineId, {
        kind: 'supervise',
        memberId: subject.id,
        expiresAt: new Date(now.getTime() + SUPERVISOR_WINDOW_MS),
      });
      extra = { message: 'Un encadrant qualifié doit badger dans la minute.' };
    } else if (subject && machine && result.reason === 'check_required') {
      await setPending(tx, machineId, {
        kind: 'check',
        memberId: subject.id,
        expiresAt: new Date(now.getTime() + CHECK_WINDOW_MS),
      });
      extra = {
        check: machine.postUseCheck ?? '',
        message: `Vérifiez : ${machine.postUseCheck ?? 'la machine'} — badgez à nouveau pour confirmer.`,
      };
    }
    return {
      decision: {
        ...base,
        granted: false,
        reason: result.reason,
        ...(subject && result.reason === 'insufficient_balance' ? { balanceCents } : {}),
        ...extra,
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
