/**
 * SPEC §2 end to end: real Aedes on port 0, real MQTT clients as devices, the HTTP API to
 * set the lab up, the database (PGlite, or PostgreSQL with DATABASE_URL).
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine, createMember, createQualification } from './support/lab.ts';
import { connectDevice, eventually, nextMessage, startSystem, type TestSystem } from './support/system.ts';

let sys: TestSystem;
const T = (m: string, kind: string) => `fablab/v1/machines/${m}/${kind}`;
const at = () => new Date().toISOString();

beforeAll(async () => {
  sys = await startSystem();
  await createQualification(sys, 'laser');
});
afterAll(async () => sys?.stop());

async function device(
  machineId: string,
  body: Parameters<typeof createMachine>[2] = {},
): Promise<MqttClient> {
  const { deviceId, secret } = await createMachine(sys, machineId, body);
  const client = await connectDevice(sys.server.mqttUrl, deviceId, secret);
  await client.subscribeAsync([T(machineId, 'decision'), T(machineId, 'command')], { qos: 1 });
  return client;
}

async function badge(client: MqttClient, machineId: string, uid: string) {
  const requestId = crypto.randomUUID();
  const reply = nextMessage(client, T(machineId, 'decision'), (d: any) => d.requestId === requestId);
  await client.publishAsync(T(machineId, 'badge'), JSON.stringify({ requestId, badge: uid, at: at() }), {
    qos: 1,
  });
  return reply;
}

const runtime = (
  client: MqttClient,
  m: string,
  sessionId: string,
  runningSeconds: number,
  eventId = crypto.randomUUID(),
) =>
  client.publishAsync(
    T(m, 'runtime'),
    JSON.stringify({ eventId, sessionId, seq: 1, runningSeconds, at: at() }),
    { qos: 1 },
  );
const end = (
  client: MqttClient,
  m: string,
  sessionId: string,
  runningSeconds: number,
  reason = 'badge_out',
) =>
  client.publishAsync(
    T(m, 'end'),
    JSON.stringify({ eventId: crypto.randomUUID(), sessionId, runningSeconds, reason, at: at() }),
    { qos: 1 },
  );

async function sessionOf(machineId: string, sessionId: string) {
  const res = await sys.api('GET', `/sessions?machine=${machineId}`);
  return (res.body.items as any[]).find((s) => s.id === sessionId);
}

describe('the machine loop over MQTT', () => {
  it('badge → granted → runtime → end: the exact charge, debited live', async () => {
    const dev = await device('laser-a', { qualifications: ['laser'] });
    const m = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    const d = await badge(dev, 'laser-a', m.uid.toLowerCase());
    expect(d).toMatchObject({ granted: true, reason: 'granted', member: { name: 'Camille Martin' } });
    expect(typeof d.sessionId).toBe('string');
    // 1000 c of credit pays for 20 minutes at 50 c/min (the minimum is part of it).
    expect(d.maxSeconds).toBe(20 * 60);
    await runtime(dev, 'laser-a', d.sessionId, 30);
    await runtime(dev, 'laser-a', d.sessionId, 90);
    await eventually(async () => (await sessionOf('laser-a', d.sessionId))?.chargedCents === 100);
    await end(dev, 'laser-a', d.sessionId, 125);
    const s = await eventually(async () => {
      const s = await sessionOf('laser-a', d.sessionId);
      return s?.endedAt ? s : null;
    });
    expect(s).toMatchObject({
      runningSeconds: 125,
      chargedCents: 150,
      endReason: 'badge_out',
      memberId: m.id,
    });
    expect((await sys.api('GET', `/members/${m.id}`)).body.balanceCents).toBe(850);
    const machine = await sys.api('GET', '/machines/laser-a');
    expect(machine.body).toMatchObject({ inUse: false });
    await dev.endAsync();
  });

  it('answers every denial reason', async () => {
    const dev = await device('laser-b', { qualifications: ['laser'] });
    const unknown = await badge(dev, 'laser-b', 'DEADBEEF01');
    expect(unknown).toMatchObject({ granted: false, reason: 'unknown_badge' });

    const uncertified = await createMember(sys, { creditCents: 1000 });
    expect(await badge(dev, 'laser-b', uncertified.uid)).toMatchObject({
      granted: false,
      reason: 'not_certified',
    });

    const expired = await createMember(sys, { creditCents: 1000 });
    await sys.api('POST', `/members/${expired.id}/certifications`, {
      qualificationId: 'laser',
      expiresAt: '2020-01-01T00:00:00Z',
    });
    expect(await badge(dev, 'laser-b', expired.uid)).toMatchObject({
      granted: false,
      reason: 'certification_expired',
    });

    const broke = await createMember(sys, { certify: ['laser'] });
    expect(await badge(dev, 'laser-b', broke.uid)).toMatchObject({
      granted: false,
      reason: 'insufficient_balance',
    });

    const suspended = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    expect((await sys.api('PATCH', `/members/${suspended.id}`, { status: 'suspended' })).status).toBe(200);
    expect(await badge(dev, 'laser-b', suspended.uid)).toMatchObject({
      granted: false,
      reason: 'member_inactive',
    });

    const lost = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    const profile = await sys.api('GET', `/members/${lost.id}`);
    const badgeId = profile.body.badges[0].id;
    expect((await sys.api('POST', `/badges/${badgeId}/revoke`, { status: 'lost' })).status).toBe(200);
    expect(await badge(dev, 'laser-b', lost.uid)).toMatchObject({ granted: false, reason: 'badge_revoked' });

    const a = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    const b = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    const first = await badge(dev, 'laser-b', a.uid);
    expect(first.granted).toBe(true);
    expect(await badge(dev, 'laser-b', b.uid)).toMatchObject({ granted: false, reason: 'machine_busy' });
    await end(dev, 'laser-b', first.sessionId, 10);
    // The end takes effect before a badge request published after it (SPEC §2).
    expect(await badge(dev, 'laser-b', b.uid)).toMatchObject({ granted: true });

    expect(
      (await sys.api('PATCH', '/machines/laser-b', { state: 'maintenance', stateNote: 'lens' })).status,
    ).toBe(200);
    expect(await badge(dev, 'laser-b', a.uid)).toMatchObject({
      granted: false,
      reason: 'machine_unavailable',
    });
    await dev.endAsync();
  });

  it('answers malformed requests with invalid_request, echoing the requestId', async () => {
    const dev = await device('laser-c');
    const topic = T('laser-c', 'decision');
    const requestId = crypto.randomUUID();
    let reply = nextMessage(dev, topic, (d: any) => d.requestId === requestId);
    await dev.publishAsync(T('laser-c', 'badge'), JSON.stringify({ requestId, badge: 'XYZ', at: at() }), {
      qos: 1,
    });
    expect(await reply).toMatchObject({ granted: false, reason: 'invalid_request' });
    reply = nextMessage(dev, topic, (d: any) => d.requestId === null);
    await dev.publishAsync(T('laser-c', 'badge'), 'not json {', { qos: 1 });
    expect(await reply).toMatchObject({ granted: false, reason: 'invalid_request' });
    await dev.endAsync();
  });

  it('answers a request published twice with the same decision: one session, one debit', async () => {
    const dev = await device('laser-r', { pricePerMinuteCents: 50, minimumChargeCents: 100 });
    const m = await createMember(sys, { creditCents: 1000 });
    const decisions: any[] = [];
    dev.on('message', (t, p) => {
      if (t === T('laser-r', 'decision')) decisions.push(JSON.parse(p.toString()));
    });
    const requestId = crypto.randomUUID();
    const request = JSON.stringify({ requestId, badge: m.uid, at: at() });
    await dev.publishAsync(T('laser-r', 'badge'), request, { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    await dev.publishAsync(T('laser-r', 'badge'), request, { qos: 1 });
    const both = await eventually(async () => {
      const mine = decisions.filter((d) => d.requestId === requestId);
      return mine.length === 2 ? mine : null;
    });
    expect(both[0]).toMatchObject({ granted: true, reason: 'granted' });
    expect(both[1]).toEqual(both[0]);
    const sessions = (await sys.api('GET', '/sessions?machine=laser-r')).body.items as any[];
    expect(sessions.map((s) => s.id)).toEqual([both[0].sessionId]);
    expect((await sys.api('GET', `/members/${m.id}`)).body.balanceCents).toBe(900);
    await dev.endAsync();
  });

  it('counts a repeated eventId once and bills the greatest runningSeconds', async () => {
    const dev = await device('laser-d', { pricePerMinuteCents: 10, minimumChargeCents: 0 });
    const m = await createMember(sys, { creditCents: 1000 });
    const d = await badge(dev, 'laser-d', m.uid);
    const eventId = crypto.randomUUID();
    await runtime(dev, 'laser-d', d.sessionId, 600, eventId);
    await runtime(dev, 'laser-d', d.sessionId, 900, eventId); // same id: ignored
    await runtime(dev, 'laser-d', d.sessionId, 300); // older: changes nothing
    await end(dev, 'laser-d', d.sessionId, 610);
    const s = await eventually(async () => {
      const s = await sessionOf('laser-d', d.sessionId);
      return s?.endedAt ? s : null;
    });
    expect(s.chargedCents).toBe(110);
    expect((await sys.api('GET', `/members/${m.id}`)).body.balanceCents).toBe(890);
    await dev.endAsync();
  });

  it('sends lock when the card runs dry and never goes below the floor', async () => {
    const dev = await device('laser-e', {
      pricePerMinuteCents: 100,
      minimumChargeCents: 0,
      overdraftLimitCents: 50,
    });
    const m = await createMember(sys, { creditCents: 300 });
    const d = await badge(dev, 'laser-e', m.uid);
    const lock = nextMessage(dev, T('laser-e', 'command'), (c: any) => c.sessionId === d.sessionId);
    await runtime(dev, 'laser-e', d.sessionId, 600);
    expect(await lock).toMatchObject({ action: 'lock', reason: 'insufficient_balance' });
    await end(dev, 'laser-e', d.sessionId, 610, 'command');
    const s = await eventually(async () => {
      const s = await sessionOf('laser-e', d.sessionId);
      return s?.endedAt ? s : null;
    });
    expect(s.chargedCents).toBe(350);
    expect((await sys.api('GET', `/members/${m.id}`)).body.balanceCents).toBe(-50);
    await dev.endAsync();
  });

  it('closes a silent session after 3 heartbeats and tells the board', async () => {
    const dev = await device('laser-f', { minimumChargeCents: 0 });
    await sys.api('PATCH', '/machines/laser-f', { heartbeatSeconds: 1 });
    const m = await createMember(sys, { creditCents: 1000 });
    const d = await badge(dev, 'laser-f', m.uid);
    await runtime(dev, 'laser-f', d.sessionId, 61);
    const lock = await nextMessage(
      dev,
      T('laser-f', 'command'),
      (c: any) => c.sessionId === d.sessionId,
      8000,
    );
    expect(lock).toMatchObject({ action: 'lock', reason: 'timeout' });
    const s = await sessionOf('laser-f', d.sessionId);
    expect(s).toMatchObject({ endReason: 'timeout', runningSeconds: 61, chargedCents: 100 });
    await dev.endAsync();
  });

  it('refuses wrong secrets, foreign topics and wildcards', async () => {
    const g = await createMachine(sys, 'laser-g');
    const h = await createMachine(sys, 'laser-h');
    await expect(connectDevice(sys.server.mqttUrl, g.deviceId, `${g.secret}x`)).rejects.toThrow();
    await expect(connectDevice(sys.server.mqttUrl, h.deviceId, g.secret)).rejects.toThrow();
    const dev = await connectDevice(sys.server.mqttUrl, g.deviceId, g.secret);
    const granted = await new Promise<number[]>((resolve) =>
      dev.subscribe(['fablab/#', T('laser-h', 'decision'), T('laser-g', 'decision')], { qos: 1 }, (err, g) =>
        // mqtt.js reports any 0x80 as an error; the SUBACK codes are on err.packet.
        resolve(
          err
            ? (err as unknown as { packet: { granted: number[] } }).packet.granted
            : (g ?? []).map((x) => x.qos),
        ),
      ),
    );
    expect(granted).toEqual([128, 128, 1]);
    // A badge request published for another machine is dropped: laser-h's device hears nothing.
    const victim = await connectDevice(sys.server.mqttUrl, h.deviceId, h.secret);
    await victim.subscribeAsync(T('laser-h', 'decision'), { qos: 1 });
    const heard = nextMessage(victim, T('laser-h', 'decision'), () => true, 1000).then(
      () => true,
      () => false,
    );
    dev.publish(
      T('laser-h', 'badge'),
      JSON.stringify({ requestId: crypto.randomUUID(), badge: '04A3B2C1', at: at() }),
      { qos: 0 },
    );
    expect(await heard).toBe(false);
    victim.end(true);
    dev.end(true);
  });
});
