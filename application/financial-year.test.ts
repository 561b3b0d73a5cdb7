import { describe, expect, it } from 'vitest';
import { financialYear, isYearStart } from './financial-year.ts';

describe('financialYear (issue #11 item 6)', () => {
  it('is the calendar year by default, bounded by Paris midnights', () => {
    const y = financialYear(2026, '01-01', 'Europe/Paris');
    expect(y.from.toISOString()).toBe('2025-12-31T23:00:00.000Z');
    expect(y.to.toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect([y.opening, y.closing]).toEqual(['20260101', '20261231']);
  });

  it('is the year that starts in N, closing the day before the next start', () => {
    const y = financialYear(2026, '09-01', 'Europe/Paris');
    expect(y.from.toISOString()).toBe('2026-08-31T22:00:00.000Z');
    expect(y.to.toISOString()).toBe('2027-08-31T22:00:00.000Z');
    expect([y.opening, y.closing]).toEqual(['20260901', '20270831']);
    // A year opening on 1 March closes on 29 February in a leap year.
    expect(financialYear(2027, '03-01', 'UTC').closing).toBe('20280229');
    expect(financialYear(2026, '03-01', 'UTC').closing).toBe('20270228');
  });

  it.each(['01-01', '09-01', '12-31', '02-28', '07-15'])('accepts %s', (v) => {
    expect(isYearStart(v)).toBe(true);
  });

  it.each(['02-29', '02-30', '04-31', '13-01', '00-10', '1-01', '01-1', '2026-01-01', '', '01/01'])(
    'refuses %s',
    (v) => {
      expect(isYearStart(v)).toBe(false);
    },
  );

  it('refuses years outside the report bounds', () => {
    expect(() => financialYear(1969, '01-01', 'UTC')).toThrow(RangeError);
    expect(() => financialYear(2199, '01-01', 'UTC')).toThrow(RangeError);
    expect(() => financialYear(2026.5, '01-01', 'UTC')).toThrow(RangeError);
  });
});
