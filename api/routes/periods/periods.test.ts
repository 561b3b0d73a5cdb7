import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMachine, insertMember, insertSession, topup } from '../../../tests/support/ledger-fixtures.ts';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

describe('POST /api/v1/periods/{period}/close', () => {
  it('closes a balanced past month once; then nothing may be dated in it', async () => {
    const m = await insertMember(t.db);
    await topup(t.db, m, 1000, 'cash', new Date('2025-03-10T10:00:00Z'));
    const treasurer = await t.staff(['treasurer']);
    const r = await t.call('POST', '/api/v1/periods/2025-03/close', { token: treasurer.token });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ period: '2025-03', forced: false, closingLiabilityCents: 1000 });
    expect(r.body.closedBy).toBe(`staff:${treasurer.id}`);
    expect((await t.call('POST', '/api/v1/periods/2025-03/close', { body: {} })).status).toBe(409);
    await expect(topup(t.db, m, 100, 'cash', new Date('2025-03-20T10:00:00Z'))).rejects.toThrow(
      /2025-03 is closed/,
    );
    const list = await t.call('GET', '/api/v1/periods');
    expect(list.body.items.map((p: { period: string }) => p.period)).toEqual(['2025-03']);
  });

  it('refuses a month whose report has discrepancies unless forced with a reason', async () => {
    const m = await insertMember(t.db);
    await insertMachine(t.db, 'laser-p', 'laser');
    await insertSession(t.db, {
      machineId: 'laser-p',
      memberId: m,
      startedAt: new Date('2025-04-10T10:00:00Z'),
      endedAt: new Date('2025-04-10T10:10:00Z'),
      chargedCents: 300,
    });
    const refused = await t.call('POST', '/api/v1/periods/2025-04/close', { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/does not balance/);
    expect((await t.call('POST', '/api/v1/periods/2025-04/close', { body: { force: true } })).status).toBe(
      400,
    );
    const forced = await t.call('POST', '/api/v1/periods/2025-04/close', {
      body: { force: true, reason: 'séance de démonstration' },
    });
    expect(forced.status).toBe(201);
    expect(forced.body).toMatchObject({ forced: true, reason: 'séance de démonstration' });
  });

  it('validates the month and the role', async () => {
    expect((await t.call('POST', '/api/v1/periods/2025-13/close', { body: {} })).status).toBe(400);
    expect((await t.call('POST', '/api/v1/periods/2999-01/close', { body: {} })).status).toBe(409);
    const trainer = await t.staff(['trainer']);
    expect((await t.call('GET', '/api/v1/periods', { token: trainer.token })).status).toBe(403);
  });
});
