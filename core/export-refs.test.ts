import { describe, expect, it } from 'vitest';
import { memberNumbers, pieceRefs, shortCodes, transactionRef } from './export-refs.ts';

// Issue #12: short, stable numbers in the books' exports instead of ids.
describe('export references', () => {
  const a = 'b68e6c7b-1111-4aaa-8bbb-000000000001';
  const b = 'b68e6c7b-2222-4aaa-8bbb-000000000002';
  const c = '0a1b2c3d-3333-4aaa-8bbb-000000000003';

  it('gives a member "M" and the first 8 hex digits of their id, the same in any file', () => {
    expect(memberNumbers([c]).get(c)).toBe('M0A1B2C3D');
    expect(memberNumbers([c, a]).get(c)).toBe('M0A1B2C3D');
    expect(memberNumbers([`mem-${c}`]).get(`mem-${c}`)).toBe('M0A1B2C3D');
  });

  it('lengthens only codes that collide, so they stay unique', () => {
    const codes = shortCodes('M', [a, b, c, a]);
    expect(codes.get(a)).toBe('MB68E6C7B1111');
    expect(codes.get(b)).toBe('MB68E6C7B2222');
    expect(codes.get(c)).toBe('M0A1B2C3D');
    expect(new Set(codes.values()).size).toBe(3);
    // ids alike but for their punctuation keep their whole id
    const odd = shortCodes('M', ['ab-cd', 'abcd']);
    expect(new Set(odd.values()).size).toBe(2);
  });

  it('numbers pieces: a session by its id, a transaction by its kind and ledger number', () => {
    const ref = pieceRefs([
      { key: `session:${a}`, kind: 'usage', sessionId: a, transactionIds: ['7', '8'] },
      { key: `session:${b}`, kind: 'usage', sessionId: b, transactionIds: ['9'] },
      { key: 'tx:3', kind: 'topup', sessionId: null, transactionIds: ['3'] },
    ]);
    expect(ref({ key: `session:${a}`, kind: 'usage', sessionId: a, transactionIds: ['7'] })).toBe(
      'S-B68E6C7B1111',
    );
    expect(ref({ key: 'tx:3', kind: 'topup', sessionId: null, transactionIds: ['3'] })).toBe('REC-3');
    // per-minute detail: a session's debit is its own transaction
    expect(ref({ key: 'tx:8', kind: 'usage', sessionId: a, transactionIds: ['8'] })).toBe('UTI-8');
    expect(transactionRef('refund', '4')).toBe('RMB-4');
    expect(transactionRef('something-new', '5')).toBe('OP-5');
    expect(transactionRef(null, '6')).toBe('OP-6');
  });
});
