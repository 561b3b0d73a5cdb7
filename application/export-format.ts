/** Small formatting helpers shared by the CSV exports (issue #5): dates in the lab's time zone. */
import { wallTimeAt } from './report-range.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `31/03/2026` in the lab's time zone (French spreadsheets and Paheko read it). */
export function frenchDate(at: Date, timeZone: string): string {
  const w = wallTimeAt(at.getTime(), timeZone);
  return `${pad(w.day)}/${pad(w.month)}/${pad(w.year, 4)}`;
}

/** `31/03/2026 14:05:09` in the lab's time zone. */
export function frenchDateTime(at: Date, timeZone: string): string {
  const w = wallTimeAt(at.getTime(), timeZone);
  return `${frenchDate(at, timeZone)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** `2026-03-31` in the lab's time zone. */
export function isoLocalDate(at: Date, timeZone: string): string {
  const w = wallTimeAt(at.getTime(), timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** A file name part for a range: `2026-03-01_2026-03-31` (the last day is `to` minus 1 ms). */
export function rangeSlug(range: { from: Date; to: Date }, timeZone: string): string {
  return `${isoLocalDate(range.from, timeZone)}_${isoLocalDate(new Date(range.to.getTime() - 1), timeZone)}`;
}

/** Timestamps from raw SQL come back as Date (PGlite) or string (node-postgres). */
export function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}
