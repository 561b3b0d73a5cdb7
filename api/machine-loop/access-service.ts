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
  const member = holder;
  let open = machine ? await openSessionOf(tx, machineId) : null;

  let closedSessionId: string | null = null;
  if (open !== null && holder !== null && open.memberId === holder.id && holder.badgeStatus === 'active') {
    // The board asks again for the member whose session it holds: it lost that session
    // (restart) or the member badged out without an `end`. Close it before deciding.
    await closeSession(tx, open.id, 'badge_out', now);
    closedSessionId = open.id;
    open = null;
  }

  const balanceCents = holder?.balanceCents ?? 0;
  const needsCerts = holder !== null && machine !== null && machine.requiredQualifications.length > 0;
  const result = decide({
    now,
    badge: holder ? { status: holder.badgeStatus } : null,
    member,
    machine,
    certifications: needsCerts ? await loadCertifications(tx, holder.id) : [],
    balanceCents,
    openSession: open ? { memberId: open.memberId } : null,
  });
  const base = { requestId: request.requestId, member: member ? { name: member.name } : undefined };

  if (!result.granted || machine === null || holder === null) {
    return {
      decision: {
        ...base,
        granted: false,
        reason: result.reason,
        ...(member && result.reason === 'insufficient_balance' ? { balanceCents } : {}),
      },
      memberId: member?.id ?? null,
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
    memberId: holder.id,
    badgeId: holder.badgeId,
    requestId: request.requestId,
    startedAt: now,
    lastEventAt: now,
    dueCents: step.dueCents,
    chargedCents: step.debitCents,
  });
  let balanceAfter = balanceCents;
  if (step.debitCents > 0) {
    const posted = await postTransaction(
      tx,
      { kind: 'usage', memberId: holder.id, sessionId, createdAt: now },
      usagePostings(holder.id, machine.id, machine.kind, step.debitCents),
      -machine.overdraftLimitCents,
    );
    balanceAfter = posted.balances.get(holder.id) ?? balanceAfter;
  }
  await touchCertifications(tx, holder.id, machine.requiredQualifications, now);

  return {
    decision: {
      ...base,
      granted: true,
      reason: 'granted',
      sessionId,
      balanceCents: balanceAfter,
      ...(result.maxSeconds !== null ? { maxSeconds: result.maxSeconds } : {}),
    },
    memberId: holder.id,
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
