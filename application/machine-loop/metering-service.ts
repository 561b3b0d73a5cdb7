/**
 * Runtime and end events (SPEC §2, §3): each eventId counts once, the greatest
 * runningSeconds wins, and the card is debited up to the formula but never below the
 * machine's floor. Out-of-order events for a closed session still raise its bill.
 */
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { usagePostings } from '../../core/ledger.ts';
import { meter } from '../../core/metering.ts';
import type { EndEvent, EndReason, RuntimeEvent } from '../../core/mqtt-contract.ts';
import { boundOfflineRunning } from '../../core/offline-acceptance.ts';
import {
  afterSession,
  idleSecondsOf,
  isTimedOut,
  type LockRequest,
  lockReason,
  TIMEOUT_HEARTBEATS,
} from '../../core/session-policy.ts';
import type { Db, Tx } from '../../db/client.ts';
import { lockMachine, lockMembers, lockSession } from '../../db/lock-order.ts';
import { machineEvents, machineSessions, machines } from '../../db/schema.ts';
import { withTransaction } from '../../db/transaction.ts';
import { audit } from '../audit.ts';
import { postTransaction } from '../ledger.ts';
import { loadMachine } from './machine-view.ts';
import { openOfflineSession } from './offline-sessions.ts';

export type { LockRequest } from '../../core/session-policy.ts';

export interface MeterOutcome {
  /** false: duplicate event, unknown session, or handled by another process */
  applied: boolean;
  sessionId: string;
  memberId: string | null;
  /** the server must send `lock` for this session now, with this reason */
  lock: LockRequest | null;
  closed: boolean;
  /** an offline session's event claimed more running time than had elapsed: billed up to this */
  clamped?: { claimedSeconds: number; billedSeconds: number };
}

type SessionRow = typeof machineSessions.$inferSelect;

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
  // Lock order (db/lock-order.ts): the claim, then the topic's machine, its session, the member.
  return withTransaction(db, async (tx) => {
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

    if ((await lockMachine(tx, machineId)) === null) return none;
    let session = await lockSession(tx, event.sessionId);
    if (session === null && badgeKey !== undefined) {
      session = await openOfflineSession(tx, machineId, event, now, badgeKey);
    }
    // A session id from another machine is refused like an unknown one: a device may only
    // report on its own machine's sessions.
    if (session === null || session.machineId !== machineId) return none;

    // An offline session is billed at most the time elapsed since its start (+ clock skew):
    // its board reported while nobody could check it. An online board is trusted (SPEC §3).
    const reported = { runningSeconds: event.runningSeconds, idleSeconds: idleSecondsOf(event) };
    const bounded = session.offline
      ? boundOfflineRunning(reported, session.startedAt, now)
      : { seconds: reported.runningSeconds, idleSeconds: reported.idleSeconds, clamped: false };
    if (bounded.clamped) {
      await audit(tx, {
        actor: 'system',
        action: 'offline_running_clamped',
        entity: 'session',
        entityId: session.id,
        before: { eventId: event.eventId, ...reported },
        after: { runningSeconds: bounded.seconds, idleSeconds: bounded.idleSeconds },
      });
    }
    const result = await applyRunningSeconds(tx, session, bounded.seconds, now, bounded.idleSeconds);
    let closed = false;
    if (kind === 'end' && session.endedAt === null) {
      await tx
        .update(machineSessions)
        .set({ endedAt: now, endReason: (event as EndEvent).reason })
        .where(eq(machineSessions.id, session.id));
      await afterSessionEnded(tx, session.machineId, (event as EndEvent).reason === 'takeover');
      closed = true;
    }
    // A board still reporting on a session the server already closed (a timeout, a lock that
    // never reached it) is told again to stop: its relay must not stay closed without a session.
    const stale: LockRequest | null =
      kind === 'runtime' && session.endedAt !== null ? { reason: session.endReason ?? 'timeout' } : null;
    return {
      applied: true,
      sessionId: session.id,
      memberId: session.memberId,
      lock: closed ? null : (stale ?? result.lock),
      closed,
      ...(bounded.clamped
        ? { clamped: { claimedSeconds: event.runningSeconds, billedSeconds: bounded.seconds } }
        : {}),
    };
  });
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
  const balance = (await lockMembers(tx, [session.memberId])).get(session.memberId) ?? 0;
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
  const lock = lockReason({
    sessionOpen: session.endedAt === null,
    lockSent: session.lockSentAt !== null,
    exhausted: step.exhausted,
    runningSeconds: step.runningSeconds,
    machine,
  });
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
  // Lock order: the session's machine before the session (a no-op when the caller holds it).
  const [peek] = await tx
    .select({ machineId: machineSessions.machineId })
    .from(machineSessions)
    .where(eq(machineSessions.id, sessionId));
  if (peek === undefined) return false;
  await lockMachine(tx, peek.machineId);
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
 * After a session (issue #6, core/session-policy.ts `afterSession`): the post-use check and
 * maintenance may fall due. The machine's row is locked (level 1: the caller already holds it).
 */
export async function afterSessionEnded(tx: Tx, machineId: string, skipCheck = false): Promise<void> {
  const m = await lockMachine(tx, machineId);
  if (m === null) return;
  const change = afterSession(m, skipCheck);
  if (change === null) return;
  await tx
    .update(machines)
    .set({
      ...(change.checkPending ? { checkPending: true } : {}),
      ...(change.maintenance
        ? { state: 'maintenance' as const, stateNote: change.maintenance.stateNote }
        : {}),
    })
    .where(eq(machines.id, machineId));
}

/**
 * Closes the sessions that sent no event for 3 heartbeat periods (SPEC §2) with the last
 * runningSeconds seen. Each in its own transaction, in the lock order (machine, then session);
 * a machine another transaction holds is skipped (SKIP LOCKED) until the next sweep, so
 * several server processes sweep without waiting, and a late event that arrived meanwhile
 * (re-checked under the lock) keeps its session open.
 */
export async function sweepTimedOutSessions(
  db: Db,
  now: Date,
): Promise<{ sessionId: string; machineId: string; memberId: string }[]> {
  const candidates = await db
    .select({ id: machineSessions.id, machineId: machineSessions.machineId })
    .from(machineSessions)
    .innerJoin(sql`machines m`, sql`m.id = ${machineSessions.machineId}`)
    .where(
      and(
        isNull(machineSessions.endedAt),
        lt(
          machineSessions.lastEventAt,
          sql`${now.toISOString()}::timestamptz - (${TIMEOUT_HEARTBEATS} * m.heartbeat_seconds) * interval '1 second'`,
        ),
      ),
    )
    .orderBy(machineSessions.machineId, machineSessions.id);
  const closed: { sessionId: string; machineId: string; memberId: string }[] = [];
  let failure: unknown = null;
  for (const c of candidates) {
    // One transaction per session: a failure leaves that one for the next pass, and the
    // sessions already closed are still returned, so their boards are told to stop.
    const done = await withTransaction(db, async (tx) => {
      const machine = await lockMachine(tx, c.machineId, { skipLocked: true });
      if (machine === null) return null;
      const s = await lockSession(tx, c.id);
      if (s === null || s.endedAt !== null || !isTimedOut(s.lastEventAt, machine.heartbeatSeconds, now))
        return null;
      await tx
        .update(machineSessions)
        .set({ endedAt: now, endReason: 'timeout' })
        .where(eq(machineSessions.id, s.id));
      await afterSessionEnded(tx, s.machineId);
      return { sessionId: s.id, machineId: s.machineId, memberId: s.memberId };
    }).catch((err: unknown) => {
      failure ??= err;
      return null;
    });
    if (done !== null) closed.push(done);
  }
  if (failure !== null && closed.length === 0) throw failure;
  return closed;
}
