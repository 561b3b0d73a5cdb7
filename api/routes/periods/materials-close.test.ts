/**
 * Issue #11 item 3 over HTTP: a month with materials closes without force (new and old
 * postings), and a material sold through the API is posted with the `material` kind and
 * shown on its own line of the card report.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordMaterialUse } from '../../../application/lab-practices.ts';
import { newId } from '../../../application/security.ts';
import { ledgerTransactions, machineSessions, materials } from '../../../db/schema.ts';
import {
  insertMachine,
  insertMember,
  insertSession,
  topup,
  usage,
} from '../../../tests/support/ledger-fixtures.ts';
import { oldShapeMaterial } from '../../../tests/support/material-fixtures.ts';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
const laser = { id: 'laser-close', kind: 'laser' as const };
beforeAll(async () => {
  t = await testApp();
  await insertMachine(t.db, laser.id, laser.kind, 'Découpe laser');
  await t.db
    .insert(materials)
    .values({ id: 'mdf', name: 'MDF 3 mm', unit: 'plaque', pricePerUnitCents: 250 });
});
afterAll(async () => {
  await t.close();
});

describe('closing a month with materials (issue #11)', () => {
  it('closes a month whose sessions sold materials, without force', async () => {
    const m = await insertMember(t.db);
    await topup(t.db, m, 3000, 'cash', new Date('2024-05-02T09:00:00Z'));
    const s = await insertSession(t.db, {
      machineId: laser.id,
      memberId: m,
      startedAt: new Date('2024-05-10T10:00:00Z'),
      endedAt: new Date('2024-05-10T10:03:00Z'),
      runningSeconds: 180,
      chargedCents: 150,
    });
    await usage(t.db, m, laser, 150, new Date('2024-05-10T10:03:00Z'), s);
    // The same use case the route POST /sessions/{id}/materials calls, dated in May.
    await t.db.transaction((tx) =>
      recordMaterialUse(
        tx,
        'staff:test',
        { sessionId: s, materialId: 'mdf', quantity: 2 },
        new Date('2024-05-10T10:02:00Z'),
      ),
    );
    const treasurer = await t.staff(['treasurer']);
    const report = await t.call('GET', '/api/v1/reports/cards?from=2024-05-01&to=2024-06-01', {
      token: treasurer.token,
    });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ usageCents: 150, materialsCents: 500, closingLiabilityCents: 2350 });
    expect(report.body.byMachine[0]).toMatchObject({
      machineId: laser.id,
      usageCents: 150,
      materialsCents: 500,
    });
    expect(report.body.checks.discrepancies).toEqual([]);

    const closed = await t.call('POST', '/api/v1/periods/2024-05/close', {
      token: treasurer.token,
      body: {},
    });
    expect(closed.status, closed.text).toBe(201);
    expect(closed.body).toMatchObject({ period: '2024-05', forced: false, closingLiabilityCents: 2350 });
  });

  it('closes a month of materials posted the old way (as usage), without force', async () => {
    const m = await insertMember(t.db);
    await topup(t.db, m, 1000, 'card', new Date('2024-07-02T09:00:00Z'));
    const s = await insertSession(t.db, {
      machineId: laser.id,
      memberId: m,
      startedAt: new Date('2024-07-10T10:00:00Z'),
      endedAt: new Date('2024-07-10T10:03:00Z'),
      runningSeconds: 180,
      chargedCents: 150,
    });
    await usage(t.db, m, laser, 150, new Date('2024-07-10T10:03:00Z'), s);
    await oldShapeMaterial(
      t.db,
      { sessionId: s, memberId: m, machineId: laser.id, materialId: 'mdf' },
      50,
      new Date('2024-07-10T10:01:00Z'),
    );
    const closed = await t.call('POST', '/api/v1/periods/2024-07/close', { body: {} });
    expect(closed.status, closed.text).toBe(201);
    // 2350 still held from May, plus July's 1000 − 150 − 50.
    expect(closed.body).toMatchObject({ forced: false, closingLiabilityCents: 2350 + 800 });
  });

  it('posts a material sold through the API with the material kind', async () => {
    const member = await t.member();
    const top = await t.call('POST', `/api/v1/members/${member}/topups`, {
      body: { amountCents: 1000, method: 'cash' },
      headers: { 'idempotency-key': newId() },
    });
    expect(top.status, top.text).toBe(201);
    const session = newId();
    const now = new Date();
    await t.db.insert(machineSessions).values({
      id: session,
      machineId: laser.id,
      memberId: member,
      requestId: newId(),
      startedAt: now,
      lastEventAt: now,
    });
    const r = await t.call('POST', `/api/v1/sessions/${session}/materials`, {
      body: { materialId: 'mdf', quantity: 1 },
    });
    expect(r.status, r.text).toBe(201);
    const kinds = await t.db
      .select({ kind: ledgerTransactions.kind })
      .from(ledgerTransactions)
      .where(eq(ledgerTransactions.sessionId, session));
    expect(kinds).toEqual([{ kind: 'material' }]);
  });
});
