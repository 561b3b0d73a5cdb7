import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.ts';

function limiter(limits = {}) {
  let now = 1_000_000;
  const l = new LoginLimiter({ maxFailures: 3, windowMs: 60_000, blockMs: 30_000, ...limits }, () => now);
  return { l, advance: (ms: number) => (now += ms) };
}

describe('LoginLimiter', () => {
  it('blocks a key after maxFailures failures within the window', () => {
    const { l } = limiter();
    const keys = ['ip:1.2.3.4', 'user:dev-1'];
    l.recordFailure(keys);
    l.recordFailure(keys);
    expect(l.blocked(keys)).toBeNull();
    l.recordFailure(keys);
    expect(l.blocked(keys)).toBe('ip:1.2.3.4');
    expect(l.blocked(['user:dev-1'])).toBe('user:dev-1');
  });

  it('blocks any username from a blocked IP, and a blocked username from any IP', () => {
    const { l } = limiter();
    for (let i = 0; i < 3; i++) l.recordFailure(['ip:1.1.1.1', `user:guess-${i}`]);
    expect(l.blocked(['ip:1.1.1.1', 'user:other'])).toBe('ip:1.1.1.1');
    for (let i = 0; i < 3; i++) l.recordFailure([`ip:10.0.0.${i}`, 'user:dev-9']);
    expect(l.blocked(['ip:9.9.9.9', 'user:dev-9'])).toBe('user:dev-9');
  });

  it('forgets failures older than the window', () => {
    const { l, advance } = limiter();
    const keys = ['ip:a'];
    l.recordFailure(keys);
    l.recordFailure(keys);
    advance(60_001);
    l.recordFailure(keys);
    expect(l.blocked(keys)).toBeNull();
  });

  it('unblocks after blockMs', () => {
    const { l, advance } = limiter();
    const keys = ['ip:a'];
    for (let i = 0; i < 3; i++) l.recordFailure(keys);
    advance(29_999);
    expect(l.blocked(keys)).toBe('ip:a');
    advance(1);
    expect(l.blocked(keys)).toBeNull();
  });

  it('a success clears unblocked failures but does not lift a block', () => {
    const { l } = limiter();
    l.recordFailure(['user:a']);
    l.recordFailure(['user:a']);
    l.recordSuccess(['user:a']);
    l.recordFailure(['user:a']);
    expect(l.blocked(['user:a'])).toBeNull();
    l.recordFailure(['user:a']);
    l.recordFailure(['user:a']);
    l.recordSuccess(['user:a']);
    expect(l.blocked(['user:a'])).toBe('user:a');
  });

  it('tracks at most maxKeys keys', () => {
    const { l } = limiter({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) l.recordFailure([`user:${i}`]);
    expect(l.size).toBe(100);
  });
});
