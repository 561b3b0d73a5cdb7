import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.ts';

function limiter(limits = {}) {
  let now = 1_000_000;
  const l = new LoginLimiter(
    {
      freePairFailures: 3,
      freeAddressFailures: 10,
      baseDelayMs: 250,
      maxDelayMs: 8_000,
      windowMs: 60_000,
      verifyBurst: 5,
      verifyPerSecond: 10,
      maxVerifyWaitMs: 1_000,
      ...limits,
    },
    () => now,
  );
  return { l, advance: (ms: number) => (now += ms) };
}

describe('LoginLimiter: failures are slowed down, per address + username', () => {
  it('refuses the free failures at once, then delays each further one, doubling up to a cap', () => {
    const { l } = limiter();
    const delays = Array.from({ length: 10 }, () => l.recordFailure('1.2.3.4', 'dev-1'));
    expect(delays).toEqual([0, 0, 0, 250, 500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('counts pairs apart: another address, or another name from the address, starts afresh', () => {
    const { l } = limiter();
    for (let i = 0; i < 5; i++) l.recordFailure('1.2.3.4', 'dev-1');
    expect(l.recordFailure('5.6.7.8', 'dev-1')).toBe(0);
    expect(l.recordFailure('1.2.3.4', 'dev-2')).toBe(0);
  });

  it('slows an address that fails with many names, past its own free failures', () => {
    const { l } = limiter();
    const delays = Array.from({ length: 12 }, (_, i) => l.recordFailure('1.2.3.4', `guess-${i}`));
    expect(delays.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(delays.slice(10)).toEqual([250, 500]);
  });

  it('a success clears its pair, not the address; failures are forgotten after the window', () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 5; i++) l.recordFailure('1.2.3.4', 'dev-1');
    l.recordSuccess('1.2.3.4', 'dev-1');
    expect(l.pairFailures('1.2.3.4', 'dev-1')).toBe(0);
    expect(l.recordFailure('1.2.3.4', 'dev-1')).toBe(0);
    advance(60_001);
    expect(l.pairFailures('1.2.3.4', 'dev-1')).toBe(0);
  });

  it('tracks a bounded number of keys', () => {
    const { l } = limiter({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) l.recordFailure(`10.0.${i >> 8}.${i & 255}`, `user-${i}`);
    expect(l.size).toBeLessThanOrEqual(200);
  });
});

describe('LoginLimiter: credential checks are budgeted per address', () => {
  it('lets a burst through, then spaces checks at the steady rate, then sheds', () => {
    const { l } = limiter();
    const waits = Array.from({ length: 16 }, () => l.reserveCheck('1.2.3.4'));
    expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(waits.slice(5, 15)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(waits[15]).toBeNull(); // over maxVerifyWaitMs: CONNACK 3, nothing queued
    expect(l.reserveCheck('5.6.7.8')).toBe(0); // another address has its own budget
  });

  it('refills with time', () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 5; i++) l.reserveCheck('a');
    expect(l.reserveCheck('a')).toBe(100);
    advance(2_000);
    expect(l.reserveCheck('a')).toBe(0);
  });
});
