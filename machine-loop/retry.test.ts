import { describe, expect, it } from 'vitest';
import { backoffMs, isTransient, retryDelayMs } from './retry.ts';

describe('isTransient', () => {
  it.each([
    ['deadlock', Object.assign(new Error('deadlock detected'), { code: '40P01' })],
    ['serialization failure', Object.assign(new Error('could not serialize'), { code: '40001' })],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['connection lost', new Error('Connection terminated unexpectedly')],
    ['admin shutdown', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['connection exception class', Object.assign(new Error('x'), { code: '08006' })],
    [
      'wrapped by drizzle',
      new Error('Failed query: select 1', { cause: new Error('Connection terminated') }),
    ],
  ])('retries %s', (_name, err) => {
    expect(isTransient(err)).toBe(true);
  });

  it.each([
    ['unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['check violation', Object.assign(new Error('violates check'), { code: '23514' })],
    ['a bug', new TypeError('cannot read properties of undefined')],
    ['not an error', 'nope'],
    ['nothing', undefined],
  ])('does not retry %s', (_name, err) => {
    expect(isTransient(err)).toBe(false);
  });
});

describe('backoffMs', () => {
  it('grows and stays within its ceiling', () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const ms = backoffMs(attempt, 5000);
      expect(ms).toBeGreaterThanOrEqual(50);
      expect(ms).toBeLessThanOrEqual(5000);
    }
    expect(backoffMs(0)).toBeLessThanOrEqual(100);
  });
});

describe('retryDelayMs', () => {
  it('retries a deadlock almost at once, waits longer for a database that is away', () => {
    const deadlock = new Error('Failed query', {
      cause: Object.assign(new Error('deadlock'), { code: '40P01' }),
    });
    const gone = new Error('Connection terminated unexpectedly');
    for (let attempt = 0; attempt < 3; attempt++)
      expect(retryDelayMs(deadlock, attempt)).toBeLessThanOrEqual(20);
    expect(retryDelayMs(deadlock, 30)).toBeLessThanOrEqual(500);
    expect(retryDelayMs(gone, 5)).toBeGreaterThanOrEqual(1000);
  });
});
