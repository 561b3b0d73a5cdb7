import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { fr } from './fr.ts';
import { chooseLang, formatters } from './index.ts';

function shape(value: unknown): unknown {
  if (typeof value === 'function') return 'function';
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, shape(v)])
        .sort(),
    );
  }
  return typeof value;
}

describe('dictionaries', () => {
  it('have the same keys in French and English', () => {
    expect(shape(en)).toEqual(shape(fr));
  });

  it('say different things (no untranslated copy)', () => {
    expect(en.boardTitle).not.toBe(fr.boardTitle);
    expect(en.signIn).not.toBe(fr.signIn);
  });
});

describe('language choice', () => {
  it('is French unless English was asked for', () => {
    expect(chooseLang(undefined, undefined)).toBe('fr');
    expect(chooseLang('en', undefined)).toBe('en');
    expect(chooseLang(undefined, 'en')).toBe('en');
    expect(chooseLang('fr', 'en')).toBe('fr');
    expect(chooseLang('de', undefined)).toBe('fr');
  });
});

describe('formatters', () => {
  it('format money, durations and times in the lab’s zone', () => {
    const fmtFr = formatters('fr', 'Europe/Paris');
    expect(fmtFr.money(150).replace(/\s/g, ' ')).toBe('1,50 €');
    expect(fmtFr.duration(125)).toBe('2 min 05 s');
    expect(fmtFr.duration(3900)).toBe('1 h 05 min');
    expect(fmtFr.time(new Date('2026-01-15T13:02:00Z'))).toBe('14:02');
    expect(formatters('en', 'Europe/Paris').money(150)).toBe('€1.50');
  });
});
