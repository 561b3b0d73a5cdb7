/**
 * Retention of raw badge events (issue #5, GDPR storage limitation): machine_events older than
 * the retention period (default 90 days, setting `badge_event_retention_days` or the CLI's
 * --days) are deleted; sessions, the ledger and attendance figures are kept.
 *
 * Before deleting, the attendance figures of every day and month being purged are stored in
 * attendance_aggregates (attendance.ts reads them back). Monthly distinct-visitor counts need
 * the whole month's events, so only whole months are ever cut into: the cut-off is the start of
 * the lab day N days ago, but never later than the start of the current month, and a month's
 * figures are stored the first time the purge reaches into it (while all its events remain).
 *
 * machine_events also guards against replayed MQTT messages; a device replaying an event older
 * than the retention period would be handled again, which for a session already closed changes
 * nothing. Runs from the server once a day (RetentionJob) and from the CLI (`purge`).
 */
import { lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { attendanceAggregates, machineEvents } from '../db/schema.ts';
import { rawFigures } from './attendance.ts';
import { type Actor, audit } from './audit.ts';
import { num, rowsOf, ts } from './ledger-sql.ts';
import { monthBounds } from './periods.ts';
import { wallTimeAt, zonedWallTimeToInstant } from './report-range.ts';
import { retentionDays } from './treasury-settings.ts';
import { labDay } from './visitors.ts';

export interface PurgeResult {
  cutoff: string;
  retentionDays: number;
  deletedEvents: number;
  storedDays: number;
  storedMonths: number;
}

export function purgeCutoff(now: Date, days: number, timeZone: string): Date {
  const dayStart = labDay(new Date(now.getTime() - days * 86_400_000), timeZone).from;
  const w = wallTimeAt(now.getTime(), timeZone);
  const monthStart = new Date(
    zonedWallTimeToInstant(
      { year: w.year, month: w.month, day: 1, hour: 0, minute: 0, second: 0, ms: 0 },
      timeZone,
    ),
  );
  return dayStart < monthStart ? dayStart : monthStart;
}

export async function purgeBadgeEvents(
  db: Db,
  options: { now: Date; timeZone: string; days?: number; defaultDays?: number; actor?: Actor },
): Promise<PurgeResult> {
  // An explicit number of days, else the stored setting, else the environment's default.
  const days = options.days ?? (await retentionDays(db, options.defaultDays));
  const tz = options.timeZone;
  const cutoff = purgeCutoff(options.now, days, tz);
  return db.transaction(async (tx) => {
    // One purge at a time across processes (the server's job and the CLI).
    await tx.execute(sql`select pg_advisory_xact_lock(7275006)`);
    const periods = await rowsOf<{ day: string; month: string }>(
      tx,
      sql`select distinct to_char((received_at at time zone ${tz})::date, 'YYYY-MM-DD') as day,
            to_char((received_at at time zone ${tz})::date, 'YYYY-MM') as month
          from machine_events where kind = 'badge' and member_id is not null and received_at < ${ts(cutoff)}
          order by 1`,
    );
    let storedDays = 0;
    let storedMonths = 0;
    const store = async (period: string, from: Date, to: Date) => {
      const figures = await rawFigures(tx, from, to, tz);
      const inserted = await tx
        .insert(attendanceAggregates)
        .values({ period, figures, computedAt: options.now })
        .onConflictDoNothing()
        .returning({ period: attendanceAggregates.period });
      return inserted.length;
    };
    for (const month of new Set(periods.map((p) => p.month))) {
      const { from, to } = monthBounds(month, tz);
      storedMonths += await store(month, from, to);
    }
    for (const { day } of periods) {
      const [y, m, d] = day.split('-').map(Number) as [number, number, number];
      const from = new Date(
        zonedWallTimeToInstant({ year: y, month: m, day: d, hour: 0, minute: 0, second: 0, ms: 0 }, tz),
      );
      storedDays += await store(day, from, labDay(from, tz).to);
    }
    const deleted = await tx
      .delete(machineEvents)
      .where(lt(machineEvents.receivedAt, cutoff))
      .returning({ id: machineEvents.id });
    const result: PurgeResult = {
      cutoff: cutoff.toISOString(),
      retentionDays: days,
      deletedEvents: deleted.length,
      storedDays,
      storedMonths,
    };
    if (deleted.length > 0) {
      await audit(tx, {
        actor: options.actor ?? 'system',
        action: 'purge',
        entity: 'machine_events',
        entityId: null,
        after: result,
      });
    }
    return result;
  });
}

/** How many events a purge would delete now (for the CLI's dry run). */
export async function purgeableEventCount(db: Db, cutoff: Date): Promise<number> {
  const [row] = await rowsOf<{ n: unknown }>(
    db,
    sql`select count(*) as n from machine_events where received_at < ${ts(cutoff)}`,
  );
  return num(row?.n);
}

/**
 * Runs the purge once a day in the server (issue #5). start() schedules, stop() clears the
 * timer; a failure is logged and retried the next day.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | null = null;
  private first: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly options: {
      db: Db;
      timeZone: string;
      log: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
      intervalMs?: number;
      /** BADGE_EVENT_RETENTION_DAYS: used when no setting is stored */
      defaultDays?: number;
      now?: () => Date;
    },
  ) {}

  start(): void {
    const interval = this.options.intervalMs ?? 24 * 3600_000;
    const run = () => {
      this.running = this.runOnce().finally(() => {
        this.running = null;
      });
    };
    this.timer = setInterval(run, interval);
    this.timer.unref();
    // First run shortly after start, off the start-up path.
    this.first = setTimeout(run, 60_000);
    this.first.unref();
  }

  async runOnce(): Promise<PurgeResult | null> {
    try {
      const result = await purgeBadgeEvents(this.options.db, {
        now: (this.options.now ?? (() => new Date()))(),
        timeZone: this.options.timeZone,
        ...(this.options.defaultDays === undefined ? {} : { defaultDays: this.options.defaultDays }),
      });
      if (result.deletedEvents > 0) this.options.log('info', 'badge events purged', { ...result });
      return result;
    } catch (err) {
      this.options.log('warn', 'badge event purge failed', {
        error: err instanceof Error ? err.message : String(err),
      });
      return null;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.first) clearTimeout(this.first);
    this.timer = null;
    this.first = null;
    await this.running;
  }
}
