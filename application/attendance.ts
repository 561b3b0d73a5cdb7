/**
 * Attendance for funders (issue #5): who came to the lab, counted from the badge events at
 * door and machine readers (machine_events of kind `badge` with a known member, granted or
 * not: a refused badge is still someone in the lab), in the lab's days (LAB_TIMEZONE).
 *
 * - visitors: distinct members; visits: distinct (member, day) pairs;
 * - by category (core/member-categories.ts) and age band (age reached in the period's year);
 * - new members: visitors whose member record was created in the period; returning: the others;
 * - sessions by machine kind: machine sessions started in the period.
 *
 * The raw events are purged after the retention period (retention.ts), which first stores the
 * figures of the days and months it purges in attendance_aggregates; those stored figures are
 * used for whole days and months here. Counts are suppressed (null) below a threshold in the
 * published, anonymous report (core/suppression.ts).
 */
import { inArray, sql } from 'drizzle-orm';
import { MACHINE_KINDS, type MachineKind } from '../core/domain.ts';
import {
  AGE_BANDS,
  type AgeBand,
  ageBand,
  MEMBER_CATEGORIES,
  type MemberCategory,
  reportCategory,
} from '../core/member-categories.ts';
import { DEFAULT_MIN_COUNT, suppressBreakdown, suppressCount } from '../core/suppression.ts';
import type { DbOrTx } from '../db/client.ts';
import { attendanceAggregates } from '../db/schema.ts';
import { inSnapshot, num, rowsOf, ts } from './ledger-sql.ts';
import { monthsOf } from './monthly-figures.ts';
import { monthBounds } from './periods.ts';
import type { ReportRange } from './report-range.ts';
import { wallTimeAt } from './report-range.ts';
import { labDay } from './visitors.ts';

export type CategoryKey = MemberCategory | 'unknown';
export const CATEGORY_KEYS: readonly CategoryKey[] = [...MEMBER_CATEGORIES, 'unknown'];

/** Exact counts of one period, as computed from the events or stored before a purge. */
export interface RawFigures {
  visitors: number;
  visits: number;
  byCategory: Record<CategoryKey, number>;
  byAgeBand: Record<AgeBand, number>;
  newMembers: number;
  returningMembers: number;
  sessionsByMachineKind: Record<MachineKind, number>;
}

export type Published<T> = { [K in keyof T]: T[K] extends number ? number | null : Published<T[K]> };
export type PublishedFigures = Published<RawFigures>;

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

export function emptyFigures(): RawFigures {
  return {
    visitors: 0,
    visits: 0,
    byCategory: zeros(CATEGORY_KEYS),
    byAgeBand: zeros(AGE_BANDS),
    newMembers: 0,
    returningMembers: 0,
    sessionsByMachineKind: zeros(MACHINE_KINDS),
  };
}

const badgeEvents = (from: Date, to: Date) =>
  sql`e.kind = 'badge' and e.member_id is not null and e.received_at >= ${ts(from)} and e.received_at < ${ts(to)}`;

/** Exact figures of [from, to) from the raw events and sessions. */
export async function rawFigures(db: DbOrTx, from: Date, to: Date, timeZone: string): Promise<RawFigures> {
  const figures = emptyFigures();
  const year = wallTimeAt(from.getTime(), timeZone).year;
  const people = await rowsOf<{
    member_id: string;
    category: string | null;
    birth_year: unknown;
    created_at: unknown;
    days: unknown;
  }>(
    db,
    sql`select e.member_id, m.category, m.birth_year, m.created_at,
          count(distinct (e.received_at at time zone ${timeZone})::date) as days
        from machine_events e left join members m on m.id = e.member_id
        where ${badgeEvents(from, to)}
        group by e.member_id, m.category, m.birth_year, m.created_at`,
  );
  for (const p of people) {
    figures.visitors++;
    figures.visits += num(p.days);
    figures.byCategory[reportCategory(p.category)]++;
    figures.byAgeBand[ageBand(p.birth_year === null ? null : num(p.birth_year), year)]++;
    const created = p.created_at === null ? null : new Date(p.created_at as string | Date);
    if (created !== null && created >= from && created < to) figures.newMembers++;
    else figures.returningMembers++;
  }
  const sessions = await rowsOf<{ kind: string | null; n: unknown }>(
    db,
    sql`select m.kind, count(*) as n from machine_sessions s left join machines m on m.id = s.machine_id
        where s.started_at >= ${ts(from)} and s.started_at < ${ts(to)} group by m.kind`,
  );
  for (const s of sessions) {
    const kind = (MACHINE_KINDS as readonly string[]).includes(s.kind ?? '')
      ? (s.kind as MachineKind)
      : 'other';
    figures.sessionsByMachineKind[kind] += num(s.n);
  }
  return figures;
}

/** Distinct visitors per lab day of the range, from the events. */
async function dailyVisitors(db: DbOrTx, range: ReportRange, timeZone: string): Promise<Map<string, number>> {
  const rows = await rowsOf<{ day: unknown; n: unknown }>(
    db,
    sql`select to_char((e.received_at at time zone ${timeZone})::date, 'YYYY-MM-DD') as day,
          count(distinct e.member_id) as n
        from machine_events e where ${badgeEvents(range.from, range.to)} group by 1`,
  );
  return new Map(rows.map((r) => [String(r.day), num(r.n)]));
}

export function publish(f: RawFigures, threshold: number): PublishedFigures {
  return {
    visitors: suppressCount(f.visitors, threshold),
    visits: suppressCount(f.visits, threshold),
    byCategory: suppressBreakdown(f.byCategory, threshold),
    byAgeBand: suppressBreakdown(f.byAgeBand, threshold),
    ...(() => {
      const nr = suppressBreakdown(
        { newMembers: f.newMembers, returningMembers: f.returningMembers },
        threshold,
      );
      return { newMembers: nr.newMembers, returningMembers: nr.returningMembers };
    })(),
    sessionsByMachineKind: suppressBreakdown(f.sessionsByMachineKind, threshold),
  };
}

/** Every lab day of the range (YYYY-MM-DD), at most ~10 years. */
export function daysOf(range: ReportRange, timeZone: string): string[] {
  const out: string[] = [];
  let day = labDay(range.from, timeZone);
  for (let i = 0; i < 3700 && day.from < range.to; i++) {
    out.push(day.date);
    day = labDay(day.to, timeZone);
  }
  return out;
}

export interface AttendanceReport {
  from: string;
  to: string;
  timeZone: string;
  /** counts from 1 to minimumCount − 1 are published as null */
  minimumCount: number;
  /** false when some events of the range were purged and only whole days/months survive */
  complete: boolean;
  total: PublishedFigures;
  months: ({ month: string; source: 'events' | 'stored'; partial: boolean } & PublishedFigures)[];
  days: { date: string; visitors: number | null; source: 'events' | 'stored' }[];
}

export interface AttendanceOptions {
  timeZone: string;
  minimumCount?: number;
}

export async function attendanceReport(
  db: DbOrTx,
  range: ReportRange,
  options: AttendanceOptions,
): Promise<AttendanceReport> {
  const tz = options.timeZone;
  const threshold = options.minimumCount ?? DEFAULT_MIN_COUNT;
  return inSnapshot(db, async (tx) => {
    const months = monthsOf(range, tz);
    const days = daysOf(range, tz);
    const stored = await tx
      .select()
      .from(attendanceAggregates)
      .where(inArray(attendanceAggregates.period, [...months, ...days]));
    const storedBy = new Map(stored.map((s) => [s.period, s.figures as RawFigures]));
    let complete = true;

    const monthRows: AttendanceReport['months'] = [];
    for (const month of months) {
      const bounds = monthBounds(month, tz);
      const from = new Date(Math.max(bounds.from.getTime(), range.from.getTime()));
      const to = new Date(Math.min(bounds.to.getTime(), range.to.getTime()));
      const partial = from.getTime() !== bounds.from.getTime() || to.getTime() !== bounds.to.getTime();
      const saved = storedBy.get(month);
      if (saved !== undefined && !partial) {
        monthRows.push({ month, source: 'stored', partial, ...publish(fill(saved), threshold) });
        complete = false;
      } else {
        if (saved !== undefined) complete = false;
        monthRows.push({
          month,
          source: 'events',
          partial,
          ...publish(await rawFigures(tx, from, to, tz), threshold),
        });
      }
    }

    const daily = await dailyVisitors(tx, range, tz);
    const dayRows: AttendanceReport['days'] = days.map((date) => {
      const saved = storedBy.get(date);
      if (saved !== undefined)
        return { date, visitors: suppressCount(saved.visitors, threshold), source: 'stored' };
      return { date, visitors: suppressCount(daily.get(date) ?? 0, threshold), source: 'events' };
    });

    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      timeZone: tz,
      minimumCount: threshold,
      complete,
      total: publish(await rawFigures(tx, range.from, range.to, tz), threshold),
      months: monthRows,
      days: dayRows,
    };
  });
}

/** A stored figure set completed with zeros (older rows may lack newer keys). */
function fill(f: Partial<RawFigures>): RawFigures {
  const e = emptyFigures();
  return {
    visitors: f.visitors ?? 0,
    visits: f.visits ?? 0,
    byCategory: { ...e.byCategory, ...f.byCategory },
    byAgeBand: { ...e.byAgeBand, ...f.byAgeBand },
    newMembers: f.newMembers ?? 0,
    returningMembers: f.returningMembers ?? 0,
    sessionsByMachineKind: { ...e.sessionsByMachineKind, ...f.sessionsByMachineKind },
  };
}
