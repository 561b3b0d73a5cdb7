import { describe, expect, it } from 'vitest';
import { monthsOf } from './monthly-figures.ts';
import { labDay } from './visitors.ts';

describe('labDay', () => {
  it('is the lab’s calendar day, midnight to midnight local time', () => {
    // 23:30 UTC on 31 March is already 1 April in Paris (UTC+2).
    const day = labDay(new Date('2026-03-31T23:30:00Z'), 'Europe/Paris');
    expect(day.date).toBe('2026-04-01');
    expect(day.from.toISOString()).toBe('2026-03-31T22:00:00.000Z');
    expect(day.to.toISOString()).toBe('2026-04-01T22:00:00.000Z');
  });

  it('has 23 hours on the day clocks go forward', () => {
    const day = labDay(new Date('2026-03-29T12:00:00Z'), 'Europe/Paris');
    expect(day.to.getTime() - day.from.getTime()).toBe(23 * 3600_000);
  });

  it('rolls over month ends', () => {
    const day = labDay(new Date('2026-12-31T12:00:00Z'), 'Europe/Paris');
    expect(day.to.toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });
});

describe('monthsOf', () => {
  it('lists every month a range touches, in the lab’s zone', () => {
    const range = { from: new Date('2025-11-30T23:00:00Z'), to: new Date('2026-02-28T23:00:00Z') };
    expect(monthsOf(range, 'Europe/Paris')).toEqual(['2025-12', '2026-01', '2026-02']);
  });
});
