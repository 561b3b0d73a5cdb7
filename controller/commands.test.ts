import { describe, expect, it } from 'vitest';
import { parseKeyboardLine } from './commands.ts';

describe('keyboard lines', () => {
  it.each([
    ['04A3B2C1', { kind: 'badge', uid: '04A3B2C1' }],
    ['cert 04A3B2C1', { kind: 'badge', uid: '04A3B2C1', mode: 'certify' }],
    ['CERT 04a3b2c1', { kind: 'badge', uid: '04a3b2c1', mode: 'certify' }],
    ['enrol DEADBEEF01', { kind: 'badge', uid: 'DEADBEEF01', mode: 'enrol' }],
    ['report', { kind: 'report' }],
    ['report  lens cracked, do not use ', { kind: 'report', note: 'lens cracked, do not use' }],
    ['material pla-black 25', { kind: 'material', materialId: 'pla-black', quantity: 25 }],
    ['material pla-black 0', { kind: 'error', message: 'usage: material <materialId> <quantity>' }],
    ['material pla-black 2.5', { kind: 'error', message: 'usage: material <materialId> <quantity>' }],
    ['material pla-black', { kind: 'error', message: 'usage: material <materialId> <quantity>' }],
    ['cert', { kind: 'error', message: 'usage: cert <uid>' }],
    ['mode', { kind: 'mode' }],
    ['run', { kind: 'run' }],
    ['idle', { kind: 'idle' }],
    ['status', { kind: 'status' }],
    ['quit', { kind: 'quit' }],
    ['exit', { kind: 'quit' }],
  ])('%j', (line, expected) => {
    expect(parseKeyboardLine(line)).toEqual(expected);
  });
});
