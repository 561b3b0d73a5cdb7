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
import { badges, certifications, machineEvents, machineSessions, machines } from '../db/schema.ts';
import { badgeHash, newId } from '../security.ts';
import { lockMemberBalance, postTransaction } from '../services/ledger.ts';
import { loadCertifications, loadMachine, loadMember, openSessionOf } from './machine-view.ts';
import { closeSession } from './metering-service.ts';

export interface BadgeOutcome {
  /** null when another server process already handled this request */
  decision: Decision | null;
  memberId: string | null;
  /** a session of this member that had to be closed first (the board lost it) */
  closedSessionId: string | null;
}

export async function handleBadge(
  db: Db,
  badgeKey: Buffer,
  machineId: string,
  request: BadgeRequest,
  now: Date,
): Promise<BadgeOutcome> {
  return db.transaction(async (tx) => {
    const claimed = await tx
      .insert(machineEvents)
      .values({ id: request.requestId, machineId, kind: 'badge', at: new Date(request.at), receivedAt: now })
      .onConflictDoNothing()
      .returning({ id: machineEvents.id });
    if (claimed.length === 0) return { decision: null, memberId: null, closedSessionId: null };

    const outcome = await decideAndOpen(tx, badgeKey, machineId, request, now);
    await tx
      .update(machineEvents)
      .set({
        memberId: outcome.memberId,
        granted: outcome.decision.granted,
        reason: outcome.decision.reason,
        sessionId: outcome.decision.sessionId ?? null,
        response: outcome.decision,
      })
      .where(eq(machineEvents.id, request.requestId));
    return outcome;
  });
}

async function decideAndOpen(
  tx: Tx,
  badgeKey: Buffer,
  machineId: string,
  request: BadgeRequest,
  now: Date,
): Promise<{ decision: Decision; memberId: string | null; closedSessionId: string | null }> {
  // One decision at a time per machine, across server processes: two members badging at
  // once cannot both open a session (the partial unique index would also refuse it).
  await tx.select({ id: machines.id }).from(machines).where(eq(machines.id, machineId)).for('update');
  const uidHash = badgeHash(badgeKey, request.badge);
  // The active badge with this UID, else its most recent past one (to say "revoked").
  const badgeRows = await tx
    .select()
    .from(badges)
    .where(eq(badges.uidHash, uidHash))
    .orderBy(sql`case when ${badges.status} = 'active' then 0 else 1 end`, desc(badges.issuedAt))
    .limit(1);
  const badge = badgeRows[0] ?? null;
  const member = badge ? await loadMember(tx, badge.memberId) : null;
  const machine = await loadMachine(tx, machineId);
  let open = await openSessionOf(tx, machineId);

  let closedSessionId: string | null = null;
  if (open !== null && member !== null && open.memberId === member.id && badge?.status === 'active') {
    // The board asks again for the member whose session it holds: it lost that session
    // (restart) or the member badged out without an `end`. Close it before deciding.
    await closeSession(tx, open.id, 'badge_out', now);
    closedSessionId = open.id;
    open = null;
  }

  const balanceCents = member ? ((await lockMemberBalance(tx, member.id)) ?? 0) : 0;
  const result = decide({
    now,
    badge: badge ? { status: badge.status } : null,
    member,
    machine,
    certifications: member ? await loadCertifications(tx, member.id) : [],
    balanceCents,
    openSession: open ? { memberId: open.memberId } : null,
  });
  const base = { requestId: request.requestId, member: member ? { name: member.name } : undefined };

  if (!result.granted || machine === null || member === null) {
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

  const sessionId = newId();
  await tx.insert(machineSessions).values({
    id: sessionId,
    machineId,
    memberId: member.id,
    badgeId: badge?.id ?? null,
    requestId: request.requestId,
    startedAt: now,
    lastEventAt: now,
  });
  // Nothing has run yet: the formula at 0 s is the minimum charge (SPEC §3).
  const step = meter(
    { runningSeconds: 0, chargedCents: 0 },
    0,
    machine,
    balanceCents + machine.overdraftLimitCents,
  );
  let balanceAfter = balanceCents;
  if (step.debitCents > 0) {
    const posted = await postTransaction(
      tx,
      { kind: 'usage', memberId: member.id, sessionId, createdAt: now },
      usagePostings(member.id, machine.id, machine.kind, step.debitCents),
      -machine.overdraftLimitCents,
    );
    balanceAfter = posted.balances.get(member.id) ?? balanceAfter;
  }
  await tx
    .update(machineSessions)
    .set({ dueCents: step.dueCents, chargedCents: step.debitCents })
    .where(eq(machineSessions.id, sessionId));
  await touchCertifications(tx, member.id, machine.requiredQualifications, now);

  return {
    decision: {
      ...base,
      granted: true,
      reason: 'granted',
      sessionId,
      balanceCents: balanceAfter,
      ...(result.maxSeconds !== null ? { maxSeconds: result.maxSeconds } : {}),
    },
    memberId: member.id,
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
