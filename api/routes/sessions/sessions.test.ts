import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../application/security.ts';
import { machineSessions } from '../../../db/schema.ts';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

async function session(machineId: string, memberId: string, startedAt: Date, ended = true): Promise<string> {
  const id = newId();
  await t.db.insert(machineSessions).values({
    id,
    machineId,
    memberId,
    requestId: newId(),
    startedAt,
    lastEventAt: startedAt,
    runningSeconds: 90,
    dueCents: 100,
    chargedCents: 100,
    ...(ended ? { endedAt: new Date(startedAt.getTime() + 90_000), endReason: 'badge_out' } : {}),
  });
  return id;
}

describe('GET /api/v1/sessions', () => {
  it('lists with the SPEC fields, filtered by machine, member, dates and open', async () => {
    const machine = await t.machine();
    const other = await t.machine();
    const a = await t.member();
    const b = await t.member();
    const s1 = await session(machine, a, new Date('2026-01-10T10:00:00Z'));
    const s2 = await session(machine, b, new Date('2026-01-11T10:00:00Z'));
    const s3 = await session(other, a, new Date('2026-01-12T10:00:00Z'), false);

    const byMachine = await t.call('GET', `/api/v1/sessions?machine=${machine}`);
    expect(byMachine.status).toBe(200);
    expect(byMachine.body.items.map((s: { id: string }) => s.id)).toEqual([s2, s1]);
    expect(byMachine.body.items[1]).toMatchObject({
      id: s1,
      machineId: machine,
      memberId: a,
      startedAt: '2026-01-10T10:00:00.000Z',
      endedAt: '2026-01-10T10:01:30.000Z',
      runningSeconds: 90,
      chargedCents: 100,
      endReason: 'badge_out',
    });
    const byMember = await t.call('GET', `/api/v1/sessions?machine=&member=${a}`);
    expect(byMember.body.items.map((s: { id: string }) => s.id)).toEqual([s3, s1]);
    const open = await t.call('GET', `/api/v1/sessions?member=${a}&open=true`);
    expect(open.body.items.map((s: { id: string }) => s.id)).toEqual([s3]);
    const range = await t.call(
      'GET',
      `/api/v1/sessions?member=${a}&from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z`,
    );
    expect(range.body).toMatchObject({ total: 1, items: [expect.objectContaining({ id: s1 })] });
    expect((await t.call('GET', '/api/v1/sessions?from=yesterday')).status).toBe(400);
    expect((await t.call('GET', '/api/v1/sessions?colour=red')).status).toBe(400);
  });

  it('shows members their own sessions only', async () => {
    const machine = await t.machine();
    const a = await t.member();
    const b = await t.member();
    const mine = await session(machine, a, new Date('2026-02-01T10:00:00Z'));
    const theirs = await session(machine, b, new Date('2026-02-01T11:00:00Z'));
    const token = await t.memberToken(a);
    const list = await t.call('GET', '/api/v1/sessions', { token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([mine]);
    expect((await t.call('GET', `/api/v1/sessions?member=${b}`, { token })).status).toBe(403);
    expect((await t.call('GET', `/api/v1/sessions/${mine}`, { token })).status).toBe(200);
    expect((await t.call('GET', `/api/v1/sessions/${theirs}`, { token })).status).toBe(403);
    expect((await t.call('GET', '/api/v1/sessions', { token: null })).status).toBe(401);
  });
});

describe('POST /api/v1/sessions/{id}/end', () => {
  it('sends the board a lock for an open session; 409 when already ended; admin only', async () => {
    const machine = await t.machine();
    const a = await t.member();
    const open = await session(machine, a, new Date(), false);
    const treasurer = await t.staff(['treasurer']);
    expect((await t.call('POST', `/api/v1/sessions/${open}/end`, { token: treasurer.token })).status).toBe(
      403,
    );
    const r = await t.call('POST', `/api/v1/sessions/${open}/end`);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ sessionId: open, machineId: machine, lockRequested: true });
    expect(t.locks).toContainEqual({ machineId: machine, reason: 'operator', sessionId: open });
    const ended = await session(machine, a, new Date('2026-01-01T00:00:00Z'));
    expect((await t.call('POST', `/api/v1/sessions/${ended}/end`)).status).toBe(409);
    expect((await t.call('POST', '/api/v1/sessions/nope/end')).status).toBe(404);
  });
});
