/**
 * The closed-period rule (issue #5): once a month is closed, no ledger transaction may be
 * dated inside it; corrections are reversals dated in an open period.
 *
 * Kept off the hot path: a month can only be closed an hour after it ended (periods.ts), so a
 * transaction dated within the last minute cannot fall in a closed month and skips the check.
 * Backdated transactions take a shared advisory lock that closing takes exclusively, so a
 * backdated posting and the closing of its month cannot interleave.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { ServiceError } from './errors.ts';
import { rowsOf, ts } from './ledger-sql.ts';

/** pg advisory lock key shared by closing and backdated postings */
export const PERIOD_LOCK = 7275005;
/** how far back a transaction's date may lie before the closed periods are checked */
export const RECENT_MS = 60_000;

export class PeriodClosedError extends ServiceError {
  constructor(readonly period: string) {
    super(
      'conflict',
      `The period ${period} is closed: nothing may be dated in it. Correct it with a reversal dated in an open period.`,
    );
  }
}

export async function assertPeriodOpen(tx: Tx, createdAt: Date, nowMs = Date.now()): Promise<void> {
  if (createdAt.getTime() >= nowMs - RECENT_MS) return;
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${PERIOD_LOCK})`);
  const [closed] = await rowsOf<{ period: string }>(
    tx,
    sql`select period from closed_periods
        where starts_at <= ${ts(createdAt)} and ends_at > ${ts(createdAt)} limit 1`,
  );
  if (closed !== undefined) throw new PeriodClosedError(closed.period);
}
