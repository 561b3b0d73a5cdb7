/**
 * Attendance for funders (issue #5): who came to the lab, counted from the badge events at
 * door and machine readers (machine_events of kind `badge` with a known member, granted or
 * not: a refused badge is still someone in the lab), in the lab's days (LAB_TIMEZONE).
 *
 * - visitors: distinct members; visits: distinct (member, day) pairs;
 * - by category (core/member-categories.ts) and age band (age reached in the period's year);
 * - new members: visitors whose member record was created in the period; returning: the others;
 * - by gender (femme, homme, autre, non précisé) and place of residence (inside/outside the
 *   lab's agglomeration, and per commune), as French funders ask (issue #11), from the
 *   members' optional fields;
 * - sessions by machine kind: machine sessions started in the period (the door's are door
 *   entries, named visits in pages and CSV: issue #11).
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
  GENDERS,
  type Gender,
  MEMBER_CATEGORIES,
  type MemberCategory,
  RESIDENCE_AREAS,
  type ResidenceArea,
  reportCategory,
} from '../core/member-categories.ts';
import { DEFAULT_MIN_COUNT, suppressBreakdown, suppressCount } from '../core/suppression.ts';
import type { DbOrTx } from '../db/client.ts';
import { attendanceAggregates } from '../db/schema.ts';
import { attendanceSettings } from './attendance-settings.ts';
import { inSnapshot, num, rowsOf, ts } from './ledger-sql.ts';
import { monthsOf } from './monthly-figures.ts';
import { monthBounds } from './periods.ts';
import type { ReportRange } from './report-range.ts';
import { wallTimeAt } from './report-range.ts';
import { labDay } from './visitors.ts';

export type CategoryKey = MemberCategory | 'unknown';
export const CATEGORY_KEYS: readonly CategoryKey[] = [...MEMBER_CATEGORIES, 'unknown'];
export type GenderKey = Gender | 'unknown';
export const GENDER_KEYS: readonly GenderKey[] = [...GENDERS, 'unknown'];
export type ResidenceKey = ResidenceArea | 'unknown';
export const RESIDENCE_KEYS: readonly ResidenceKey[] = [...RESIDENCE_AREAS, 'unknown'];

/** Visitors per commune as members wrote it (null: not given), largest first. */
export interface CommuneCount<N = number> {
  commune: string | null;
  visitors: N;
}

/** Exact counts of one period, as computed from the events or stored before a purge. */
export interface RawFigures {
  visitors: number;
  visits: number;
  byCategory: Record<CategoryKey, number>;
  byAgeBand: Record<AgeBand, number>;
  byGender: Record<GenderKey, number>;
  byResidence: Record<ResidenceKey, number>;
  byCommune: CommuneCount[];
  newMembers: number;
  returningMembers: number;
  sessionsByMachineKind: Record<MachineKind, number>;
}

export type Published<T> = {
  [K in keyof T]: T[K] extends number
    ? number | null
    : T[K] extends CommuneCount[]
      ? CommuneCount<number | null>[]
      : Published<T[K]>;
};
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
    byGender: zeros(GENDER_KEYS),
    byResidence: zeros(RESIDENCE_KEYS),
    byCommune: [],
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
    gender: string | null;
    residence_commune: string | null;
    residence_area: string | null;
    created_at: unknown;
    days: unknown;
  }>(
    db,
    sql`select e.member_id, m.category, m.birth_year, m.gender, m.residence_commune, m.residence_area,
          m.created_at, count(distinct (e.received_at at time zone ${timeZone})::date) as days
        from machine_events e left join members m on m.id = e.member_id
        where ${badgeEvents(from, to)}
        group by e.member_id, m.category, m.birth_year, m.gender, m.residence_commune, m.residence_area,
          m.created_at`,
  );
  const communes = new Map<string, CommuneCount>();
  for (const p of people) {
    figures.byGender[oneOf(GENDERS, p.gender)]++;
    figures.byResidence[oneOf(RESIDENCE_AREAS, p.residence_area)]++;
    // One commune however it was typed ("amiens ", "Amiens"): case and spaces ignored.
    const commune = p.residence_commune?.trim().replace(/\s+/g, ' ') || null;
    const key = commune === null ? '' : commune.toLocaleLowerCase('fr');
    const c = communes.get(key) ?? { commune, visitors: 0 };
    c.visitors++;
    communes.set(key, c);
    figures.visitors++;
    figures.visits += num(p.days);
    figures.byCategory[reportCategory(p.category)]++;
    figures.byAgeBand[ageBand(p.birth_year === null ? null : num(p.birth_year), year)]++;
    const created = p.created_at === null ? null : new Date(p.created_at as string | Date);
    if (created !== null && created >= from && created < to) figures.newMembers++;
    else figures.returningMembers++;
  }
  figures.byCommune = sortCommunes([...communes.values()]);
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

function oneOf<K extends string>(keys: readonly K[], value: string | null): K | 'unknown' {
  return (keys as readonly string[]).includes(value ?? '') ? (value as K) : 'unknown';
}

function sortCommunes(list: CommuneCount[]): CommuneCount[] {
  return list.sort(
    (a, b) =>
      b.visitors - a.visitors ||
      (a.commune === null ? 1 : b.commune === null ? -1 : a.commune.localeCompare(b.commune, 'fr')),
  );
}

/**
 * Communes with the same small-count suppression as the other breakdowns: their counts (the
 * not-given line included) add up to the published visitor total, so a lone hidden one would
 * be recovered by subtraction (core/suppression.ts hides a second).
 */
function publishCommunes(list: readonly CommuneCount[], threshold: number): CommuneCount<number | null>[] {
  const counts = Object.fromEntries(list.map((c, i) => [String(i), c.visitors]));
  const published = suppressBreakdown(counts, threshold);
  return list.map((c, i) => ({ commune: c.commune, visitors: published[String(i)] ?? null }));
}

export function publish(f: RawFigures, threshold: number): PublishedFigures {
  return {
    visitors: suppressCount(f.visitors, threshold),
    visits: suppressCount(f.visits, threshold),
    byCategory: suppressBreakdown(f.byCategory, threshold),
    byAgeBand: suppressBreakdown(f.byAgeBand, threshold),
    byGender: suppressBreakdown(f.byGender, threshold),
    byResidence: suppressBreakdown(f.byResidence, threshold),
    byCommune: publishCommunes(f.byCommune, threshold),
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
  /** the lab's agglomeration that byResidence refers to (settings), if named */
  agglomeration: string | null;
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
      agglomeration: (await attendanceSettings(tx)).agglomeration,
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
    // Figures stored before issue #11 have no gender or residence: all "not specified".
    byGender: f.byGender ? { ...e.byGender, ...f.byGender } : { ...e.byGender, unknown: f.visitors ?? 0 },
    byResidence: f.byResidence
      ? { ...e.byResidence, ...f.byResidence }
      : { ...e.byResidence, unknown: f.visitors ?? 0 },
    byCommune: f.byCommune ?? (f.visitors ? [{ commune: null, visitors: f.visitors }] : []),
    newMembers: f.newMembers ?? 0,
    returningMembers: f.returningMembers ?? 0,
    sessionsByMachineKind: { ...e.sessionsByMachineKind, ...f.sessionsByMachineKind },
  };
}
