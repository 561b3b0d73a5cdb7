import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compactLocalDate,
  parseReportRange,
  RangeInputError,
  zonedWallTimeToInstant,
} from './report-range.ts';

const PARIS = 'Europe/Paris';

describe('parseReportRange', () => {
  it.each([
    // winter (UTC+1)
    ['2026-01-01', '2026-02-01', PARIS, '2025-12-31T23:00:00.000Z', '2026-01-31T23:00:00.000Z'],
    // summer (UTC+2)
    ['2026-07-01', '2026-08-01', PARIS, '2026-06-30T22:00:00.000Z', '2026-07-31T22:00:00.000Z'],
    // clocks go forward on 2026-03-29 at 02:00: that day lasts 23 hours
    ['2026-03-29', '2026-03-30', PARIS, '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    ['2026-03-01', '2026-04-01', PARIS, '2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z'],
    // clocks go back on 2026-10-25 at 03:00: that day lasts 25 hours
    ['2026-10-25', '2026-10-26', PARIS, '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
    ['2026-10-01', '2026-11-01', PARIS, '2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z'],
    // a whole year, leap day
    ['2028-02-29', '2029-01-01', PARIS, '2028-02-28T23:00:00.000Z', '2028-12-31T23:00:00.000Z'],
    ['2026-03-01', '2026-03-02', 'UTC', '2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
    ['2026-03-01', '2026-03-02', 'America/New_York', '2026-03-01T05:00:00.000Z', '2026-03-02T05:00:00.000Z'],
    // Santiago skips midnight on 2026-09-06 (00:00 -> 01:00): the day starts at 01:00 local
    ['2026-09-06', '2026-09-07', 'America/Santiago', '2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z'],
    // date-times with an offset are exact, whatever the zone
    [
      '2026-03-29T00:30:00Z',
      '2026-03-29T04:00:00+02:00',
      PARIS,
      '2026-03-29T00:30:00.000Z',
      '2026-03-29T02:00:00.000Z',
    ],
    [
      '2026-03-01T08:00+01:00',
      '2026-03-01T09:15:30.5-0100',
      PARIS,
      '2026-03-01T07:00:00.000Z',
      '2026-03-01T10:15:30.500Z',
    ],
    [
      '2026-03-01t08:00:00z',
      '2026-03-01T08:00:00.123456789+00',
      PARIS,
      '2026-03-01T08:00:00.000Z',
      '2026-03-01T08:00:00.123Z',
    ],
    // an unencoded '+' in a query string arrives as a space
    [
      '2026-03-01T08:00:00 01:00',
      '2026-03-02',
      PARIS,
      '2026-03-01T07:00:00.000Z',
      '2026-03-01T23:00:00.000Z',
    ],
    // date-times without offset are wall-clock times in the lab's zone
    [
      '2026-10-25T02:30:00',
      '2026-10-25T03:30:00',
      PARIS,
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T02:30:00.000Z',
    ],
    [
      '2026-03-29T02:30:00',
      '2026-03-29T04:00:00',
      PARIS,
      '2026-03-29T01:30:00.000Z',
      '2026-03-29T02:00:00.000Z',
    ],
    // a date and a date-time mixed, and surrounding blanks
    [' 2026-03-01 ', '2026-03-01T12:00:00Z', PARIS, '2026-02-28T23:00:00.000Z', '2026-03-01T12:00:00.000Z'],
    ['1970-01-01', '2200-01-01', 'UTC', '1970-01-01T00:00:00.000Z', '2200-01-01T00:00:00.000Z'],
  ])('%s .. %s in %s', (from, to, tz, expectedFrom, expectedTo) => {
    const range = parseReportRange(from, to, tz);
    expect(range.from.toISOString()).toBe(expectedFrom);
    expect(range.to.toISOString()).toBe(expectedTo);
  });

  it.each([
    [undefined, '2026-03-01', 'from', /from is required/],
    ['', '2026-03-01', 'from', /from is required/],
    ['2026-03-01', undefined, 'to', /to is required/],
    ['2026-03-01', '   ', 'to', /to is required/],
    ['2026-02-30', '2026-03-01', 'from', /from "2026-02-30" is not valid/],
    ['2026-02-29', '2026-03-01', 'from', /not valid/],
    ['2026-13-01', '2026-03-01', 'from', /not valid/],
    ['2026-00-10', '2026-03-01', 'from', /not valid/],
    ['2026-3-1', '2026-03-01', 'from', /not valid/],
    ['20260301', '2026-03-02', 'from', /not valid/],
    ['2026-03-01', '2026-03-02T24:00:00Z', 'to', /not valid/],
    ['2026-03-01', '2026-03-02T12:60:00Z', 'to', /not valid/],
    ['2026-03-01', '2026-03-02T12:00:60Z', 'to', /not valid/],
    ['2026-03-01', '2026-03-02T12:00:00+25:00', 'to', /not valid/],
    ['2026-03-01', '2026-03-02T12:00:00+01:75', 'to', /not valid/],
    ['2026-03-01', '2026-03-02T12:00:00Europe/Paris', 'to', /not valid/],
    ['2026-03-01', 'yesterday', 'to', /not valid/],
    ['2026-03-01', '1772406000000', 'to', /not valid/],
    ['2026-03-01', '2026-03-01', 'to', /must be after from/],
    ['2026-03-02', '2026-03-01', 'to', /must be after from/],
    ['2026-03-01T00:00:00+01:00', '2026-03-01', 'to', /must be after from/],
    // issue #9: bounds PostgreSQL and the monthly reports can hold
    ['0001-01-01', '9999-12-31', 'from', /from "0001-01-01" is out of range.*1970-01-01 and 2200-01-01/],
    ['0099-01-01', '0100-01-01', 'from', /out of range/],
    ['2026-03-01', '9999-12-31', 'to', /to "9999-12-31" is out of range/],
    ['2026-03-01', '2200-01-03T00:00:00Z', 'to', /out of range/],
  ])('refuses %j .. %j', (from, to, field, message) => {
    let error: unknown;
    try {
      parseReportRange(from, to, PARIS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeInputError);
    expect((error as RangeInputError).field).toBe(field);
    expect((error as RangeInputError).message).toMatch(message);
  });

  it('keeps long bad input short in the message', () => {
    expect(() => parseReportRange('x'.repeat(500), '2026-01-01', PARIS)).toThrow(/x{60}…" is not valid/);
  });
});

describe('zoned wall time', () => {
  it('midnight of every day of 2024–2027 in Paris is a local midnight on that date', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 * 366 }), (n) => {
        const day = new Date(Date.UTC(2024, 0, 1) + n * 86_400_000);
        const wall = {
          year: day.getUTCFullYear(),
          month: day.getUTCMonth() + 1,
          day: day.getUTCDate(),
          hour: 0,
          minute: 0,
          second: 0,
          ms: 0,
        };
        const instant = zonedWallTimeToInstant(wall, PARIS);
        const offsetHours = (Date.UTC(wall.year, wall.month - 1, wall.day) - instant) / 3_600_000;
        expect([1, 2]).toContain(offsetHours);
        const local = new Intl.DateTimeFormat('fr-FR', {
          timeZone: PARIS,
          dateStyle: 'short',
          timeStyle: 'medium',
        }).format(new Date(instant));
        const dd = String(wall.day).padStart(2, '0');
        const mm = String(wall.month).padStart(2, '0');
        expect(local).toBe(`${dd}/${mm}/${wall.year} 00:00:00`);
      }),
    );
  });

  it('formats FEC dates in the lab zone', () => {
    expect(compactLocalDate(new Date('2026-03-31T22:30:00Z'), PARIS)).toBe('20260401');
    expect(compactLocalDate(new Date('2026-03-31T21:30:00Z'), PARIS)).toBe('20260331');
    expect(compactLocalDate(new Date('2026-01-01T00:30:00Z'), 'America/New_York')).toBe('20251231');
  });
});
