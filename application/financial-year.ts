/**
 * The lab's financial year (issue #11 item 6). An association's "exercice" need not be the
 * calendar year: `yearStart` (MM-DD, treasury settings, default 01-01) is the day it opens.
 * Financial year N is the one that STARTS in calendar year N: with yearStart 09-01, year 2026
 * runs from 1 September 2026 to 31 August 2027, and its closing date (the date in the FEC's
 * file name, BOI-CF-IOR-60-40-20 § 70: "AAAAMMJJ … date de clôture de l'exercice") is 20270831.
 * Bounds are midnights in the lab's time zone, like report ranges (report-range.ts).
 */
import { compactLocalDate, zonedWallTimeToInstant } from './report-range.ts';

export const DEFAULT_YEAR_START = '01-01';

/**
 * MM-DD of a day every year has: 29 February would open some years and not others, so it is
 * refused (a year starting "on 29 February" starts on 1 March three years out of four).
 */
export const YEAR_START_PATTERN = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isYearStart(value: string): boolean {
  const m = YEAR_START_PATTERN.exec(value);
  return m !== null && Number(m[2]) <= DAYS_IN_MONTH[Number(m[1]) - 1]!;
}

/** Years a financial-year export may ask for (the report bounds of report-range.ts). */
export const FIRST_YEAR = 1970;
export const LAST_YEAR = 2198;

export interface FinancialYear {
  /** the calendar year the financial year starts in */
  year: number;
  /** first instant (inclusive) */
  from: Date;
  /** first instant of the next financial year (exclusive) */
  to: Date;
  /** AAAAMMJJ of the opening day */
  opening: string;
  /** AAAAMMJJ of the closing day (the last day, in the lab's time zone) */
  closing: string;
}

export function financialYear(year: number, yearStart: string, timeZone: string): FinancialYear {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new RangeError(`the financial year is a year from ${FIRST_YEAR} to ${LAST_YEAR}`);
  }
  if (!isYearStart(yearStart)) throw new RangeError(`"${yearStart}" is not a year start (MM-DD)`);
  const [month, day] = yearStart.split('-').map(Number) as [number, number];
  const at = (y: number) =>
    new Date(zonedWallTimeToInstant({ year: y, month, day, hour: 0, minute: 0, second: 0, ms: 0 }, timeZone));
  const from = at(year);
  const to = at(year + 1);
  return {
    year,
    from,
    to,
    opening: compactLocalDate(from, timeZone),
    closing: compactLocalDate(new Date(to.getTime() - 1), timeZone),
  };
}
