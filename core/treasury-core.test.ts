import { describe, expect, it } from 'vitest';
import { detectDelimiter, formatCsv, frenchAmount, parseCsv } from './csv.ts';
import { ageBand, parseCategory, reportCategory } from './member-categories.ts';
import { suppressBreakdown, suppressCount } from './suppression.ts';

describe('csv', () => {
  it('detects ; , and tab, skipping a BOM and quoted separators', () => {
    expect(detectDelimiter('\uFEFFNom;Prénom;Email\n')).toBe(';');
    expect(detectDelimiter('"Nom;x",Prénom,Email\n')).toBe(',');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
  });

  it('parses quotes, doubled quotes, embedded newlines, CRLF and blank lines', () => {
    const rows = parseCsv('\uFEFFa;b\r\n"x;1";"he said ""hi"""\r\n\r\n"multi\nline";z\r\n');
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x;1', 'he said "hi"'] },
      { line: 4, fields: ['multi\nline', 'z'] },
    ]);
    expect(() => parseCsv('a;"b\n')).toThrow(/line 1/);
  });

  it('round-trips through formatCsv, neutralising formulas', () => {
    const text = formatCsv(
      ['A', 'B'],
      [
        ['=1+1', 'x;y'],
        [-3, null],
      ],
    );
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(parseCsv(text).map((r) => r.fields)).toEqual([
      ['A', 'B'],
      ["'=1+1", 'x;y'],
      ['-3', ''],
    ]);
  });

  it.each([
    [0, '0,00'],
    [5, '0,05'],
    [123456, '1234,56'],
    [-300, '-3,00'],
  ])('frenchAmount(%i) = %s', (cents, text) => {
    expect(frenchAmount(cents)).toBe(text);
  });
});

describe('member categories and age bands', () => {
  it.each([
    ['Étudiant', 'student'],
    ['etudiante', 'student'],
    ['Salarié·e', 'employee'],
    ['Auto-entrepreneur', 'self-employed'],
    ['RETRAITÉ', 'retiree'],
    ['Enseignante', 'teacher'],
    ["Demandeur d'emploi", 'job-seeker'],
    ['job-seeker', 'job-seeker'],
    ['Autre', 'other'],
    ['astronaute', null],
  ])('parseCategory(%s) = %s', (text, category) => {
    expect(parseCategory(text)).toBe(category);
  });

  it('reports unknown spellings as other and none as unknown', () => {
    expect(reportCategory(null)).toBe('unknown');
    expect(reportCategory('astronaute')).toBe('other');
  });

  it.each([
    [2009, 2026, 'minor'],
    [2008, 2026, '18-25'],
    [2001, 2026, '18-25'],
    [2000, 2026, 'over-25'],
    [null, 2026, 'unknown'],
  ])('ageBand(%s, %i) = %s', (birth, year, band) => {
    expect(ageBand(birth, year)).toBe(band);
  });
});

describe('suppression', () => {
  it('hides 1 to 4, keeps 0 and 5+', () => {
    expect([0, 1, 4, 5, 9].map((n) => suppressCount(n))).toEqual([0, null, null, 5, 9]);
  });

  it('hides a second cell when only one would be hidden', () => {
    expect(suppressBreakdown({ a: 2, b: 7, c: 12, d: 0 })).toEqual({ a: null, b: null, c: 12, d: 0 });
    expect(suppressBreakdown({ a: 2, b: 3, c: 12 })).toEqual({ a: null, b: null, c: 12 });
    expect(suppressBreakdown({ a: 6, b: 7 })).toEqual({ a: 6, b: 7 });
  });
});
