import { describe, expect, it } from 'vitest';
import { decodeIso885915, encodeIso885915, isIso885915, toIso885915Text } from './iso-8859-15.ts';

describe('ISO 8859-15 (issue #11 item 6)', () => {
  it('writes French text and the eight Latin-9 letters byte for byte', () => {
    const text = 'Régularisation carte machine « été » – 12,50 € Œuvre œil Šš Žž Ÿ ç à ù ÿ';
    const safe = toIso885915Text(text);
    expect(safe).toBe('Régularisation carte machine « été » - 12,50 € Œuvre œil Šš Žž Ÿ ç à ù ÿ');
    const bytes = encodeIso885915(safe);
    expect(bytes[safe.indexOf('é')]).toBe(0xe9);
    expect(bytes[safe.indexOf('€')]).toBe(0xa4);
    expect(bytes[safe.indexOf('Œ')]).toBe(0xbc);
    expect(bytes[safe.indexOf('œ')]).toBe(0xbd);
    expect(bytes[safe.indexOf('Ÿ')]).toBe(0xbe);
    expect(bytes).toHaveLength(safe.length);
    expect(decodeIso885915(bytes)).toBe(safe);
    // The same bytes read by a standard decoder (the WHATWG "iso-8859-15" label).
    expect(new TextDecoder('iso-8859-15').decode(bytes)).toBe(safe);
  });

  it.each([
    ['Recharge carte machine — espèces', 'Recharge carte machine - espèces'],
    ['l’atelier “laser”…', 'l\'atelier "laser"...'],
    ['Łukasz Żółć', 'Lukasz Zólc'],
    ['Ștefan Őry', 'Stefan Ory'],
    ['e\u0301te\u0301', 'été'],
    ['½ ¼ ¾ ¤ ¦ ¨ ´ ¸', '1/2 1/4 3/4  | " \' ,'],
    ['日本 🙂', '?? ?'],
    ['a\u00a0b\u202fc', 'a\u00a0b c'],
  ])('%s → %s', (input, output) => {
    expect(toIso885915Text(input)).toBe(output);
    expect(() => encodeIso885915(toIso885915Text(input))).not.toThrow();
  });

  it('refuses to encode a character outside the set', () => {
    expect(() => encodeIso885915('—')).toThrow(/U\+2014/);
    expect(() => encodeIso885915('½')).toThrow(RangeError);
    expect(isIso885915('€')).toBe(true);
    expect(isIso885915('¤')).toBe(false);
  });
});
