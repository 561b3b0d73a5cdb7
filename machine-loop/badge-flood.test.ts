import { describe, expect, it } from 'vitest';
import { BadgeFlood, BUSY_MESSAGE, busyDecision } from './badge-flood.ts';

describe('BadgeFlood', () => {
  it('admits a burst per machine, then the steady rate, each machine on its own', () => {
    let now = 0;
    const flood = new BadgeFlood({ burst: 5, perSecond: 2 }, () => now);
    const first = Array.from({ length: 8 }, () => flood.admit('laser'));
    expect(first).toEqual([true, true, true, true, true, false, false, false]);
    expect(flood.admit('cnc')).toBe(true);
    now += 500; // one token back at 2/s
    expect(flood.admit('laser')).toBe(true);
    expect(flood.admit('laser')).toBe(false);
    now += 60_000; // refilled to the burst, no more
    expect(Array.from({ length: 6 }, () => flood.admit('laser'))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('answers a shed request machine_busy, echoing its requestId when readable', () => {
    const id = crypto.randomUUID();
    expect(busyDecision(Buffer.from(JSON.stringify({ requestId: id, badge: '04A3B2C1' })))).toEqual({
      requestId: id,
      granted: false,
      reason: 'machine_busy',
      message: BUSY_MESSAGE,
    });
    expect(busyDecision(Buffer.from('not json')).requestId).toBeNull();
  });
});
