import { describe, expect, it } from 'vitest';
import { listOf, parseEuros } from './forms.ts';

describe('parseEuros', () => {
  it.each([
    ['20', 2000],
    ['12,50', 1250],
    ['12.5', 1250],
    [' 7 € ', 700],
    ['-5', -500],
    ['-0,05', -5],
    ['1 000', 100000],
  ])('%s → %d cents', (raw, cents) => {
    expect(parseEuros(raw)).toBe(cents);
  });

  it.each(['', 'abc', '1,234', '12,5,0', '1e3', '--3', '12345678'])('refuses %j', (raw) => {
    expect(parseEuros(raw)).toBeNull();
  });
});

describe('listOf', () => {
  it('turns checkbox values into a list', () => {
    expect(listOf(undefined)).toEqual([]);
    expect(listOf('')).toEqual([]);
    expect(listOf('a')).toEqual(['a']);
    expect(listOf(['a', 'b'])).toEqual(['a', 'b']);
  });
});
