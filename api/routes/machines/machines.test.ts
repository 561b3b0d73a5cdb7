import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../application/security.ts';
import { machineSessions, machines } from '../../../db/schema.ts';
import { type TestApp, testApp, unique } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

async function openSession(machineId: string, memberId: string): Promise<string> {
  const id = newId();
  const now = new Date();
  await t.db
    .insert(machineSessions)
    .values({ id, machineId, memberId, requestId: newId(), startedAt: now, lastEventAt: now });
  return id;
}

describe('POST /api/v1/machines', () => {
  it('creates a machine with the SPEC body; an existing id gets 409', async () => {
    const q = await t.qualification();
    const id = unique('laser');
    const body = {
      id,
      name: 'Laser',
      kind: 'laser',
      pricePerMinuteCents: 50,
      minimumChargeCents: 100,
      qualifications: [q],
    };
    const r = await t.call('POST', '/api/v1/machines', { body });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      ...body,
      overdraftLimitCents: 0,
      creditPolicy: 'lock',
      maxSessionSeconds: null,
      heartbeatSeconds: 30,
      state: 'available',
      online: false,
      inUse: false,
    });
    const dup = await t.call('POST', '/api/v1/machines', { body });
    expect(dup.status).toBe(409);
    expect(dup.headers.get('content-type')).toContain('application/problem+json');
  });

  it('accepts a free door with no qualifications and the optional settings', async () => {
    const r = await t.call('POST', '/api/v1/machines', {
      body: {
        id: unique('door'),
        name: 'Door',
        kind: 'door',
        pricePerMinuteCents: 0,
        minimumChargeCents: 0,
        qualifications: [],
        overdraftLimitCents: 0,
        creditPolicy: 'finish',
        maxSessionSeconds: 600,
        heartbeatSeconds: 10,
      },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ creditPolicy: 'finish', maxSessionSeconds: 600, heartbeatSeconds: 10 });
  });

  it('refuses bad input with 400 and field paths', async () => {
    const base = {
      id: unique('m'),
      name: 'M',
      kind: 'laser',
      pricePerMinuteCents: 1,
      minimumChargeCents: 0,
      qualifications: [],
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, id: 'UPPER' }, 'id'],
      [{ ...base, kind: 'toaster' }, 'kind'],
      [{ ...base, pricePerMinuteCents: -1 }, 'pricePerMinuteCents'],
      [{ ...base, pricePerMinuteCents: 1.5 }, 'pricePerMinuteCents'],
      [{ ...base, qualifications: ['nope'] }, 'qualifications.0'],
      [{ ...base, colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const r = await t.call('POST', '/api/v1/machines', { body });
      expect(r.status, field).toBe(400);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });
});

describe('GET /api/v1/machines/{id}', () => {
  it('shows online, inUse and the open sessionId to any staff; members 403; unknown 404', async () => {
    const id = await t.machine();
    const member = await t.member();
    await t.db.update(machines).set({ online: true }).where(eq(machines.id, id));
    const sessionId = await openSession(id, member);
    for (const roles of [['trainer'], ['treasurer']]) {
      const s = await t.staff(roles);
      const r = await t.call('GET', `/api/v1/machines/${id}`, { token: s.token });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id, online: true, inUse: true, sessionId });
    }
    const own = await t.memberToken(member);
    expect((await t.call('GET', `/api/v1/machines/${id}`, { token: own })).status).toBe(403);
    expect((await t.call('GET', '/api/v1/machines/nope')).status).toBe(404);
    const list = await t.call('GET', '/api/v1/machines');
    expect(list.body.items.find((m: { id: string }) => m.id === id)).toMatchObject({
      inUse: true,
      sessionId,
    });
  });
});

describe('PATCH /api/v1/machines/{id}', () => {
  it('changes pricing and qualifications; locking out stops the open session', async () => {
    const id = await t.machine();
    const q = await t.qualification();
    const r = await t.call('PATCH', `/api/v1/machines/${id}`, {
      body: { pricePerMinuteCents: 80, qualifications: [q] },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ pricePerMinuteCents: 80, qualifications: [q] });
    expect(t.changes).toContainEqual({ machineIds: [id] });
    const sessionId = await openSession(id, await t.member());
    const locked = await t.call('PATCH', `/api/v1/machines/${id}`, {
      body: { state: 'locked_out', stateNote: 'laser tube' },
    });
    expect(locked.status).toBe(200);
    expect(locked.body).toMatchObject({ state: 'locked_out', stateNote: 'laser tube' });
    expect(t.locks).toContainEqual({ machineId: id, reason: 'locked_out', sessionId });
    expect((await t.call('PATCH', `/api/v1/machines/${id}`, { body: { state: 'broken' } })).status).toBe(400);
    expect((await t.call('PATCH', '/api/v1/machines/nope', { body: { name: 'x' } })).status).toBe(404);
  });
});
