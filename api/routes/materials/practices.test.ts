/**
 * Issue #6 over HTTP: machine practice fields, report/restore/check, materials charged in a
 * session with their ledger postings, pending enrolments consumed by issuing the badge,
 * certifications lapsing for want of use, and staff linked to their member record.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiringCertifications } from '../../../application/expiring-certifications.ts';
import { newId } from '../../../application/security.ts';
import { certifications, enrolments, ledgerEntries, machineSessions, machines } from '../../../db/schema.ts';
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
  await t.db.insert(machineSessions).values({
    id,
    machineId,
    memberId,
    requestId: newId(),
    startedAt: now,
    lastEventAt: now,
  });
  return id;
}

async function topUp(memberId: string, amountCents: number) {
  const r = await t.call('POST', `/api/v1/members/${memberId}/topups`, {
    body: { amountCents, method: 'cash' },
    headers: { 'idempotency-key': newId() },
  });
  expect(r.status, r.text).toBe(201);
}

describe('machines with lab practice settings', () => {
  it('keeps SPEC bodies valid and returns the defaults', async () => {
    const id = await t.machine();
    const r = await t.call('GET', `/api/v1/machines/${id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      idlePricePerMinuteCents: null,
      sessionFeeCents: 0,
      requiresSupervisor: false,
      supervisorMode: 'badge',
      postUseCheck: null,
      checkPending: false,
      graceSeconds: 0,
      maintenanceEveryHours: null,
      runningSecondsSinceMaintenance: 0,
    });
  });

  it('accepts the new fields on create and change, and refuses bad ones', async () => {
    const id = await t.machine(unique('mc'), {
      idlePricePerMinuteCents: 10,
      sessionFeeCents: 200,
      requiresSupervisor: true,
      supervisorMode: 'present',
      postUseCheck: 'Nettoyer le plateau',
      graceSeconds: 120,
      maintenanceEveryHours: 50,
    });
    const got = await t.call('GET', `/api/v1/machines/${id}`);
    expect(got.body).toMatchObject({
      idlePricePerMinuteCents: 10,
      sessionFeeCents: 200,
      requiresSupervisor: true,
      supervisorMode: 'present',
      postUseCheck: 'Nettoyer le plateau',
      graceSeconds: 120,
      maintenanceEveryHours: 50,
    });
    const patched = await t.call('PATCH', `/api/v1/machines/${id}`, {
      body: {
        idlePricePerMinuteCents: null,
        postUseCheck: null,
        maintenanceEveryHours: null,
        graceSeconds: 0,
      },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      idlePricePerMinuteCents: null,
      postUseCheck: null,
      graceSeconds: 0,
    });
    const bad = await t.call('PATCH', `/api/v1/machines/${id}`, {
      body: { supervisorMode: 'sometimes', graceSeconds: -1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'graceSeconds',
      'supervisorMode',
    ]);
  });
});

describe('report, restore, check', () => {
  it('reports a problem (any staff), restores only when qualified, confirms a check', async () => {
    const q = await t.qualification();
    const other = await t.qualification();
    const id = await t.machine(unique('mc'), { qualifications: [q], postUseCheck: 'Lentille propre' });
    const treasurer = await t.staff(['treasurer']);
    const stranger = await t.staff(['trainer'], [other]);
    const trainer = await t.staff(['trainer'], [q]);
    const member = await t.member();
    const memberToken = await t.memberToken(member);

    expect(
      (await t.call('POST', `/api/v1/machines/${id}/report`, { token: memberToken, body: {} })).status,
    ).toBe(403);
    const before = t.changes.length;
    const reported = await t.call('POST', `/api/v1/machines/${id}/report`, {
      token: treasurer.token,
      body: { note: 'Lentille fissurée' },
    });
    expect(reported.status, reported.text).toBe(200);
    expect(reported.body).toMatchObject({ state: 'maintenance', stateNote: 'Lentille fissurée' });
    expect(t.changes.slice(before)).toContainEqual({ machineIds: [id] });

    // No body at all is fine too: a default note.
    const bare = await t.call('POST', `/api/v1/machines/${id}/report`, { token: treasurer.token });
    expect(bare.status, bare.text).toBe(200);
    expect(bare.body.stateNote).toBeTruthy();

    const refused = await t.call('POST', `/api/v1/machines/${id}/restore`, { token: stranger.token });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/qualified/);
    expect((await t.call('POST', `/api/v1/machines/${id}/restore`, { token: memberToken })).status).toBe(403);
    const restored = await t.call('POST', `/api/v1/machines/${id}/restore`, { token: trainer.token });
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body).toMatchObject({
      state: 'available',
      stateNote: null,
      runningSecondsSinceMaintenance: 0,
    });
    // An admin may always restore.
    await t.call('POST', `/api/v1/machines/${id}/report`, { body: {} });
    expect((await t.call('POST', `/api/v1/machines/${id}/restore`)).status).toBe(200);

    await t.db.update(machines).set({ checkPending: true }).where(eq(machines.id, id));
    expect((await t.call('GET', `/api/v1/machines/${id}`)).body.checkPending).toBe(true);
    expect((await t.call('POST', `/api/v1/machines/${id}/check`, { token: memberToken })).status).toBe(403);
    const checked = await t.call('POST', `/api/v1/machines/${id}/check`, {
      token: treasurer.token,
      body: {},
    });
    expect(checked.status, checked.text).toBe(200);
    expect(checked.body.checkPending).toBe(false);
    expect((await t.call('POST', '/api/v1/machines/nope/report', { body: {} })).status).toBe(404);
  });
});

describe('materials', () => {
  it('admin creates, staff lists, admin changes the price and deactivates; members refused', async () => {
    const trainer = await t.staff(['trainer']);
    const mid = unique('pla');
    const body = { id: mid, name: 'PLA', unit: 'g', pricePerUnitCents: 5 };
    expect((await t.call('POST', '/api/v1/materials', { token: trainer.token, body })).status).toBe(403);
    const created = await t.call('POST', '/api/v1/materials', { body });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ ...body, active: true });
    expect((await t.call('POST', '/api/v1/materials', { body })).status).toBe(409);
    expect((await t.call('POST', '/api/v1/materials', { body: { ...body, id: 'Bad Id' } })).status).toBe(400);
    const list = await t.call('GET', '/api/v1/materials', { token: trainer.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((m: { id: string }) => m.id)).toContain(mid);
    const member = await t.memberToken(await t.member());
    expect((await t.call('GET', '/api/v1/materials', { token: member })).status).toBe(403);
    const patched = await t.call('PATCH', `/api/v1/materials/${mid}`, { body: { pricePerUnitCents: 6 } });
    expect(patched.body.pricePerUnitCents).toBe(6);
    const off = await t.call('PATCH', `/api/v1/materials/${mid}`, { body: { active: false } });
    expect(off.body.active).toBe(false);
    expect((await t.call('PATCH', '/api/v1/materials/none', { body: { active: false } })).status).toBe(404);
  });

  it('charges material in a session: card debited, material sales posted, idempotent', async () => {
    const mid = unique('resin');
    await t.call('POST', '/api/v1/materials', {
      body: { id: mid, name: 'Résine', unit: 'ml', pricePerUnitCents: 12 },
    });
    const machine = await t.machine();
    const member = await t.member();
    await topUp(member, 1000);
    const session = await openSession(machine, member);
    const treasurer = await t.staff(['treasurer']);

    const key = newId();
    const r = await t.call('POST', `/api/v1/sessions/${session}/materials`, {
      token: treasurer.token,
      body: { materialId: mid, quantity: 25 },
      headers: { 'idempotency-key': key },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ sessionId: session, materialId: mid, quantity: 25, amountCents: 300 });
    const again = await t.call('POST', `/api/v1/sessions/${session}/materials`, {
      token: treasurer.token,
      body: { materialId: mid, quantity: 25 },
      headers: { 'idempotency-key': key },
    });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(r.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const detail = await t.call('GET', `/api/v1/sessions/${session}`);
    expect(detail.body).toMatchObject({ materialsCents: 300, idleSeconds: 0 });
    expect(detail.body.materials).toHaveLength(1);
    expect((await t.call('GET', `/api/v1/members/${member}`)).body.balanceCents).toBe(700);

    const revenue = await t.db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.account, 'material_revenue'), eq(ledgerEntries.machineId, machine)));
    expect(revenue.reduce((s, e) => s + e.amountCents, 0)).toBe(-300);

    // The member may charge their own session, not someone else's.
    const own = await t.memberToken(member);
    const mine = await t.call('POST', `/api/v1/sessions/${session}/materials`, {
      token: own,
      body: { materialId: mid, quantity: 1 },
    });
    expect(mine.status, mine.text).toBe(201);
    const stranger = await t.memberToken(await t.member());
    expect(
      (
        await t.call('POST', `/api/v1/sessions/${session}/materials`, {
          token: stranger,
          body: { materialId: mid, quantity: 1 },
        })
      ).status,
    ).toBe(403);

    // More than the card holds (overdraft 0): refused, nothing charged.
    const tooMuch = await t.call('POST', `/api/v1/sessions/${session}/materials`, {
      body: { materialId: mid, quantity: 1000 },
    });
    expect(tooMuch.status).toBe(409);
    expect((await t.call('GET', `/api/v1/sessions/${session}`)).body.materialsCents).toBe(312);
    expect(
      (
        await t.call('POST', `/api/v1/sessions/${session}/materials`, {
          body: { materialId: mid, quantity: 0 },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await t.call('POST', `/api/v1/sessions/${session}/materials`, {
          body: { materialId: 'nope', quantity: 1 },
        })
      ).status,
    ).toBe(404);
  });
});

describe('enrolments', () => {
  it('lists pending badges for admins and consumes them when the badge is issued', async () => {
    const machine = await t.machine(unique('door'));
    const uid = `04${newId()
      .replace(/[^0-9a-f]/gi, '')
      .slice(0, 6)
      .toUpperCase()
      .padEnd(6, '0')}`;
    await t.db.insert(enrolments).values({ id: newId(), machineId: machine, uid, staffId: null });
    // An old one (over 10 minutes) is not offered.
    await t.db.insert(enrolments).values({
      id: newId(),
      machineId: machine,
      uid: 'AABBCCDD',
      createdAt: new Date(Date.now() - 11 * 60_000),
    });
    const trainer = await t.staff(['trainer']);
    expect((await t.call('GET', '/api/v1/enrolments', { token: trainer.token })).status).toBe(403);
    const list = await t.call('GET', '/api/v1/enrolments');
    expect(list.status).toBe(200);
    const mine = list.body.items.filter((e: { machineId: string }) => e.machineId === machine);
    expect(mine).toEqual([expect.objectContaining({ uid, machineId: machine, machineName: machine })]);

    const member = await t.member();
    const issued = await t.call('POST', `/api/v1/members/${member}/badges`, {
      body: { uid: uid.toLowerCase() },
    });
    expect(issued.status, issued.text).toBe(201);
    const after = await t.call('GET', '/api/v1/enrolments');
    expect(after.body.items.filter((e: { machineId: string }) => e.machineId === machine)).toEqual([]);
  });
});

describe('certifications lapsing for want of use', () => {
  it('shows lapsesAt, validity with the lapse, and lists lapses among the expiring', async () => {
    const q = await t.qualification(unique('q'), { lapseAfterUnusedDays: 30 });
    const fixed = await t.qualification();
    const member = await t.member();
    for (const qualificationId of [q, fixed]) {
      const r = await t.call('POST', `/api/v1/members/${member}/certifications`, {
        body: { qualificationId },
      });
      expect(r.status, r.text).toBe(201);
    }
    const day = 86_400_000;
    await t.db
      .update(certifications)
      .set({ lastUsedAt: new Date(Date.now() - 20 * day) })
      .where(and(eq(certifications.memberId, member), eq(certifications.qualificationId, q)));
    const detail = await t.call('GET', `/api/v1/members/${member}`);
    const lapsing = detail.body.certifications.find(
      (c: { qualificationId: string }) => c.qualificationId === q,
    );
    const plain = detail.body.certifications.find(
      (c: { qualificationId: string }) => c.qualificationId === fixed,
    );
    expect(lapsing.valid).toBe(true);
    expect(new Date(lapsing.lapsesAt).getTime()).toBeCloseTo(Date.now() + 10 * day, -5);
    expect(lapsing.validUntil).toBe(lapsing.lapsesAt);
    expect(plain).toMatchObject({ lapsesAt: null, valid: true });
    expect(plain.validUntil).toBe(plain.expiresAt);

    const soon = await expiringCertifications(t.db, {
      now: new Date(),
      days: 30,
      qualificationIds: [q, fixed],
    });
    expect(soon.filter((x) => x.memberId === member)).toEqual([
      expect.objectContaining({ qualificationId: q, ends: 'lapse' }),
    ]);

    await t.db
      .update(certifications)
      .set({ lastUsedAt: new Date(Date.now() - 31 * day) })
      .where(and(eq(certifications.memberId, member), eq(certifications.qualificationId, q)));
    const lapsed = (await t.call('GET', `/api/v1/members/${member}`)).body.certifications.find(
      (c: { qualificationId: string }) => c.qualificationId === q,
    );
    expect(lapsed.valid).toBe(false);
    const quals = await t.call('GET', '/api/v1/qualifications');
    expect(quals.body.items.find((x: { id: string }) => x.id === q)).toMatchObject({
      lapseAfterUnusedDays: 30,
    });
  });
});

describe('staff linked to a member record', () => {
  it('accepts memberId on create and change, and refuses an unknown one', async () => {
    const member = await t.member('Sam Formateur');
    const r = await t.call('POST', '/api/v1/staff', {
      body: { name: 'Sam', email: `${unique('s')}@example.org`, roles: ['trainer'], memberId: member },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.memberId).toBe(member);
    const other = await t.member('Sam bis');
    const patched = await t.call('PATCH', `/api/v1/staff/${r.body.id}`, { body: { memberId: other } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.memberId).toBe(other);
    const me = await t.call('GET', '/api/v1/members/me', { token: r.body.token });
    expect(me.body.id).toBe(other);
    const unlinked = await t.call('PATCH', `/api/v1/staff/${r.body.id}`, { body: { memberId: null } });
    expect(unlinked.body.memberId).toBeNull();
    const bad = await t.call('PATCH', `/api/v1/staff/${r.body.id}`, { body: { memberId: 'nobody' } });
    expect(bad.status).toBe(400);
  });
});
