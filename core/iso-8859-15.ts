/**
 * ISO 8859-15 (Latin-9), one of the character sets a FEC may use (LPF art. A47 A-1, XII 1°:
 * "ASCII, norme ISO 8859-15 ou … UTF-8"). Strict tools read the FEC as ISO 8859-15, where the
 * issue's "—" (U+2014) cannot be written (issue #11 item 6). Latin-9 is Latin-1 with eight
 * places changed: € Š š Ž ž Œ œ Ÿ replace ¤ ¦ ¨ ´ ¸ ¼ ½ ¾.
 *
 * `toIso885915Text` replaces every character outside the set by a safe equivalent (dashes by
 * "-", curly quotes by straight ones, accented letters of other alphabets by their base
 * letter, anything else by "?"), so `encodeIso885915` never fails on its result.
 */

/** The eight Latin-9 characters that are not at their Unicode code point, with their byte. */
const LATIN9_SPECIALS: ReadonlyMap<string, number> = new Map([
  ['€', 0xa4],
  ['Š', 0xa6],
  ['š', 0xa8],
  ['Ž', 0xb4],
  ['ž', 0xb8],
  ['Œ', 0xbc],
  ['œ', 0xbd],
  ['Ÿ', 0xbe],
]);

/** The Latin-1 characters whose places Latin-9 took, and what to write instead. */
const LATIN1_ONLY: ReadonlyMap<string, string> = new Map([
  ['\u00a4', ''],
  ['\u00a6', '|'],
  ['\u00a8', '"'],
  ['\u00b4', "'"],
  ['\u00b8', ','],
  ['\u00bc', '1/4'],
  ['\u00bd', '1/2'],
  ['\u00be', '3/4'],
]);

/** Common typography outside the set. */
const REPLACEMENTS: ReadonlyMap<string, string> = new Map([
  ['\u2010', '-'],
  ['\u2011', '-'],
  ['\u2012', '-'],
  ['\u2013', '-'],
  ['\u2014', '-'],
  ['\u2015', '-'],
  ['\u2212', '-'],
  ['\u2018', "'"],
  ['\u2019', "'"],
  ['\u201a', ','],
  ['\u201b', "'"],
  ['\u2032', "'"],
  ['\u201c', '"'],
  ['\u201d', '"'],
  ['\u201e', '"'],
  ['\u2033', '"'],
  ['\u2039', '<'],
  ['\u203a', '>'],
  ['\u2026', '...'],
  ['\u2022', '-'],
  ['\u00a0', ' '],
  ['\u2007', ' '],
  ['\u2009', ' '],
  ['\u202f', ' '],
  ['\u200b', ''],
  ['\ufeff', ''],
  ['\u2122', 'TM'],
  ['\u0152', 'Œ'],
  ['\u0153', 'œ'],
  ['\u0141', 'L'],
  ['\u0142', 'l'],
  ['\u0110', 'D'],
  ['\u0111', 'd'],
  ['\u0131', 'i'],
  ['\u1e9e', 'SS'],
]);

/** Is this character (one code point) in ISO 8859-15? */
export function isIso885915(char: string): boolean {
  if (LATIN9_SPECIALS.has(char)) return true;
  const code = char.codePointAt(0) ?? 0x110000;
  return char.length === 1 && code <= 0xff && !LATIN1_ONLY.has(char);
}

/** The text with every character outside ISO 8859-15 replaced by a safe equivalent. */
export function toIso885915Text(text: string): string {
  let out = '';
  // Composed first: "e" + U+0301 is "é", which the set has.
  for (const char of text.normalize('NFC')) {
    if (isIso885915(char)) {
      out += char;
      continue;
    }
    const direct = REPLACEMENTS.get(char) ?? LATIN1_ONLY.get(char);
    if (direct !== undefined) {
      out += direct;
      continue;
    }
    // A letter with marks the set lacks (ą, ș, ő…): its base letter.
    const decomposed = char.normalize('NFD');
    const base = decomposed.replace(/\p{M}+/gu, '');
    if (base !== decomposed && base !== '' && [...base].every(isIso885915)) {
      out += base;
      continue;
    }
    out += '?';
  }
  return out;
}

/** The bytes of `text` in ISO 8859-15; a character outside the set is an error. */
export function encodeIso885915(text: string): Uint8Array<ArrayBuffer> {
  const bytes: number[] = [];
  for (const char of text) {
    const special = LATIN9_SPECIALS.get(char);
    if (special !== undefined) bytes.push(special);
    else if (isIso885915(char)) bytes.push(char.codePointAt(0)!);
    else throw new RangeError(`U+${char.codePointAt(0)!.toString(16).toUpperCase()} is not in ISO 8859-15`);
  }
  return Uint8Array.from(bytes);
}

/** The text of ISO 8859-15 bytes (for tests and checks). */
export function decodeIso885915(bytes: Uint8Array): string {
  const back = new Map([...LATIN9_SPECIALS].map(([c, b]) => [b, c]));
  let out = '';
  for (const b of bytes) out += back.get(b) ?? String.fromCharCode(b);
  return out;
}
