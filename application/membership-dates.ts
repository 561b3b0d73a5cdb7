/**
 * Membership end dates as people write them (issue #12 item 5). A membership "jusqu'au
 * 31/08/2027" is stored as the exclusive bound, the next local midnight (1 September 00:00 in
 * the lab's time zone), so that the access check stays `now < membershipValidUntil`. Forms
 * take the inclusive last day and pages show it back: `lastDay(bound)` is the day of the last
 * instant still covered, so a bound at midnight shows the day before.
 */
import { wallTimeAt, zonedWallTimeToInstant } from './report-range.ts';

/** `YYYY-MM-DD`, a date of the calendar. */
export const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function calendar(y: number, m: number, d: number): boolean {
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

/** The exclusive bound of a membership valid through the day `y-m-d` in `timeZone`. */
export function boundAfterDay(y: number, m: number, d: number, timeZone: string): Date {
  return new Date(
    zonedWallTimeToInstant({ year: y, month: m, day: d + 1, hour: 0, minute: 0, second: 0, ms: 0 }, timeZone),
  );
}

/**
 * `31/08/2027`, `31/08/27`, `31.08.2027`, `2027-08-31`: valid through that whole day, so the
 * bound is the next local midnight. Null for anything else or a day that does not exist.
 */
export function parseLastDay(text: string, timeZone: string): Date | null {
  const t = text.trim();
  const fr = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(t);
  const iso = ISO_DAY.exec(t);
  let y: number;
  let m: number;
  let d: number;
  if (fr) {
    d = Number(fr[1]);
    m = Number(fr[2]);
    y = Number(fr[3]) + (fr[3]!.length === 2 ? 2000 : 0);
  } else if (iso) {
    y = Number(iso[1]);
    m = Number(iso[2]);
    d = Number(iso[3]);
  } else return null;
  if (y < 1970 || y > 2199 || !calendar(y, m, d)) return null;
  return boundAfterDay(y, m, d, timeZone);
}

/** The last day a bound still covers, as `YYYY-MM-DD` in `timeZone` (for `<input type="date">`). */
export function lastDay(bound: Date, timeZone: string): string {
  const w = wallTimeAt(bound.getTime() - 1, timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** The instant to format when showing the last day (any instant of that day will do). */
export function lastDayInstant(bound: Date): Date {
  return new Date(bound.getTime() - 1);
}

/**
 * The renewal the dashboard proposes (issue #12: "Renouveler jusqu'au …" with the lab's
 * usual end date). `usual` is the day and month most memberships end on (the lab's
 * membership year, e.g. 31 August); the proposal is the first such day that extends the
 * membership: after both today and the current end. Without a usual day: one year after the
 * current end, or after today.
 */
export function proposedLastDay(opts: {
  currentBound: Date | null;
  usual: { month: number; day: number } | null;
  now: Date;
  timeZone: string;
}): string {
  const { currentBound, usual, now, timeZone } = opts;
  const today = lastDay(new Date(now.getTime() + 1), timeZone);
  const current = currentBound === null ? today : lastDay(currentBound, timeZone);
  const from = current > today ? current : today;
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const fmt = (y: number, m: number, d: number) =>
    `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (usual === null) {
    // One year on; 29 February becomes 28 February.
    const d = calendar(fy + 1, fm, fd) ? fd : fd - 1;
    return fmt(fy + 1, fm, d);
  }
  for (let y = fy; y <= fy + 2; y++) {
    const d = calendar(y, usual.month, usual.day) ? usual.day : usual.day - 1;
    const candidate = fmt(y, usual.month, d);
    if (candidate > from) return candidate;
  }
  return fmt(fy + 1, usual.month, usual.day);
}
