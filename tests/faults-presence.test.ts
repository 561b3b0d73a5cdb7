/**
 * Issue #10: a machine is online while at least one of its devices is connected, whatever
 * order wills and statuses arrive in. A reader and a relay on one machine: the reader dies
 * (its will says `online: false`), the machine stays online while the relay is connected.
 * Also: a device event the schema refuses is answered `rejected` on `ack`, and an event
 * left in the inbox by a crash is applied at the next start.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteKeys } from '../application/site-keys.ts';
import { devices, machineInbox } from '../db/schema.ts';
import { silentLogger } from '../logging/logger.ts';
import { Authorizer } from '../machine-loop/authorizer.ts';
import { createMachine, createMember } from './support/lab.ts';
import { connectDevice, eventually, nextMessage, startSystem, type TestSystem } from './support/system.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem();
}, 120_000);
afterAll(async () => sys?.stop(), 120_000);

const T = (m: string, kind: string) => `fablab/v1/machines/${m}/${kind}`;
const will = (m: string) => ({
  topic: T(m, 'status'),
  payload: Buffer.from(JSON.stringify({ online: false, relay: 'off' })),
  qos: 1 as const,
  retain: true,
});

async function machineOnline(id: string): Promise<boolean> {
  return (await sys.api('GET', `/machines/${id}`)).body.online as boolean;
}

async function deviceOnline(id: string): Promise<boolean> {
  const rows = await sys.database.db.select().from(devices).where(eq(devices.id, id));
  return rows[0]?.online ?? false;
}

describe('machine presence from its devices', () => {
  it('a reader and a relay: the reader’s will does not take the machine offline while the relay is connected', async () => {
    const reader = await createMachine(sys, 'lathe-p', { pricePerMinuteCents: 0, minimumChargeCents: 0 });
    const relay = (await sys.api('POST', '/machines/lathe-p/devices', {})).body;
    const r = await connectDevice(sys.server.mqttUrl, reader.deviceId, reader.secret, {
      will: will('lathe-p'),
    });
    const q = await connectDevice(sys.server.mqttUrl, relay.deviceId, relay.secret, {
      will: will('lathe-p'),
    });
    await q.subscribeAsync(T('lathe-p', 'ack'), { qos: 1 });
    for (const c of [r, q]) {
      await c.publishAsync(T('lathe-p', 'status'), JSON.stringify({ online: true, relay: 'off' }), {
        qos: 1,
        retain: true,
      });
    }
    await eventually(
      async () => (await machineOnline('lathe-p')) && (await deviceOnline(relay.deviceId)),
      20_000,
    );

    // The reader dies: the broker publishes its will.
    r.stream.destroy();
    await eventually(async () => !(await deviceOnline(reader.deviceId)), 20_000);
    // Barrier: a message of the relay published after the will is answered, so the will
    // (earlier in the machine's queue) has been handled.
    const eventId = crypto.randomUUID();
    const answered = nextMessage(q, T('lathe-p', 'ack'), (a: any) => a.eventId === eventId, 20_000);
    await q.publishAsync(T('lathe-p', 'report'), JSON.stringify({ eventId, note: 42 }), { qos: 1 });
    expect(await answered).toMatchObject({ eventId, kind: 'report', status: 'rejected' });
    expect(await machineOnline('lathe-p')).toBe(true);

    // The relay goes too: now the machine is offline.
    await q.endAsync();
    await eventually(async () => !(await machineOnline('lathe-p')), 20_000);
  }, 120_000);

  it('answers an invalid event with a rejected ack naming the problem, and changes nothing', async () => {
    const device = await createMachine(sys, 'saw-p');
    const c = await connectDevice(sys.server.mqttUrl, device.deviceId, device.secret);
    await c.subscribeAsync(T('saw-p', 'ack'), { qos: 1 });
    const eventId = crypto.randomUUID();
    const answered = nextMessage(c, T('saw-p', 'ack'), (a: any) => a.eventId === eventId, 20_000);
    await c.publishAsync(
      T('saw-p', 'runtime'),
      JSON.stringify({ eventId, sessionId: 's', seq: 1, runningSeconds: -5, at: new Date().toISOString() }),
      { qos: 1 },
    );
    const ack = await answered;
    expect(ack).toMatchObject({ eventId, kind: 'runtime', status: 'rejected' });
    expect(ack.error).toContain('runningSeconds');
    await c.endAsync();
  }, 60_000);

  it('applies at start an event a crash left in the inbox, then acks it', async () => {
    const device = await createMachine(sys, 'drill-p', { pricePerMinuteCents: 50, minimumChargeCents: 100 });
    const m = await createMember(sys, { creditCents: 2000 });
    const c = await connectDevice(sys.server.mqttUrl, device.deviceId, device.secret);
    await c.subscribeAsync([T('drill-p', 'decision'), T('drill-p', 'ack')], { qos: 1 });
    const requestId = crypto.randomUUID();
    const decided = nextMessage(c, T('drill-p', 'decision'), (d: any) => d.requestId === requestId, 20_000);
    await c.publishAsync(
      T('drill-p', 'badge'),
      JSON.stringify({ requestId, badge: m.uid, at: new Date().toISOString() }),
      { qos: 1 },
    );
    const d = await decided;
    expect(d.granted).toBe(true);
    // What a process killed after its inbox write and before the commit leaves behind.
    const eventId = crypto.randomUUID();
    const payload = {
      eventId,
      sessionId: d.sessionId,
      runningSeconds: 600,
      reason: 'badge_out',
      at: new Date().toISOString(),
    };
    await sys.database.db
      .insert(machineInbox)
      .values({ consumer: 'crashed-process', machineId: 'drill-p', kind: 'end', payload });
    const acked = nextMessage(c, T('drill-p', 'ack'), (a: any) => a.eventId === eventId, 30_000);
    const restarted = new Authorizer({
      db: sys.database.db,
      keys: await loadSiteKeys(sys.database.db),
      topicRoot: 'fablab',
      mqttUrl: sys.server.mqttUrl,
      ...sys.server.serverCredentials,
      clientId: 'restarted-process',
      log: silentLogger,
      soleProcess: true,
    });
    await restarted.start();
    try {
      expect(await acked).toMatchObject({ eventId, kind: 'end', status: 'stored' });
      const items = (await sys.api('GET', '/sessions?machine=drill-p')).body.items;
      expect(items[0]).toMatchObject({ runningSeconds: 600, chargedCents: 500, endReason: 'badge_out' });
      await eventually(async () => (await sys.database.db.select().from(machineInbox)).length === 0, 20_000);
    } finally {
      await restarted.stop();
      await c.endAsync();
    }
  }, 120_000);
});
