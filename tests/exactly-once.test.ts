/**
 * Several server processes on one database (issue #3): each runs its own authorizer and all
 * receive every message; each request and event must be acted on exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteKeys } from '../application/site-keys.ts';
import { silentLogger } from '../logging/logger.ts';
import { Authorizer } from '../machine-loop/authorizer.ts';
import { createMachine, createMember } from './support/lab.ts';
import { connectDevice, eventually, startSystem, type TestSystem } from './support/system.ts';

let sys: TestSystem;
const others: Authorizer[] = [];

beforeAll(async () => {
  sys = await startSystem();
  const keys = await loadSiteKeys(sys.database.db);
  for (let i = 0; i < 2; i++) {
    const a = new Authorizer({
      db: sys.database.db,
      keys,
      topicRoot: 'fablab',
      mqttUrl: sys.server.mqttUrl,
      ...sys.server.serverCredentials,
      clientId: `second-server-${i}`,
      log: silentLogger,
    });
    await a.start();
    others.push(a);
  }
});
afterAll(async () => {
  for (const a of others) await a.stop();
  await sys?.stop();
});

describe('three authorizers on one database', () => {
  it('answer each badge request once and bill each event once', async () => {
    const device = await createMachine(sys, 'laser-1', { pricePerMinuteCents: 50, minimumChargeCents: 100 });
    const m = await createMember(sys, { creditCents: 10_000 });
    const dev = await connectDevice(sys.server.mqttUrl, device.deviceId, device.secret);
    const T = (k: string) => `fablab/v1/machines/laser-1/${k}`;
    await dev.subscribeAsync(T('decision'), { qos: 1 });
    const decisions: any[] = [];
    dev.on('message', (_t, p) => decisions.push(JSON.parse(p.toString())));

    for (let round = 0; round < 5; round++) {
      const requestId = crypto.randomUUID();
      await dev.publishAsync(
        T('badge'),
        JSON.stringify({ requestId, badge: m.uid, at: new Date().toISOString() }),
        { qos: 1 },
      );
      const d = await eventually(async () => decisions.find((x) => x.requestId === requestId));
      expect(d.granted).toBe(true);
      for (const s of [60, 120, 180]) {
        await dev.publishAsync(
          T('runtime'),
          JSON.stringify({
            eventId: crypto.randomUUID(),
            sessionId: d.sessionId,
            seq: s / 60,
            runningSeconds: s,
            at: new Date().toISOString(),
          }),
          { qos: 1 },
        );
      }
      await dev.publishAsync(
        T('end'),
        JSON.stringify({
          eventId: crypto.randomUUID(),
          sessionId: d.sessionId,
          runningSeconds: 185,
          reason: 'badge_out',
          at: new Date().toISOString(),
        }),
        { qos: 1 },
      );
    }
    await eventually(
      async () =>
        (await sys.api('GET', '/sessions?machine=laser-1')).body.items.filter((s: any) => s.endedAt)
          .length === 5,
    );
    // Barrier: one more request (an unknown badge: denied, nothing billed), answered; any
    // duplicate answer to the first five came before it.
    const barrier = crypto.randomUUID();
    await dev.publishAsync(
      T('badge'),
      JSON.stringify({ requestId: barrier, badge: 'DEADBEEF01', at: new Date().toISOString() }),
      { qos: 1 },
    );
    await eventually(async () => decisions.some((x) => x.requestId === barrier), 20_000);
    expect(decisions.filter((x) => x.requestId !== barrier)).toHaveLength(5);
    expect(decisions.filter((x) => x.requestId === barrier)).toHaveLength(1);
    const sessions = (await sys.api('GET', '/sessions?machine=laser-1')).body.items;
    expect(sessions.map((s: any) => s.chargedCents)).toEqual([200, 200, 200, 200, 200]);
    expect((await sys.api('GET', `/members/${m.id}`)).body.balanceCents).toBe(10_000 - 5 * 200);
    await dev.endAsync();
  });

  it('answer a request published twice twice, with the same decision, and open one session', async () => {
    const device = await createMachine(sys, 'laser-2', { pricePerMinuteCents: 50, minimumChargeCents: 100 });
    const m = await createMember(sys, { creditCents: 1000 });
    const dev = await connectDevice(sys.server.mqttUrl, device.deviceId, device.secret);
    const T = (k: string) => `fablab/v1/machines/laser-2/${k}`;
    await dev.subscribeAsync(T('decision'), { qos: 1 });
    const decisions: any[] = [];
    dev.on('message', (_t, p) => decisions.push(JSON.parse(p.toString())));
    const requestId = crypto.randomUUID();
    const request = JSON.stringify({ requestId, badge: m.uid, at: new Date().toISOString() });
    await dev.publishAsync(T('badge'), request, { qos: 1 });
    await eventually(async () => decisions.some((x) => x.requestId === requestId));
    await dev.publishAsync(T('badge'), request, { qos: 1 });
    await eventually(async () => decisions.filter((x) => x.requestId === requestId).length >= 2);
    // Barrier: a later request answered; any third answer to the first came before it.
    const barrier = crypto.randomUUID();
    await dev.publishAsync(
      T('badge'),
      JSON.stringify({ requestId: barrier, badge: 'DEADBEEF02', at: new Date().toISOString() }),
      { qos: 1 },
    );
    await eventually(async () => decisions.some((x) => x.requestId === barrier), 20_000);
    const mine = decisions.filter((x) => x.requestId === requestId);
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatchObject({ granted: true });
    expect(mine[1]).toEqual(mine[0]);
    const sessions = (await sys.api('GET', '/sessions?machine=laser-2')).body.items;
    expect(sessions).toHaveLength(1);
    expect((await sys.api('GET', `/members/${m.id}`)).body.balanceCents).toBe(900);
    await dev.endAsync();
  });
});
