/**
 * Runtime and end events (SPEC §2, §3): each eventId counts once, the greatest
 * runningSeconds wins, and the card is debited up to the formula but never below the
 * machine's floor. Out-of-order events for a closed session still raise its bill.
 */
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { usagePostings } from '../../core/ledger.ts';
import { meter } from '../../core/metering.ts';
import type { EndEvent, EndReason, RuntimeEvent } from '../../core/mqtt-contract.ts';
import type { Db, Tx } from '../db/client.ts';
import { machineEvents, machineSessions, machines } from '../db/schema.ts';
import { lockMemberBalance, postTransaction } from '../services/ledger.ts';
import { loadMachine } from './machine-view.ts';
import { openOfflineSession } from './offline-sessions.ts';

export interface MeterOutcome {
  /** false: duplicate event, unknown session, or handled by another process */
  applied: boolean;
  sessionId: string;
  memberId: string | null;
  /** the server must send `lock` for this session now, with this reason */
  lock: LockRequest | null;
  closed: boolean;
}

type SessionRow = typeof machineSessions.$inferSelect;

/** A `lock` to send; `graceSeconds` lets the board warn first (issue #6). */
export interface LockRequest {
  reason: string;
  graceSeconds?: number;
}

export async function handleRuntime(
  db: Db,
  machineId: string,
  event: RuntimeEvent,
  now: Date,
  badgeKey?: Buffer,
) {
  return handleEvent(db, machineId, 'runtime', event, now, badgeKey);
}

export async function handleEnd(db: Db, machineId: string, event: EndEvent, now: Date, badgeKey?: Buffer) {
  return handleEvent(db, machineId, 'end', event, now, badgeKey);
}

async function handleEvent(
  db: Db,
  machineId: string,
  kind: 'runtime' | 'end',
  event: RuntimeEvent | EndEvent,
  now: Date,
  badgeKey?: Buffer,
): Promise<MeterOutcome> {
  const none: MeterOutcome = {
    applied: false,
    sessionId: event.sessionId,
    memberId: null,
    lock: null,
    closed: false,
  };
  return db.transaction(async (tx) => {
    const claimed = await tx
      .insert(machineEvents)
      .values({
        id: event.eventId,
        machineId,
        kind,
        sessionId: event.sessionId,
        runningSeconds: event.runningSeconds,
        at: new Date(event.at),
        receivedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: machineEvents.id });
    if (claimed.length === 0) return none;

    let session = await lockSession(tx, event.sessionId);
    if (session === null && badgeKey !== undefined) {
      session = await openOfflineSession(tx, machineId, event, now, badgeKey);
    }
    // A session id from another machine is refused like an unknown one: a device may only
    // report on its own machine's sessions.
    if (session === null || session.machineId !== machineId) return none;

    const idle =
      event.unlockedSeconds === undefined ? 0 : Math.max(0, event.unlockedSeconds - event.runningSeconds);
    const result = await applyRunningSeconds(tx, session, event.runningSeconds, now, idle);
    let closed = false;
    if (kind === 'end' && session.endedAt === null) {
      await tx
        .update(machineSessions)
        .set({ endedAt: now, endReason: (event as EndEvent).reason })
        .where(eq(machineSessions.id, session.id));
      await afterSessionEnded(tx, session.machineId, (event as EndEvent).reason === 'takeover');
      closed = true;
    }
    return {
      applied: true,
      sessionId: session.id,
      memberId: session.memberId,
      lock: closed ? null : result.lock,
      closed,
    };
  });
}

async function lockSession(tx: Tx, sessionId: string): Promise<SessionRow | null> {
  const rows = await tx.select().from(machineSessions).where(eq(machineSessions.id, sessionId)).for('update');
  return rows[0] ?? null;
}

/**
 * Brings a session's debits up to the formula at max(seen, observed) seconds, within the
 * card's floor. Decides whether the board must be told to stop.
 */
export async function applyRunningSeconds(
  tx: Tx,
  session: SessionRow,
  observedSeconds: number,
  now: Date,
  observedIdleSeconds = 0,
): Promise<{ lock: LockRequest | null }> {
  const machine = await loadMachine(tx, session.machineId);
  if (machine === null) return { lock: null };
  const balance = (await lockMemberBalance(tx, session.memberId)) ?? 0;
  const step = meter(
    {
      runningSeconds: session.runningSeconds,
      chargedCents: session.chargedCents,
      idleSeconds: session.idleSeconds,
    },
    observedSeconds,
    machine,
    balance + machine.overdraftLimitCents,
    observedIdleSeconds,
  );
  const ranMore = step.runningSeconds - session.runningSeconds;
  if (ranMore > 0) {
    // Running hours since the last maintenance (issue #6): counted as metered.
    await tx
      .update(machines)
      .set({ runningSecondsSinceMaintenance: sql`${machines.runningSecondsSinceMaintenance} + ${ranMore}` })
      .where(eq(machines.id, machine.id));
  }
  if (step.debitCents > 0) {
    await postTransaction(
      tx,
      { kind: 'usage', memberId: session.memberId, sessionId: session.id, createdAt: now },
      usagePostings(session.memberId, machine.id, machine.kind, step.debitCents),
      -machine.overdraftLimitCents,
    );
  }
  let lock: LockRequest | null = null;
  const grace = machine.graceSeconds > 0 ? { graceSeconds: machine.graceSeconds } : {};
  if (session.endedAt === null && session.lockSentAt === null) {
    if (step.exhausted && machine.creditPolicy === 'lock')
      lock = { reason: 'insufficient_balance', ...grace };
    else if (machine.maxSessionSeconds !== null && step.runningSeconds >= machine.maxSessionSeconds) {
      lock = { reason: 'max_duration', ...grace };
    } else if (machine.state === 'locked_out') lock = { reason: 'machine_unavailable' };
  }
  await tx
    .update(machineSessions)
    .set({
      runningSeconds: step.runningSeconds,
      idleSeconds: step.idleSeconds,
      ...(ranMore > 0 ? { lastRunningAt: now } : {}),
      dueCents: step.dueCents,
      chargedCents: session.chargedCents + step.debitCents,
      lastEventAt: session.endedAt === null ? now : session.lastEventAt,
      ...(lock ? { lockSentAt: now } : {}),
    })
    .where(eq(machineSessions.id, session.id));
  return { lock };
}

/** Closes a session with what was seen so far (timeouts, a board that lost its session). */
export async function closeSession(
  tx: Tx,
  sessionId: string,
  reason: EndReason,
  now: Date,
  opts: { skipCheck?: boolean } = {},
): Promise<boolean> {
  const session = await lockSession(tx, sessionId);
  if (session === null || session.endedAt !== null) return false;
  await tx
    .update(machineSessions)
    .set({ endedAt: now, endReason: reason })
    .where(eq(machineSessions.id, sessionId));
  await afterSessionEnded(tx, session.machineId, opts.skipCheck === true);
  return true;
}

/**
 * After a session (issue #6): the post-use check falls due (not on a takeover: the next user
 * is already there), and maintenance falls due once the machine has run its hours — never
 * during a session, so a job is not cut.
 */
export async function afterSessionEnded(tx: Tx, machineId: string, skipCheck = false): Promise<void> {
  const m = (await tx.select().from(machines).where(eq(machines.id, machineId)))[0];
  if (m === undefined) return;
  const due =
    m.maintenanceEveryHours !== null && m.runningSecondsSinceMaintenance >= m.maintenanceEveryHours * 3600;
  const check = m.postUseCheck !== null && !skipCheck;
  if (!due && !check) return;
  await tx
    .update(machines)
    .set({
      ...(check ? { checkPending: true } : {}),
      ...(due && m.state === 'available'
        ? {
            state: 'maintenance' as const,
            stateNote: `Entretien dû après ${m.maintenanceEveryHours} h de marche`,
          }
        : {}),
    })
    .where(eq(machines.id, machineId));
}

/**
 * Closes the sessions that sent no event for 3 heartbeat periods (SPEC §2) with the last
 * runningSeconds seen. SKIP LOCKED lets several server processes sweep without waiting.
 */
export async function sweepTimedOutSessions(
  db: Db,
  now: Date,
): Promise<{ sessionId: string; machineId: string; memberId: string }[]> {
  return db.transaction(async (tx) => {
    const stale = await tx
      .select({
        id: machineSessions.id,
        machineId: machineSessions.machineId,
        memberId: machineSessions.memberId,
      })
      .from(machineSessions)
      .innerJoin(sql`machines m`, sql`m.id = ${machineSessions.machineId}`)
      .where(
        and(
          isNull(machineSessions.endedAt),
          lt(
            machineSessions.lastEventAt,
            sql`${now.toISOString()}::timestamptz - (3 * m.heartbeat_seconds) * interval '1 second'`,
          ),
        ),
      )
      .for('update', { of: machineSessions, skipLocked: true });
    for (const s of stale) {
      await tx
        .update(machineSessions)
        .set({ endedAt: now, endReason: 'timeout' })
        .where(eq(machineSessions.id, s.id));
      await afterSessionEnded(tx, s.machineId);
    }
    return stale.map((s) => ({ sessionId: s.id, machineId: s.machineId, memberId: s.memberId }));
  });
}
