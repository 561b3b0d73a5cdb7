/**
 * Closing a month (issue #5). The treasurer closes a month once its card report balances;
 * afterwards nothing may be dated in it (period-guard.ts) and corrections are reversals in an
 * open period. A month whose checks fail is closed only with `force` and a reason, both kept.
 */
import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { closedPeriods } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { conflict, invalid } from './errors.ts';
import { PERIOD_LOCK } from './period-guard.ts';
import { zonedWallTimeToInstant } from './report-range.ts';
import { type CardReport, cardReport } from './reports.ts';

/** A month may be closed this long after it ended (see period-guard.ts). */
export const CLOSE_GRACE_MS = 60 * 60_000;

export const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** [first instant, first instant of the next month) of `YYYY-MM` in the lab's time zone. */
export function monthBounds(period: string, timeZone: string): { from: Date; to: Date } {
  const m = PERIOD_PATTERN.exec(period);
  if (!m) throw invalid('period', `"${period}" is not a month written YYYY-MM, such as 2026-03`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const at = (y: number, mo: number) =>
    new Date(
      zonedWallTimeToInstant({ year: y, month: mo, day: 1, hour: 0, minute: 0, second: 0, ms: 0 }, timeZone),
    );
  return { from: at(year, month), to: month === 12 ? at(year + 1, 1) : at(year, month + 1) };
}

type Row = typeof closedPeriods.$inferSelect;

export function publicPeriod(r: Row) {
  const report = r.report as Partial<CardReport>;
  return {
    period: r.period,
    from: r.startsAt,
    to: r.endsAt,
    closedAt: r.closedAt,
    closedBy: r.closedBy,
    forced: r.forced,
    reason: r.reason,
    openingLiabilityCents: report.openingLiabilityCents ?? null,
    closingLiabilityCents: report.closingLiabilityCents ?? null,
    report: r.report,
  };
}

export async function listClosedPeriods(db: Db) {
  const rows = await db.select().from(closedPeriods).orderBy(desc(closedPeriods.startsAt));
  return rows.map(publicPeriod);
}

export interface CloseRequest {
  period: string;
  force?: boolean | undefined;
  reason?: string | null | undefined;
}

export class ChecksFailedError extends Error {
  constructor(readonly report: CardReport) {
    const d = report.checks.discrepancies;
    super(
      `The card report for this month does not balance (${d.length} discrepanc${d.length === 1 ? 'y' : 'ies'}: ` +
        `${d
          .slice(0, 3)
          .map((x) => x.detail)
          .join('; ')}${d.length > 3 ? '; …' : ''}). Fix them first, or close with force and a reason.`,
    );
  }
}

export async function closePeriod(
  db: Db,
  actor: Actor,
  request: CloseRequest,
  options: { timeZone: string; now: Date },
) {
  const { from, to } = monthBounds(request.period, options.timeZone);
  if (to.getTime() > options.now.getTime() - CLOSE_GRACE_MS) {
    throw conflict(
      `${request.period} is not over (or ended less than an hour ago): a month can be closed from ${new Date(
        to.getTime() + CLOSE_GRACE_MS,
      ).toISOString()}.`,
    );
  }
  const reason = request.reason?.trim() || null;
  if (request.force && reason === null) throw invalid('reason', 'closing with force needs a reason');
  return db.transaction(async (tx) => {
    // Backdated postings hold this lock shared: none can land in the month while it closes.
    await tx.execute(sql`select pg_advisory_xact_lock(${PERIOD_LOCK})`);
    const [existing] = await tx.select().from(closedPeriods).where(eq(closedPeriods.period, request.period));
    if (existing !== undefined) {
      throw conflict(`${request.period} was already closed on ${existing.closedAt.toISOString()}.`);
    }
    const report = await cardReport(tx, { from, to });
    const failed = report.checks.discrepancies.length > 0;
    if (failed && !request.force) throw new ChecksFailedError(report);
    const [row] = await tx
      .insert(closedPeriods)
      .values({
        period: request.period,
        startsAt: from,
        endsAt: to,
        closedAt: options.now,
        closedBy: actor,
        forced: failed,
        reason,
        report: JSON.parse(JSON.stringify(report)) as unknown,
      })
      .returning();
    const period = publicPeriod(row!);
    await audit(tx, {
      actor,
      action: 'close',
      entity: 'period',
      entityId: request.period,
      after: { ...period, report: undefined },
    });
    return period;
  });
}
