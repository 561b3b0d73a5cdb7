import { describe, expect, it } from 'vitest';
import { LiveDevices } from './live-devices.ts';

function conn() {
  return {
    closed: 0,
    close() {
      this.closed++;
    },
  };
}

function registry(stillValid?: (ids: readonly string[]) => Promise<ReadonlySet<string>>) {
  let now = 1_000;
  const logs: string[] = [];
  const live = new LiveDevices<ReturnType<typeof conn>>({
    ...(stillValid ? { stillValid } : {}),
    log: (_level, msg) => logs.push(msg),
    now: () => now,
  });
  return { live, logs, advance: (ms: number) => (now += ms) };
}

describe('LiveDevices', () => {
  it('closes every connection of a revoked device and marks them revoked', () => {
    const { live } = registry();
    const a = conn();
    const b = conn();
    const other = conn();
    expect(live.admit('dev-1', a, live.stamp())).toBe(true);
    expect(live.admit('dev-1', b, live.stamp())).toBe(true);
    expect(live.admit('dev-2', other, live.stamp())).toBe(true);
    expect(live.closeDevices(['dev-1'])).toBe(2);
    expect([a.closed, b.closed, other.closed]).toEqual([1, 1, 0]);
    expect(live.isRevoked(a)).toBe(true);
    expect(live.isRevoked(other)).toBe(false);
    expect(live.connectionsOf('dev-1')).toBe(0);
    expect(live.connectionsOf('dev-2')).toBe(1);
  });

  it('refuses a login whose credential check began before the revocation, not one after it', () => {
    const { live, advance } = registry();
    const stamp = live.stamp(); // the check reads the device as valid...
    live.closeDevices(['dev-1']); // ...while it is revoked
    expect(live.admit('dev-1', conn(), stamp)).toBe(false);
    advance(1);
    expect(live.admit('dev-1', conn(), live.stamp())).toBe(true); // the store decides from now on
  });

  it('forgets closed connections', () => {
    const { live } = registry();
    const a = conn();
    live.admit('dev-1', a, live.stamp());
    live.forget(a);
    expect(live.connectionsOf('dev-1')).toBe(0);
    expect(live.closeDevices(['dev-1'])).toBe(0);
    expect(a.closed).toBe(0);
  });

  it('re-validation closes the devices the store no longer knows, and keeps all when it fails', async () => {
    let answer: Promise<ReadonlySet<string>> = Promise.resolve(new Set(['dev-2']));
    const { live, logs } = registry(() => answer);
    const a = conn();
    const b = conn();
    live.admit('dev-1', a, live.stamp());
    live.admit('dev-2', b, live.stamp());
    answer = Promise.reject(new Error('database away'));
    await live.revalidate();
    expect([a.closed, b.closed]).toEqual([0, 0]);
    expect(logs).toContain('device re-validation failed');
    answer = Promise.resolve(new Set(['dev-2']));
    await live.revalidate();
    expect([a.closed, b.closed]).toEqual([1, 0]);
    expect(logs).toContain('connection closed: device no longer valid');
  });
});
