/**
 * Filters by days, as people say them (issue #12 item 5): "du 1er au 31 mars" includes the
 * 31st. A first day is its midnight in the lab's time zone; a last day ends at the next
 * day's midnight. Either may be left open.
 */
import { parseReportRange, RangeInputError } from '../../application/report-range.ts';

function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

function realDay(day: string): boolean {
  const at = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === day;
}

/** null: not real days, or the last before the first. */
export function dayRange(
  from: string | undefined,
  until: string | undefined,
  timeZone: string,
): { from: Date | undefined; to: Date | undefined } | null {
  if (from === undefined && until === undefined) return { from: undefined, to: undefined };
  if (![from, until].every((d) => d === undefined || realDay(d))) return null;
  try {
    const r = parseReportRange(from ?? '1970-01-01', until ? nextDay(until) : '2200-01-01', timeZone);
    return { from: from ? r.from : undefined, to: until ? r.to : undefined };
  } catch (e) {
    if (e instanceof RangeInputError) return null;
    throw e;
  }
}
