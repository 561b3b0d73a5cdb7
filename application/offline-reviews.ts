/**
 * The treasurer's review of offline sessions the server held instead of billing (issue #9):
 * accept opens and bills the session as an offline session (down to the card's floor, never
 * below); refuse debits nothing. Both are audited and idempotent: asking twice changes nothing.
 */
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx, Tx } from '../db/client.ts';
import { lockMachine } from '../db/lock-order.ts';
import { machineSessions, machines, members, offlineReviews } from '../db/schema.ts';
import { audit } from './audit.ts';
import { conflict, notFound } from './errors.ts';
import { afterSessionEnded, applyRunningSeconds } from './machine-loop/metering-service.ts';
import { insertOfflineSession } from './machine-loop/offline-sessions.ts';
import { runUseCase, type UseCaseContext, validate } from './use-case.ts';

export const REVIEW_STATUSES = ['pending', 'accepted', 'refused'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export interface ReviewView {
  id: string;
  machineId: string;
  machineName: string | null;
  sessionId: string;
  memberId: string | null;
  memberName: string | null;
  badgeLast4: string;
  startedAt: Date | null;
  listIssuedAt: Date | null;
  runningSeconds: number;
  endReason: string | null;
  endedAt: Date | null;
  holdReason: string;
  status: ReviewStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  /** what the accepted session was debited; null until accepted */
  chargedCents: number | null;
  createdAt: Date;
}

const columns = {
  id: offlineReviews.id,
  machineId: offlineReviews.machineId,
  machineName: machines.name,
  sessionId: offlineReviews.sessionId,
  memberId: offlineReviews.memberId,
  memberName: members.name,
  badgeLast4: offlineReviews.badgeLast4,
  startedAt: offlineReviews.startedAt,
  listIssuedAt: offlineReviews.listIssuedAt,
  runningSeconds: offlineReviews.runningSeconds,
  endReason: offlineReviews.endReason,
  endedAt: offlineReviews.endedAt,
  holdReason: offlineReviews.holdReason,
  status: offlineReviews.status,
  decidedBy: offlineReviews.decidedBy,
  decidedAt: offlineReviews.decidedAt,
  chargedCents: machineSessions.chargedCents,
  createdAt: offlineReviews.createdAt,
};

function query(db: DbOrTx) {
  return db
    .select(columns)
    .from(offlineReviews)
    .leftJoin(machines, eq(machines.id, offlineReviews.machineId))
    .leftJoin(members, eq(members.id, offlineReviews.memberId))
    .leftJoin(
      machineSessions,
      and(eq(machineSessions.id, offlineReviews.sessionId), eq(offlineReviews.status, 'accepted')),
    );
}

export async function listReviews(
  db: DbOrTx,
  q: { status?: ReviewStatus | undefined; limit: number; offset: number },
): Promise<{ items: ReviewView[]; total: number; limit: number; offset: number }> {
  const where: SQL | undefined = q.status ? eq(offlineReviews.status, q.status) : undefined;
  const items = await query(db)
    .where(where)
    .orderBy(desc(offlineReviews.createdAt), desc(offlineReviews.id))
    .limit(q.limit)
    .offset(q.offset);
  const [total] = await db.select({ n: count() }).from(offlineReviews).where(where);
  return { items, total: total?.n ?? 0, limit: q.limit, offset: q.offset };
}

export async function getReview(db: DbOrTx, id: string): Promise<ReviewView> {
  const [row] = await query(db).where(eq(offlineReviews.id, id));
  if (row === undefined) throw notFound('offline review', id);
  return row;
}

/** The review's machine first, then the review (db/lock-order.ts: machines before the rest). */
async function lockReview(tx: Tx, id: string) {
  const [peek] = await tx
    .select({ machineId: offlineReviews.machineId })
    .from(offlineReviews)
    .where(eq(offlineReviews.id, id));
  if (peek === undefined) throw notFound('offline review', id);
  await lockMachine(tx, peek.machineId);
  const [row] = await tx.select().from(offlineReviews).where(eq(offlineReviews.id, id)).for('update');
  if (row === undefined) throw notFound('offline review', id);
  return row;
}

export const reviewInput = z.object({ reviewId: z.string().trim().min(1).max(200) }).strict();

/** Opens and bills the held session (use case, issue #12: API and treasurer's page). Accepting an accepted review changes nothing. */
export async function acceptReview(
  ctx: UseCaseContext,
  input: z.input<typeof reviewInput>,
): Promise<{ review: ReviewView; changed: boolean }> {
  const { reviewId: id } = validate(reviewInput, input);
  const actor = ctx.by;
  const now = ctx.now();
  const changed = await runUseCase(ctx, async (tx) => {
    const review = await lockReview(tx, id);
    if (review.status === 'accepted') return { result: false };
    if (review.status === 'refused') {
      throw conflict('This offline session was refused; a refused session cannot be accepted afterwards.');
    }
    if (review.memberId === null || review.startedAt === null) {
      throw conflict(
        'The badge of this session matches no member (or it has no start time): there is nobody to bill; refuse it.',
      );
    }
    const opened = await insertOfflineSession(tx, {
      sessionId: review.sessionId,
      machineId: review.machineId,
      memberId: review.memberId,
      badgeId: review.badgeId,
      startedAt: review.startedAt,
      now,
    });
    if (opened === null)
      throw conflict(`A session with the id ${review.sessionId} already exists; refuse this review.`);
    // Locks the member's card and debits up to the formula, never below the machine's floor.
    await applyRunningSeconds(
      tx,
      opened,
      review.runningSeconds,
      now,
      Math.max(0, review.unlockedSeconds - review.runningSeconds),
    );
    if (review.endReason !== null && opened.endedAt === null) {
      await tx
        .update(machineSessions)
        .set({ endedAt: review.endedAt ?? now, endReason: review.endReason })
        .where(eq(machineSessions.id, opened.id));
      // No post-use check days later; maintenance still falls due on the hours run.
      await afterSessionEnded(tx, opened.machineId, true);
    }
    await tx
      .update(offlineReviews)
      .set({ status: 'accepted', decidedBy: actor, decidedAt: now, updatedAt: now })
      .where(eq(offlineReviews.id, id));
    const [session] = await tx.select().from(machineSessions).where(eq(machineSessions.id, opened.id));
    await audit(tx, {
      actor,
      action: 'accept_offline_session',
      entity: 'offline_review',
      entityId: id,
      before: { status: review.status, holdReason: review.holdReason },
      after: {
        status: 'accepted',
        sessionId: review.sessionId,
        memberId: review.memberId,
        runningSeconds: session?.runningSeconds,
        chargedCents: session?.chargedCents,
      },
    });
    // The card was debited: its credit on the lists changes.
    return { result: true, changed: { memberIds: [review.memberId], machineIds: [review.machineId] } };
  });
  return { review: await getReview(ctx.db, id), changed };
}

/** Debits nothing and closes the review. Refusing a refused review changes nothing. */
export async function refuseReview(
  ctx: UseCaseContext,
  input: z.input<typeof reviewInput>,
): Promise<{ review: ReviewView; changed: boolean }> {
  const { reviewId: id } = validate(reviewInput, input);
  const actor = ctx.by;
  const now = ctx.now();
  const changed = await runUseCase(ctx, async (tx) => {
    const review = await lockReview(tx, id);
    if (review.status === 'refused') return { result: false };
    if (review.status === 'accepted') {
      throw conflict('This offline session was accepted and billed; refund it with an adjustment if needed.');
    }
    await tx
      .update(offlineReviews)
      .set({ status: 'refused', decidedBy: actor, decidedAt: now, updatedAt: now })
      .where(eq(offlineReviews.id, id));
    await audit(tx, {
      actor,
      action: 'refuse_offline_session',
      entity: 'offline_review',
      entityId: id,
      before: { status: review.status, holdReason: review.holdReason },
      after: { status: 'refused', sessionId: review.sessionId, memberId: review.memberId },
    });
    return { result: true };
  });
  return { review: await getReview(ctx.db, id), changed };
}
