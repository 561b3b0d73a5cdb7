/**
 * Report ranges (SPEC §3: "Report ranges: `from` inclusive, `to` exclusive, ISO-8601 dates
 * or date-times"). A bare date is midnight in the lab's time zone (`LAB_TIMEZONE`), so
 * `from=2026-03-01&to=2026-04-01` is exactly March as the treasurer lives it, whatever
 * the daylight-saving changes in between. Only Intl is used: no time-zone package.
 */

/** Bad report bounds (SPEC §4): the route answers 400 with `field` in `errors[]`. */
export class RangeInputError extends Error {
  constructor(
    readonly field: 'from' | 'to',
    message: string,
  ) {
    super(message);
    this.name = 'RangeInputError';
  }
}

export interface ReportRange {
  from: Date;
  to: Date;
}

/**
 * Bounds a report may take: wide enough for any lab's history, narrow enough that the
 * database and the month-by-month reports never meet a date they cannot hold (year 0 in
 * PostgreSQL, 96,000 months of attendance).
 */
export const EARLIEST_BOUND = '1970-01-01';
export const LATEST_BOUND = '2200-01-01';
const EARLIEST_MS = Date.UTC(1969, 11, 31);
const LATEST_MS = Date.UTC(2200, 0, 2);

const EXAMPLES = 'an ISO-8601 date such as 2026-03-01, or a date-time such as 2026-03-01T08:00:00+01:00';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Seconds and fractions are optional; the offset is Z, ±HH:MM or ±HHMM. A date-time without
// an offset is a wall-clock time in the lab's zone, like a bare date. A space where the
// offset's sign should be is read as '+': an unencoded '+' in a query string arrives as one.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+\- ]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses `from` and `to` into instants. Throws RangeInputError when either is missing or
 * not a valid date/date-time, or when `from` is not before `to`.
 */
export function parseReportRange(
  from: string | undefined,
  to: string | undefined,
  timeZone: string,
): ReportRange {
  const start = parseBound('from', from, timeZone);
  const end = parseBound('to', to, timeZone);
  if (start.getTime() >= end.getTime()) {
    throw new RangeInputError(
      'to',
      `to (${end.toISOString()}) must be after from (${start.toISOString()}): from is inclusive, to exclusive`,
    );
  }
  return { from: start, to: end };
}

function parseBound(field: 'from' | 'to', raw: string | undefined, timeZone: string): Date {
  const instant = parseInstant(field, raw, timeZone);
  // A day of margin either side: time zones move midnight by up to 14 h.
  const t = instant.getTime();
  if (!(t >= EARLIEST_MS && t <= LATEST_MS)) {
    throw new RangeInputError(
      field,
      `${field} "${truncate(String(raw).trim())}" is out of range: report bounds lie between ${EARLIEST_BOUND} and ${LATEST_BOUND}`,
    );
  }
  return instant;
}

function parseInstant(field: 'from' | 'to', raw: string | undefined, timeZone: string): Date {
  if (raw === undefined || raw.trim() === '')
    throw new RangeInputError(field, `${field} is required: ${EXAMPLES}`);
  const value = raw.trim();
  const invalid = () => new RangeInputError(field, `${field} "${truncate(value)}" is not valid: ${EXAMPLES}`);

  const date = DATE.exec(value);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!isCalendarDate(y, m, d)) throw invalid();
    return new Date(
      zonedWallTimeToInstant({ year: y, month: m, day: d, hour: 0, minute: 0, second: 0, ms: 0 }, timeZone),
    );
  }

  const dt = DATE_TIME.exec(value);
  if (!dt) throw invalid();
  const wall: WallTime = {
    year: Number(dt[1]),
    month: Number(dt[2]),
    day: Number(dt[3]),
    hour: Number(dt[4]),
    minute: Number(dt[5]),
    second: dt[6] === undefined ? 0 : Number(dt[6]),
    ms: dt[7] === undefined ? 0 : Number(dt[7].padEnd(3, '0').slice(0, 3)),
  };
  if (
    !isCalendarDate(wall.year, wall.month, wall.day) ||
    wall.hour > 23 ||
    wall.minute > 59 ||
    wall.second > 59
  ) {
    throw invalid();
  }
  const offset = dt[8];
  if (offset === undefined) return new Date(zonedWallTimeToInstant(wall, timeZone));
  let offsetMinutes = 0;
  if (offset.toUpperCase() !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (hours > 23 || minutes > 59) throw invalid();
    offsetMinutes = (offset[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return new Date(wallAsUtc(wall) - offsetMinutes * 60_000);
}

function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}…` : value;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/** The wall time read as if it were UTC, in ms (Date.UTC maps years 0–99 to 19xx; this does not). */
function wallAsUtc(w: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, w.ms);
  return d.getTime();
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // Throws RangeError for an unknown zone: that is a configuration error, not bad input.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time in `timeZone` at an instant (ms precision kept). */
export function wallTimeAt(instantMs: number, timeZone: string): WallTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instantMs))) parts[p.type] = p.value;
  const year = Number(parts.year);
  return {
    year: parts.era === 'BC' || parts.era === 'B' ? 1 - year : year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    ms: ((instantMs % 1000) + 1000) % 1000,
  };
}

/** The zone's offset from UTC at an instant, in ms (Paris: +3_600_000 in winter). */
function offsetAt(instantMs: number, timeZone: string): number {
  return wallAsUtc(wallTimeAt(instantMs, timeZone)) - instantMs;
}

/**
 * The instant a wall-clock time happens in `timeZone`. A time that occurs twice (the hour
 * repeated when clocks go back) resolves to the first occurrence; a time that does not
 * exist (skipped when clocks go forward) is moved forward by the gap, so a day whose
 * midnight is skipped starts at the first instant that exists (as Temporal's "compatible").
 */
export function zonedWallTimeToInstant(wall: WallTime, timeZone: string): number {
  const asUtc = wallAsUtc(wall);
  const before = offsetAt(asUtc - 86_400_000, timeZone);
  const after = offsetAt(asUtc + 86_400_000, timeZone);
  const candidates = [asUtc - before, asUtc - after].filter((t) => t + offsetAt(t, timeZone) === asUtc);
  if (candidates.length > 0) return Math.min(...candidates);
  return asUtc - before;
}

/** `AAAAMMJJ` (FEC dates) of an instant in `timeZone`. */
export function compactLocalDate(instant: Date, timeZone: string): string {
  const w = wallTimeAt(instant.getTime(), timeZone);
  return `${String(w.year).padStart(4, '0')}${String(w.month).padStart(2, '0')}${String(w.day).padStart(2, '0')}`;
}
