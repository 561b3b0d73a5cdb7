import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseUid, SLUG_PATTERN, slugSchema, uidHint, uidSchema } from './ids.ts';

describe('normaliseUid (SPEC §2: hex, 4 to 10 bytes, upper case)', () => {
  it.each([
    { raw: '04A3B2C1', uid: '04A3B2C1', why: 'the SPEC example' },
    { raw: '04a3b2c1', uid: '04A3B2C1', why: 'lower case is accepted and normalised' },
    { raw: '04a3B2c1', uid: '04A3B2C1', why: 'mixed case' },
    { raw: '  04a3b2c1\n', uid: '04A3B2C1', why: 'surrounding whitespace is trimmed' },
    { raw: '\t04A3B2C1 ', uid: '04A3B2C1', why: 'tabs too' },
    { raw: '04A3B2C1D5E6F7', uid: '04A3B2C1D5E6F7', why: '7 bytes (a MIFARE UID)' },
    { raw: '0123456789abcdef0123', uid: '0123456789ABCDEF0123', why: '10 bytes, the longest' },
  ])('$why: $raw → $uid', ({ raw, uid }) => {
    expect(normaliseUid(raw)).toBe(uid);
    expect(uidSchema.parse(raw)).toBe(uid);
  });

  it.each([
    { raw: '', why: 'empty' },
    { raw: '   ', why: 'only whitespace' },
    { raw: '04A3B2', why: '3 bytes: too short' },
    { raw: '04A3B2C', why: '7 hex digits: an odd number' },
    { raw: '04A3B2C1D', why: '9 hex digits: an odd number' },
    { raw: '0123456789ABCDEF012345', why: '11 bytes: too long' },
    { raw: '04A3B2G1', why: 'a non-hex letter' },
    { raw: '04:A3:B2:C1', why: 'separators' },
    { raw: '04 A3 B2 C1', why: 'inner spaces' },
    { raw: '0x04A3B2C1', why: 'a 0x prefix' },
    { raw: '04A3B2C1\n04A3B2C1', why: 'two UIDs on two lines' },
    { raw: '０４Ａ３Ｂ２Ｃ１', why: 'full-width digits' },
  ])('refuses $why', ({ raw }) => {
    expect(normaliseUid(raw)).toBeNull();
    expect(uidSchema.safeParse(raw).success).toBe(false);
  });

  it('uidSchema refuses non-strings', () => {
    for (const v of [null, undefined, 4, ['04A3B2C1'], { uid: '04A3B2C1' }]) {
      expect(uidSchema.safeParse(v).success).toBe(false);
    }
  });

  it('accepts exactly the even-length hex strings of 8 to 20 digits, in any case', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 }), fc.boolean(), (digits, lower) => {
        const hex = 'a1B2c3D4e5F60718293a4b5c'.slice(0, digits);
        const raw = lower ? hex.toLowerCase() : hex;
        const valid = digits >= 8 && digits <= 20 && digits % 2 === 0;
        expect(normaliseUid(raw)).toBe(valid ? hex.toUpperCase() : null);
      }),
    );
  });

  it('is idempotent and its result is upper-case hex', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (raw) => {
        const uid = normaliseUid(raw);
        if (uid === null) return;
        expect(uid).toMatch(/^[0-9A-F]{8,20}$/);
        expect(normaliseUid(uid)).toBe(uid);
      }),
    );
  });

  it('uidHint shows the last 4 hex digits', () => {
    expect(uidHint('04A3B2C1')).toBe('B2C1');
  });
});

describe('slug pattern (machine and qualification ids)', () => {
  it.each(['a', '0', 'laser-1', 'printer-3d', 'a-', '9lives', `a${'b'.repeat(63)}`])('accepts %s', (id) => {
    expect(SLUG_PATTERN.test(id)).toBe(true);
    expect(slugSchema.safeParse(id).success).toBe(true);
  });

  it.each([
    '',
    '-laser',
    'Laser',
    'laser_1',
    'laser 1',
    'laser/1',
    'laser+',
    'lasér',
    `a${'b'.repeat(64)}`,
    'laser\n',
  ])('refuses %j', (id) => {
    expect(SLUG_PATTERN.test(id)).toBe(false);
    expect(slugSchema.safeParse(id).success).toBe(false);
  });
});
