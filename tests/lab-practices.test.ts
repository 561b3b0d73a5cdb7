/**
 * Issue #6 end to end over the real broker: the two-badge flows at a reader, supervision,
 * post-use checks, takeover, idle pricing and session fee, grace before a cut, problem
 * reports, materials, maintenance after running hours, certifications lapsing unused.
 */
import { eq } from 'drizzle-orm';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMaterial, restoreMachine } from '../application/lab-practices.ts';
import { certifications, enrolments, machines, qualifications } from '../db/schema.ts';
import { createMachine, createMember, createQualification, uniqueUid } from './support/lab.ts';
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
  set: Partial<typeof machines.$inferInsert> = {},
) {
  const { deviceId, secret } = await createMachine(sys, machineId, body);
  if (Object.keys(set).length > 0)
    await sys.database.db.update(machines).set(set).where(eq(machines.id, machineId));
  const client = await connectDevice(sys.server.mqttUrl, deviceId, secret);
  await client.subscribeAsync([T(machineId, 'decision'), T(machineId, 'command')], { qos: 1 });
  return client;
}

async function badge(client: MqttClient, m: string, uid: string, mode?: string) {
  const requestId = crypto.randomUUID();
  const reply = nextMessage(client, T(m, 'decision'), (d: any) => d.requestId === requestId);
  await client.publishAsync(
    T(m, 'badge'),
    JSON.stringify({ requestId, badge: uid, at: at(), ...(mode ? { mode } : {}) }),
    { qos: 1 },
  );
  return reply;
}
const runtime = (c: MqttClient, m: string, sessionId: string, runningSeconds: number, extra: object = {}) =>
  c.publishAsync(
    T(m, 'runtime'),
    JSON.stringify({ eventId: crypto.randomUUID(), sessionId, seq: 1, runningSeconds, at: at(), ...extra }),
    { qos: 1 },
  );
const end = (c: MqttClient, m: string, sessionId: string, runningSeconds: number, extra: object = {}) =>
  c.publishAsync(
    T(m, 'end'),
    JSON.stringify({
      eventId: crypto.randomUUID(),
      sessionId,
      runningSeconds,
      reason: 'badge_out',
      at: at(),
      ...extra,
    }),
    { qos: 1 },
  );
const session = async (m: string, id: string) =>
  ((await sys.api('GET', `/sessions?machine=${m}`)).body.items as any[]).find((s) => s.id === id);
const ended = (m: string, id: string) =>
  eventually(async () => ((await session(m, id))?.endedAt ? session(m, id) : null));

async function staffWithBadge(roles: string[], trainerOf: string[] = [], certify: string[] = []) {
  const person = await createMember(sys, { name: `Staff ${roles.join('+')}`, certify });
  const res = await sys.api('POST', '/staff', {
    name: 'Staff',
    email: `${crypto.randomUUID()}@example.org`,
    roles,
    trainerOf,
    memberId: person.id,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...person, staffId: res.body.id as string };
}

describe('lab practices at the reader', () => {
  it('certifies a member at the machine: trainer badge, then the member within 30 s', async () => {
    const dev = await device('p-laser', { qualifications: ['laser'] });
    const trainer = await staffWithBadge(['trainer'], ['laser']);
    const member = await createMember(sys, { creditCents: 1000 });
    expect(await badge(dev, 'p-laser', member.uid)).toMatchObject({ reason: 'not_certified' });
    expect(await badge(dev, 'p-laser', trainer.uid, 'certify')).toMatchObject({
      granted: false,
      reason: 'awaiting_member',
    });
    expect(await badge(dev, 'p-laser', member.uid)).toMatchObject({ granted: false, reason: 'certified' });
    const profile = (await sys.api('GET', `/members/${member.id}`)).body;
    expect(profile.certifications.map((c: any) => c.qualificationId)).toContain('laser');
    expect(await badge(dev, 'p-laser', member.uid)).toMatchObject({ granted: true });
    // A non-trainer cannot arm the reader.
    const other = await createMember(sys, { certify: ['laser'] });
    expect(await badge(dev, 'p-laser', other.uid, 'certify')).toMatchObject({ reason: 'not_certified' });
    await dev.endAsync();
  });

  it('enrols an unknown badge after an admin badge', async () => {
    const dev = await device('p-door', { kind: 'door', pricePerMinuteCents: 0, minimumChargeCents: 0 });
    const admin = await staffWithBadge(['admin']);
    expect(await badge(dev, 'p-door', admin.uid, 'enrol')).toMatchObject({ reason: 'enrolment_ready' });
    const fresh = uniqueUid();
    expect(await badge(dev, 'p-door', fresh)).toMatchObject({ reason: 'badge_presented' });
    const rows = await sys.database.db.select().from(enrolments).where(eq(enrolments.uid, fresh));
    expect(rows).toHaveLength(1);
    await dev.endAsync();
  });

  it('opens a supervised session only when a qualified staff member badges within 60 s', async () => {
    const dev = await device(
      'p-cnc',
      { kind: 'cnc', qualifications: ['laser'] },
      { requiresSupervisor: true },
    );
    const member = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    const supervisor = await staffWithBadge(['trainer'], ['laser']);
    const bystander = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    expect(await badge(dev, 'p-cnc', member.uid)).toMatchObject({
      granted: false,
      reason: 'supervisor_required',
    });
    expect(await badge(dev, 'p-cnc', bystander.uid)).toMatchObject({ reason: 'supervisor_required' });
    expect(await badge(dev, 'p-cnc', member.uid)).toMatchObject({ reason: 'supervisor_required' });
    const d = await badge(dev, 'p-cnc', supervisor.uid);
    expect(d).toMatchObject({ granted: true, reason: 'granted', member: { name: 'Camille Martin' } });
    expect((await session('p-cnc', d.sessionId)).memberId).toBe(member.id);
    await dev.endAsync();
  });

  it('asks the next member to confirm the post-use check', async () => {
    const dev = await device(
      'p-print',
      { kind: 'printer-3d', minimumChargeCents: 0 },
      { postUseCheck: 'plateau propre' },
    );
    const a = await createMember(sys, { creditCents: 1000 });
    const b = await createMember(sys, { creditCents: 1000 });
    const first = await badge(dev, 'p-print', a.uid);
    await end(dev, 'p-print', first.sessionId, 60);
    await ended('p-print', first.sessionId);
    expect(await badge(dev, 'p-print', b.uid)).toMatchObject({
      granted: false,
      reason: 'check_required',
      check: 'plateau propre',
    });
    expect(await badge(dev, 'p-print', b.uid)).toMatchObject({ granted: true });
    await dev.endAsync();
  });

  it('lets the next member take over an idle session', async () => {
    const dev = await device('p-takeover', { minimumChargeCents: 0 });
    const a = await createMember(sys, { creditCents: 1000 });
    const b = await createMember(sys, { creditCents: 1000 });
    const first = await badge(dev, 'p-takeover', a.uid);
    expect(await badge(dev, 'p-takeover', b.uid)).toMatchObject({ reason: 'machine_busy' });
    // Idle for over a minute: its running seconds stopped growing.
    await sys.database.db.execute(
      `update machine_sessions set last_running_at = now() - interval '2 minutes' where id = '${first.sessionId}'` as never,
    );
    const second = await badge(dev, 'p-takeover', b.uid);
    expect(second).toMatchObject({ granted: true });
    expect(await session('p-takeover', first.sessionId)).toMatchObject({ endReason: 'takeover' });
    await dev.endAsync();
  });

  it('prices idle minutes and a session fee, exactly under duplicates and reordering', async () => {
    const dev = await device(
      'p-idle',
      { pricePerMinuteCents: 10, minimumChargeCents: 0 },
      { idlePricePerMinuteCents: 2, sessionFeeCents: 50 },
    );
    const m = await createMember(sys, { creditCents: 1000 });
    const d = await badge(dev, 'p-idle', m.uid);
    await runtime(dev, 'p-idle', d.sessionId, 120, { unlockedSeconds: 180 });
    await runtime(dev, 'p-idle', d.sessionId, 60, { unlockedSeconds: 90 }); // late, older
    await end(dev, 'p-idle', d.sessionId, 120, { unlockedSeconds: 300 });
    const s = await ended('p-idle', d.sessionId);
    // fee 50 + 2 running minutes × 10 + 3 idle minutes × 2
    expect(s.chargedCents).toBe(50 + 20 + 6);
    await dev.endAsync();
  });

  it('warns with a grace period before cutting for exhausted credit', async () => {
    const dev = await device(
      'p-grace',
      { pricePerMinuteCents: 100, minimumChargeCents: 0 },
      { graceSeconds: 45 },
    );
    const m = await createMember(sys, { creditCents: 150 });
    const d = await badge(dev, 'p-grace', m.uid);
    const lock = nextMessage(dev, T('p-grace', 'command'), (c: any) => c.sessionId === d.sessionId);
    await runtime(dev, 'p-grace', d.sessionId, 600);
    expect(await lock).toMatchObject({ action: 'lock', reason: 'insufficient_balance', graceSeconds: 45 });
    await dev.endAsync();
  });

  it('puts a machine in maintenance from the board, without cutting the session; qualified staff restore it', async () => {
    const dev = await device('p-report', { qualifications: ['laser'] });
    const m = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    const d = await badge(dev, 'p-report', m.uid);
    await dev.publishAsync(
      T('p-report', 'report'),
      JSON.stringify({ eventId: crypto.randomUUID(), note: 'lentille sale', at: at() }),
      { qos: 1 },
    );
    const machine = await eventually(async () => {
      const r = (await sys.api('GET', '/machines/p-report')).body;
      return r.state === 'maintenance' ? r : null;
    });
    expect(machine).toMatchObject({ stateNote: 'lentille sale', inUse: true });
    await end(dev, 'p-report', d.sessionId, 60);
    await ended('p-report', d.sessionId);
    expect(await badge(dev, 'p-report', m.uid)).toMatchObject({ reason: 'machine_unavailable' });
    // A trainer of another qualification may not restore it; a trainer of laser may.
    await createQualification(sys, 'wood');
    const outsider = await staffWithBadge(['trainer'], ['wood']);
    await expect(
      restoreMachine(sys.database.db, 'test', { staffId: outsider.staffId }, 'p-report', new Date()),
    ).rejects.toThrow(/qualified/);
    const trainer = await staffWithBadge(['trainer'], ['laser']);
    await restoreMachine(sys.database.db, 'test', { staffId: trainer.staffId }, 'p-report', new Date());
    expect(await badge(dev, 'p-report', m.uid)).toMatchObject({ granted: true });
    await dev.endAsync();
  });

  it('charges materials recorded at the machine once', async () => {
    const dev = await device('p-mat', { kind: 'printer-3d', pricePerMinuteCents: 0, minimumChargeCents: 0 });
    await createMaterial(sys.database.db, 'test', {
      id: 'pla',
      name: 'PLA',
      unit: 'g',
      pricePerUnitCents: 5,
    });
    const m = await createMember(sys, { creditCents: 1000 });
    const d = await badge(dev, 'p-mat', m.uid);
    const event = JSON.stringify({
      eventId: crypto.randomUUID(),
      sessionId: d.sessionId,
      materialId: 'pla',
      quantity: 40,
      at: at(),
    });
    await dev.publishAsync(T('p-mat', 'material'), event, { qos: 1 });
    await dev.publishAsync(T('p-mat', 'material'), event, { qos: 1 });
    await eventually(async () => (await sys.api('GET', `/members/${m.id}`)).body.balanceCents === 800);
    // Barrier: a later, different use (10 g); once it is charged, the duplicate before it was handled.
    const later = { eventId: crypto.randomUUID(), sessionId: d.sessionId, materialId: 'pla', quantity: 10 };
    await dev.publishAsync(T('p-mat', 'material'), JSON.stringify({ ...later, at: at() }), { qos: 1 });
    await eventually(async () => (await sys.api('GET', `/members/${m.id}`)).body.balanceCents <= 750);
    expect((await sys.api('GET', `/members/${m.id}`)).body.balanceCents).toBe(750);
    await dev.endAsync();
  });

  it('makes maintenance due after the machine’s running hours, once the session ends', async () => {
    const dev = await device(
      'p-hours',
      { minimumChargeCents: 0, pricePerMinuteCents: 0 },
      { maintenanceEveryHours: 1 },
    );
    const m = await createMember(sys, {});
    const d = await badge(dev, 'p-hours', m.uid);
    await runtime(dev, 'p-hours', d.sessionId, 3700);
    // Barrier: a later runtime event applied, so the one at 3700 s was handled before it.
    await runtime(dev, 'p-hours', d.sessionId, 3710);
    await eventually(
      async () => (await sys.api('GET', `/sessions/${d.sessionId}`)).body.runningSeconds === 3710,
    );
    expect((await sys.api('GET', '/machines/p-hours')).body.state).toBe('available'); // never during a job
    await end(dev, 'p-hours', d.sessionId, 3700);
    await eventually(async () => (await sys.api('GET', '/machines/p-hours')).body.state === 'maintenance');
    await dev.endAsync();
  });

  it('lets a certification lapse after N days without use', async () => {
    await sys.database.db
      .insert(qualifications)
      .values({ id: 'lathe', name: 'Tour', validityDays: 3650, lapseAfterUnusedDays: 90 });
    const dev = await device('p-lathe', { kind: 'other', qualifications: ['lathe'] });
    const m = await createMember(sys, { creditCents: 1000, certify: ['lathe'] });
    await sys.database.db
      .update(certifications)
      .set({
        certifiedAt: new Date(Date.now() - 100 * 86_400_000),
        lastUsedAt: new Date(Date.now() - 91 * 86_400_000),
      })
      .where(eq(certifications.memberId, m.id));
    expect(await badge(dev, 'p-lathe', m.uid)).toMatchObject({ reason: 'certification_expired' });
    await dev.endAsync();
  });
});
