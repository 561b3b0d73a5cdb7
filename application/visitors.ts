/**
 * "Today at the lab" (issue #4): unique visitors of a day, from door and machine badges
 * (machine_events of kind `badge` whose badge belonged to a member and was GRANTED: a session
 * or a door entry). A refused badge is not counted (security check of 1 Dec 2026, issue #12):
 * a lost card found by someone else, or a suspended member turned back at the door, is not a
 * member's visit. Days and hours are the lab's (LAB_TIMEZONE).
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { num, rowsOf, ts } from './ledger-sql.ts';
import { wallTimeAt, zonedWallTimeToInstant } from './report-range.ts';

export interface VisitorsDay {
  /** YYYY-MM-DD in the lab's time zone */
  date: string;
  from: Date;
  to: Date;
  /** distinct members granted anywhere that day */
  total: number;
  /** distinct members who badged in each hour, 0 to 23 (local time) */
  byHour: number[];
  /** distinct members per machine (the door included) */
  byMachine: { machineId: string; visitors: number }[];
}

/** The lab's day containing `at`: [local midnight, next local midnight). */
export function labDay(at: Date, timeZone: string): { date: string; from: Date; to: Date } {
  const w = wallTimeAt(at.getTime(), timeZone);
  const midnight = (day: number) =>
    new Date(
      zonedWallTimeToInstant(
        { year: w.year, month: w.month, day, hour: 0, minute: 0, second: 0, ms: 0 },
        timeZone,
      ),
    );
  const pad = (n: number) => String(n).padStart(2, '0');
  // Day overflow (the 32nd) is normalised by the UTC arithmetic inside zonedWallTimeToInstant.
  return { date: `${w.year}-${pad(w.month)}-${pad(w.day)}`, from: midnight(w.day), to: midnight(w.day + 1) };
}

export async function visitorsOn(db: DbOrTx, at: Date, timeZone: string): Promise<VisitorsDay> {
  const day = labDay(at, timeZone);
  const where = sql`kind = 'badge' and member_id is not null and granted is true
    and received_at >= ${ts(day.from)} and received_at < ${ts(day.to)}`;
  const [total] = await rowsOf<{ n: unknown }>(
    db,
    sql`select count(distinct member_id) as n from machine_events where ${where}`,
  );
  const hours = await rowsOf<{ h: unknown; n: unknown }>(
    db,
    sql`select extract(hour from received_at at time zone ${timeZone}) as h, count(distinct member_id) as n
        from machine_events where ${where} group by 1`,
  );
  const machines = await rowsOf<{ machine_id: string; n: unknown }>(
    db,
    sql`select machine_id, count(distinct member_id) as n from machine_events where ${where}
        group by machine_id order by 2 desc, 1`,
  );
  const byHour = Array.from({ length: 24 }, () => 0);
  for (const r of hours) byHour[num(r.h)] = num(r.n);
  return {
    ...day,
    total: num(total?.n),
    byHour,
    byMachine: machines.map((r) => ({ machineId: r.machine_id, visitors: num(r.n) })),
  };
}
