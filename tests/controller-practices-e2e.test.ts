/**
 * Issue #6 end to end through the board program: the controller on a simulated Firmata
 * board against the real server (broker, machine loop, API, database).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControllerEvent } from '../controller/controller.ts';
import { type SimulatedController, startSimulatedController } from '../controller/simulate.ts';
import { machines } from '../db/schema.ts';
import { createMachine, createMember, createQualification } from './support/lab.ts';
import { eventually, startSystem, type TestSystem } from './support/system.ts';

let sys: TestSystem;
const sims: SimulatedController[] = [];

beforeAll(async () => {
  sys = await startSystem();
  await createQualification(sys, 'laser');
});
afterAll(async () => {
  for (const s of sims) await s.stop().catch(() => {});
  await sys?.stop();
});

async function board(
  machineId: string,
  body: Parameters<typeof createMachine>[2] = {},
  set: Partial<typeof machines.$inferInsert> = {},
) {
  const device = await createMachine(sys, machineId, body);
  if (Object.keys(set).length > 0)
    await sys.database.db.update(machines).set(set).where(eq(machines.id, machineId));
  const sim = await startSimulatedController({
    mqttUrl: sys.server.mqttUrl,
    deviceId: device.deviceId,
    secret: device.secret,
    machineId,
    heartbeatSeconds: 0.2,
    tickMs: 50,
    decisionTimeoutMs: 15_000, // a loaded machine answers late: not a reason to decide offline
    warningOutput: { pin: 8 },
  });
  sims.push(sim);
  await eventually(async () => sim.controller.connected, 20_000);
  return sim;
}

/**
 * Waits for the next controller event (after `from`) matching the predicate. A positive barrier:
 * the budget only matters on a loaded machine, so it is generous (issue #10).
 */
function next(
  sim: SimulatedController,
  pred: (e: ControllerEvent) => boolean,
  from = sim.events.length,
  timeoutMs = 20_000,
) {
  return eventually(async () => sim.events.slice(from).find(pred), timeoutMs);
}
const display = (reason: string) => (e: ControllerEvent) => e.type === 'display' && e.reason === reason;

async function staffBadge(roles: string[], trainerOf: string[]) {
  const person = await createMember(sys, { name: 'Inès Moreau', certify: trainerOf });
  const res = await sys.api('POST', '/staff', {
    name: 'Inès',
    email: `${crypto.randomUUID()}@example.org`,
    roles,
    trainerOf,
    memberId: person.id,
  });
  expect(res.status).toBe(201);
  return person;
}

// Whole-server tests: budgets sized for a loaded 2-core machine (issue #10).
describe('lab practices through the board program', { timeout: 90_000 }, () => {
  it('certifies at the machine with the mode button, then the member unlocks it', async () => {
    const sim = await board('b-laser', { qualifications: ['laser'] });
    const trainer = await staffBadge(['trainer'], ['laser']);
    const member = await createMember(sys, { creditCents: 1000 });
    let mark = sim.events.length;
    sim.badge(trainer.uid, 'certify');
    await next(sim, display('awaiting_member'), mark);
    mark = sim.events.length;
    sim.badge(member.uid);
    await next(sim, display('certified'), mark);
    expect((await sim.badgeAndWait(member.uid)).type).toBe('session_open');
    expect(sim.relayPinValue()).toBe(1);
    await sim.badgeAndWait(member.uid);
    expect(sim.relayPinValue()).toBe(0);
  });

  it('asks the next member to confirm the post-use check, then opens', async () => {
    const sim = await board(
      'b-print',
      { kind: 'printer-3d', minimumChargeCents: 0 },
      { postUseCheck: 'plateau propre' },
    );
    const a = await createMember(sys, { creditCents: 1000 });
    const b = await createMember(sys, { creditCents: 1000 });
    await sim.badgeAndWait(a.uid);
    await sim.badgeAndWait(a.uid);
    await eventually(async () => (await sys.api('GET', '/machines/b-print')).body.checkPending === true);
    const mark = sim.events.length;
    sim.badge(b.uid);
    const shown = (await next(sim, display('check_required'), mark)) as Extract<
      ControllerEvent,
      { type: 'display' }
    >;
    expect(shown.check).toBe('plateau propre');
    expect(sim.relay()).toBe('off');
    expect((await sim.badgeAndWait(b.uid)).type).toBe('session_open');
  });

  it('lets the next member take over an idle machine without opening the relay in between', async () => {
    const sim = await board('b-takeover', { minimumChargeCents: 0 });
    const a = await createMember(sys, { creditCents: 1000 });
    const b = await createMember(sys, { creditCents: 1000 });
    await sim.badgeAndWait(a.uid);
    const first = sim.sessionId()!;
    await sys.database.db.execute(
      `update machine_sessions set last_running_at = now() - interval '2 minutes' where id = '${first}'` as never,
    );
    const opened = await sim.badgeAndWait(b.uid);
    expect(opened.type).toBe('session_open');
    expect(sim.sessionId()).not.toBe(first);
    expect(sim.relay()).toBe('on');
    await eventually(async () => (await sys.api('GET', `/sessions/${first}`)).body.endReason === 'takeover');
  });

  it('warns with the buzzer during the grace, then cuts', async () => {
    const sim = await board(
      'b-grace',
      { pricePerMinuteCents: 100, minimumChargeCents: 0 },
      { graceSeconds: 1 },
    );
    const m = await createMember(sys, { creditCents: 150 });
    await sim.badgeAndWait(m.uid);
    // The card is emptied elsewhere (a refund at the desk) while the machine runs: its next
    // minute cannot be paid, the server sends lock with the machine's grace.
    const refund = await sys.api(
      'POST',
      `/members/${m.id}/refunds`,
      { amountCents: 150, method: 'cash', reason: 'remboursement au comptoir' },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    const warned = (await next(sim, (e) => e.type === 'warning', 0, 30_000)) as Extract<
      ControllerEvent,
      { type: 'warning' }
    >;
    expect(warned).toMatchObject({ graceSeconds: 1, reason: 'insufficient_balance' });
    expect(sim.relay()).toBe('on'); // not cut yet
    await next(sim, (e) => e.type === 'session_end' && e.reason === 'command', 0, 20_000);
    expect(sim.relay()).toBe('off');
    expect((await sys.api('GET', `/members/${m.id}`)).body.balanceCents).toBe(0);
  });

  it('reports a problem and records a material from the board', async () => {
    const sim = await board('b-mat', { kind: 'printer-3d', pricePerMinuteCents: 0, minimumChargeCents: 0 });
    expect(
      (await sys.api('POST', '/materials', { id: 'pla-b', name: 'PLA', unit: 'g', pricePerUnitCents: 5 }))
        .status,
    ).toBe(201);
    const m = await createMember(sys, { creditCents: 1000 });
    await sim.badgeAndWait(m.uid);
    expect(sim.recordMaterial('pla-b', 20)).not.toBeNull();
    await eventually(async () => (await sys.api('GET', `/members/${m.id}`)).body.balanceCents === 900);
    sim.report('buse bouchée');
    const machine = await eventually(async () => {
      const r = (await sys.api('GET', '/machines/b-mat')).body;
      return r.state === 'maintenance' ? r : null;
    });
    expect(machine.stateNote).toBe('buse bouchée');
    expect(sim.relay()).toBe('on'); // the job is not cut
  });
});
