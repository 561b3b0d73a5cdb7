/**
 * Sessions a board opened alone while the server was unreachable, learnt from their replayed
 * events (docs/mqtt.md, "offline sessions"; issue #9). The first event of such a session is
 * checked against the allow-lists the server published for the machine and the member's
 * eligibility at `startedAt` (core/offline-acceptance.ts): if it passes, the session is opened
 * and billed as usual, down to the card's floor; otherwise nothing is debited and the session
 * waits in `offline_reviews` for the treasurer. Later events of a held session only update
 * its review row (each eventId counts once: the caller claimed it in the same transaction).
 */
import { createHmac } from 'node:crypto';
import { and, desc, eq, gt, gte, isNotNull, lte, sql } from 'drizzle-orm';
import { lapseDate, type MachineState } from '../../core/domain.ts';
import type { EndEvent, RuntimeEvent } from '../../core/mqtt-contract.ts';
import { OFFLINE_SESSION_PREFIX } from '../../core/mqtt-contract.ts';
import {
  decideOfflineSession,
  type HoldReason,
  OFFLINE_CLOCK_SKEW_MS,
  type OfflineFacts,
} from '../../core/offline-acceptance.ts';
import type { Tx } from '../../db/client.ts';
import {
  allowlistEntrySets,
  allowlistIssues,
  auditLog,
  badges,
  certifications,
  machineQualifications,
  machineSessions,
  machines,
  members,
  offlineReviews,
  qualifications,
} from '../../db/schema.ts';
import { badgeHash, newId } from '../security.ts';
import { RECORDED_HASH_HEX } from './allowlist.ts';

type SessionRow = typeof machineSessions.$inferSelect;
type ReviewRow = typeof offlineReviews.$inferSelect;
type OfflineEvent = RuntimeEvent | EndEvent;

/**
 * The session to bill for an unknown `off-` session id, or null (held for review, or not an
 * offline session at all). The caller has claimed the event and holds its transaction.
 */
export async function openOfflineSession(
  tx: Tx,
  machineId: string,
  event: OfflineEvent,
  now: Date,
  badgeKey: Buffer,
): Promise<SessionRow | null> {
  if (!event.sessionId.startsWith(OFFLINE_SESSION_PREFIX)) return null;
  const held = await lockReview(tx, machineId, event.sessionId);
  if (held !== null) return followReview(tx, held, event, now);
  if (event.badge === undefined) return null;
  const machine = await tx
    .select({ id: machines.id })
    .from(machines)
    .where(eq(machines.id, machineId))
    .for('update');
  if (machine.length === 0) return null;

  const { facts, badge } = await loadFacts(tx, machineId, event, now, badgeKey);
  const verdict = decideOfflineSession(facts);
  if (!verdict.accepted) {
    await holdForReview(tx, machineId, event, now, verdict.reason, badge);
    return null;
  }
  if (badge === null || facts.startedAt === null) return null; // accepted implies both
  return insertOfflineSession(tx, {
    sessionId: event.sessionId,
    machineId,
    memberId: badge.memberId,
    badgeId: badge.id,
    startedAt: facts.startedAt,
    now,
  });
}

/** Opens an offline session row; closed at once (power_loss) when the machine has another open session. */
export async function insertOfflineSession(
  tx: Tx,
  s: {
    sessionId: string;
    machineId: string;
    memberId: string;
    badgeId: string | null;
    startedAt: Date;
    now: Date;
  },
): Promise<SessionRow | null> {
  const busy = await tx
    .select({ id: machineSessions.id })
    .from(machineSessions)
    .where(and(eq(machineSessions.machineId, s.machineId), sql`${machineSessions.endedAt} is null`));
  const inserted = await tx
    .insert(machineSessions)
    .values({
      id: s.sessionId,
      machineId: s.machineId,
      memberId: s.memberId,
      badgeId: s.badgeId,
      requestId: s.sessionId,
      startedAt: s.startedAt,
      lastEventAt: s.now,
      offline: true,
      ...(busy.length > 0 ? { endedAt: s.now, endReason: 'power_loss' } : {}),
    })
    .onConflictDoNothing()
    .returning();
  return inserted[0] ?? null;
}

async function lockReview(tx: Tx, machineId: string, sessionId: string): Promise<ReviewRow | null> {
  const rows = await tx
    .select()
    .from(offlineReviews)
    .where(and(eq(offlineReviews.machineId, machineId), eq(offlineReviews.sessionId, sessionId)))
    .for('update');
  return rows[0] ?? null;
}

/**
 * A later event of a held session: its review keeps the greatest runningSeconds and the end.
 * Once accepted, the session exists and is billed like any other (returned to the caller).
 */
async function followReview(
  tx: Tx,
  review: ReviewRow,
  event: OfflineEvent,
  now: Date,
): Promise<SessionRow | null> {
  const isEnd = 'reason' in event;
  await tx
    .update(offlineReviews)
    .set({
      runningSeconds: Math.max(review.runningSeconds, event.runningSeconds),
      unlockedSeconds: Math.max(review.unlockedSeconds, event.unlockedSeconds ?? 0),
      ...(isEnd && review.endReason === null ? { endReason: event.reason, endedAt: now } : {}),
      updatedAt: now,
    })
    .where(eq(offlineReviews.id, review.id));
  if (review.status !== 'accepted') return null;
  const rows = await tx
    .select()
    .from(machineSessions)
    .where(eq(machineSessions.id, review.sessionId))
    .for('update');
  return rows[0] ?? null;
}

type BadgeRow = { id: string; memberId: string; uidLast4: string };

async function holdForReview(
  tx: Tx,
  machineId: string,
  event: OfflineEvent,
  now: Date,
  reason: HoldReason,
  badge: BadgeRow | null,
): Promise<void> {
  const isEnd = 'reason' in event;
  const inserted = await tx
    .insert(offlineReviews)
    .values({
      id: newId(),
      machineId,
      sessionId: event.sessionId,
      badgeId: badge?.id ?? null,
      memberId: badge?.memberId ?? null,
      // Never the UID in clear: its last four characters, as on the badge list.
      badgeLast4: badge?.uidLast4 ?? (event.badge ?? '').slice(-4),
      startedAt: event.startedAt ? new Date(event.startedAt) : null,
      listIssuedAt: event.listIssuedAt ? new Date(event.listIssuedAt) : null,
      runningSeconds: event.runningSeconds,
      unlockedSeconds: event.unlockedSeconds ?? 0,
      ...(isEnd ? { endReason: event.reason, endedAt: now } : {}),
      holdReason: reason,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: offlineReviews.id });
  if (inserted.length > 0) return;
  // Another process held it first: follow its row instead.
  const existing = await lockReview(tx, machineId, event.sessionId);
  if (existing !== null) await followReview(tx, existing, event, now);
}

/** Everything decideOfflineSession needs, from the database. */
async function loadFacts(
  tx: Tx,
  machineId: string,
  event: OfflineEvent,
  now: Date,
  badgeKey: Buffer,
): Promise<{ facts: OfflineFacts; badge: BadgeRow | null }> {
  const uid = event.badge ?? '';
  const startedAt = event.startedAt ? new Date(event.startedAt) : null;
  const found = await tx
    .select()
    .from(badges)
    .where(eq(badges.uidHash, badgeHash(badgeKey, uid)))
    .orderBy(desc(badges.issuedAt));
  // The badge that held the UID at startedAt: the latest issued before it, else the latest.
  const at = startedAt?.getTime() ?? now.getTime();
  const badge = found.find((b) => b.issuedAt.getTime() <= at + OFFLINE_CLOCK_SKEW_MS) ?? found[0] ?? null;
  const list = startedAt === null ? null : await findList(tx, machineId, uid, startedAt, event.listIssuedAt);
  const member = badge
    ? ((await tx.select().from(members).where(eq(members.id, badge.memberId)))[0] ?? null)
    : null;
  const required = (
    await tx
      .select({ q: machineQualifications.qualificationId })
      .from(machineQualifications)
      .where(eq(machineQualifications.machineId, machineId))
  ).map((r) => r.q);
  const certs = member
    ? await tx
        .select({ cert: certifications, lapseDays: qualifications.lapseAfterUnusedDays })
        .from(certifications)
        .innerJoin(qualifications, eq(qualifications.id, certifications.qualificationId))
        .where(eq(certifications.memberId, member.id))
    : [];
  const machineStateAtStart =
    list !== null && startedAt !== null
      ? await machineStateAt(tx, machineId, list.issuedAt, startedAt)
      : 'available';
  return {
    badge: badge ? { id: badge.id, memberId: badge.memberId, uidLast4: badge.uidLast4 } : null,
    facts: {
      now,
      startedAt,
      runningSeconds: event.runningSeconds,
      list,
      badge: badge ? { issuedAt: badge.issuedAt, revokedAt: badge.revokedAt, status: badge.status } : null,
      member,
      requiredQualifications: required,
      certifications: certs.map(({ cert, lapseDays }) => ({ ...cert, lapsesAt: lapseDate(cert, lapseDays) })),
      machineStateAtStart,
    },
  };
}

const recordedHash = (saltHex: string, uid: string) =>
  createHmac('sha256', Buffer.from(saltHex, 'hex')).update(uid).digest('hex').slice(0, RECORDED_HASH_HEX);

/**
 * The list the board decided from: the one named by `listIssuedAt`, else the latest list of
 * this machine valid at startedAt that has the badge (else the latest valid one, else the
 * latest at all, so that the verdict says how startedAt misses it).
 */
async function findList(
  tx: Tx,
  machineId: string,
  uid: string,
  startedAt: Date,
  listIssuedAt: string | undefined,
): Promise<OfflineFacts['list']> {
  const cols = {
    issuedAt: allowlistIssues.issuedAt,
    validUntil: allowlistIssues.validUntil,
    salt: allowlistEntrySets.salt,
    entries: allowlistEntrySets.entries,
  };
  const issues = () =>
    tx
      .select(cols)
      .from(allowlistIssues)
      .innerJoin(allowlistEntrySets, eq(allowlistEntrySets.digest, allowlistIssues.entriesDigest));
  const forMachine = eq(allowlistIssues.machineId, machineId);
  let rows: { issuedAt: Date; validUntil: Date; salt: string; entries: [string, number | null][] }[];
  if (listIssuedAt !== undefined) {
    rows = await issues().where(and(forMachine, eq(allowlistIssues.issuedAt, new Date(listIssuedAt))));
  } else {
    const skew = OFFLINE_CLOCK_SKEW_MS;
    const valid = and(
      forMachine,
      lte(allowlistIssues.issuedAt, new Date(startedAt.getTime() + skew)),
      gte(allowlistIssues.validUntil, new Date(startedAt.getTime() - skew)),
    );
    const salts = await tx
      .selectDistinct({ salt: allowlistEntrySets.salt })
      .from(allowlistIssues)
      .innerJoin(allowlistEntrySets, eq(allowlistEntrySets.digest, allowlistIssues.entriesDigest))
      .where(valid);
    rows = [];
    for (const { salt } of salts) {
      const probe = JSON.stringify([[recordedHash(salt, uid)]]);
      rows = await issues()
        .where(
          and(
            valid,
            eq(allowlistEntrySets.salt, salt),
            sql`${allowlistEntrySets.entries} @> ${probe}::jsonb`,
          ),
        )
        .orderBy(desc(allowlistIssues.issuedAt))
        .limit(1);
      if (rows.length > 0) break;
    }
    if (rows.length === 0)
      rows = await issues().where(valid).orderBy(desc(allowlistIssues.issuedAt)).limit(1);
    if (rows.length === 0)
      rows = await issues().where(forMachine).orderBy(desc(allowlistIssues.issuedAt)).limit(1);
  }
  const row = rows[0];
  if (row === undefined) return null;
  const hash = recordedHash(row.salt, uid);
  const entry = row.entries.find((e) => e[0] === hash);
  return {
    issuedAt: row.issuedAt,
    validUntil: row.validUntil,
    // A null `until` was the list's validUntil.
    entry: entry ? { until: entry[1] === null ? row.validUntil : new Date(entry[1] * 1000) } : null,
  };
}

/**
 * The machine's state at startedAt as far as the audit log tells: lists carry entries only
 * while the machine is available, so it was available at the list's issuedAt; the last state
 * change audited between then and startedAt (an admin's or a board's problem report) wins.
 */
async function machineStateAt(tx: Tx, machineId: string, since: Date, at: Date): Promise<MachineState> {
  const rows = await tx
    .select({ state: sql<string>`${auditLog.after}->>'state'` })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.entity, 'machine'),
        eq(auditLog.entityId, machineId),
        gt(auditLog.at, since),
        lte(auditLog.at, at),
        isNotNull(sql`${auditLog.after}->>'state'`),
      ),
    )
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(1);
  const state = rows[0]?.state;
  return state === 'maintenance' || state === 'locked_out' ? state : 'available';
}
