import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineLoopChanges } from '../../../db/schema.ts';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ maxBodyBytes: 256 * 1024 });
});
afterAll(async () => {
  await t.close();
});

const CSV =
  "Nom;Prénom;Email;Catégorie;Année de naissance;Adhésion jusqu'au\nMartin;Camille;import1@example.org;Étudiant;2004;31/12/2026\nDurand;Léa;import2@example.org;;;\n";

describe('member import routes', () => {
  it('previews without writing, then commits all rows', async () => {
    const p = await t.call('POST', '/api/v1/imports/members/preview', { body: { csv: CSV } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ rows: 2, valid: 2, errors: [] });
    expect((await t.call('GET', '/api/v1/members?q=import1')).body.total).toBe(0);
    const c = await t.call('POST', '/api/v1/imports/members/commit', { body: { csv: CSV } });
    expect(c.status).toBe(201);
    expect(c.body.created).toBe(2);
    expect((await t.call('GET', '/api/v1/members?q=import1')).body.items[0]).toMatchObject({
      name: 'Camille Martin',
      category: 'student',
      birthYear: 2004,
    });
  });

  it('answers 422 with every error and writes nothing when a row is invalid', async () => {
    const bad = `${CSV.replace('import1', 'import3').replace('import2', 'import4')}X;;not-an-email;;;\n`;
    const r = await t.call('POST', '/api/v1/imports/members/commit', { body: { csv: bad } });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ line: 4, field: 'Email' })]);
    expect((await t.call('GET', '/api/v1/members?q=import3')).body.total).toBe(0);
    const trainer = await t.staff(['trainer']);
    expect(
      (await t.call('POST', '/api/v1/imports/members/preview', { token: trainer.token, body: { csv: CSV } }))
        .status,
    ).toBe(403);
  });
});

describe('GDPR routes', () => {
  it('lets a member export their own data, and only theirs', async () => {
    const me = await t.member('Camille Export');
    const other = await t.member('Other');
    const token = await t.memberToken(me);
    const r = await t.call('GET', `/api/v1/members/${me}/data-export`, { token });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toMatch(/attachment/);
    expect(r.body.profile).toMatchObject({ id: me, name: 'Camille Export' });
    expect((await t.call('GET', `/api/v1/members/${other}/data-export`, { token })).status).toBe(403);
  });

  it('erases after confirmation; the member is gone from the API and their token stops working', async () => {
    const me = await t.member('Camille Erase');
    const token = await t.memberToken(me);
    expect((await t.call('POST', `/api/v1/members/${me}/erase`, { body: { confirm: 'no' } })).status).toBe(
      400,
    );
    const outboxBefore = await t.db.select().from(machineLoopChanges);
    const r = await t.call('POST', `/api/v1/members/${me}/erase`, { body: { confirm: me } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: me, badgesRevoked: 0 });
    // One use case (issue #12): the erasure reaches the machine loop of this process and, through
    // the outbox row committed with it, every other server.
    expect(t.changes.at(-1)).toEqual({ memberIds: [me] });
    const outbox = await t.db.select().from(machineLoopChanges);
    expect(outbox.length).toBe(outboxBefore.length + 1);
    expect(outbox.at(-1)!.memberIds).toEqual([me]);
    expect((await t.call('GET', `/api/v1/members/${me}`)).status).toBe(404);
    expect((await t.call('GET', `/api/v1/members/${me}/data-export`, { token })).status).toBe(401);
    expect((await t.call('POST', `/api/v1/members/${me}/erase`, { body: { confirm: me } })).status).toBe(409);
  });

  it('purges old badge events on demand', async () => {
    const r = await t.call('POST', '/api/v1/maintenance/purge-badge-events', { body: { days: 30 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ retentionDays: 30, deletedEvents: 0 });
    expect(
      (await t.call('PUT', '/api/v1/settings/retention', { body: { badgeEventRetentionDays: 120 } })).status,
    ).toBe(200);
    expect((await t.call('GET', '/api/v1/settings/retention')).body).toEqual({
      badgeEventRetentionDays: 120,
    });
  });
});

describe('accounting settings', () => {
  it('changes the numbers the FEC export uses', async () => {
    const before = await t.call('GET', '/api/v1/settings/accounting');
    expect(before.body).toMatchObject({ memberCards: '4191', bank: '512', vat: { laser: 'exonere' } });
    const r = await t.call('PUT', '/api/v1/settings/accounting', {
      // issue #11: an account outside the chart is a sub-account the treasurer declares
      body: {
        memberCards: '419100',
        subAccounts: [{ number: '419100', label: 'Cartes machines' }],
        vat: { cnc: 'tva-20' },
      },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      memberCards: '419100',
      cash: '530',
      vat: { cnc: 'tva-20', laser: 'exonere' },
    });
    expect((await t.call('PUT', '/api/v1/settings/accounting', { body: { bank: '' } })).status).toBe(400);
    expect(
      (await t.call('PUT', '/api/v1/settings/accounting', { body: { vat: { cnc: 'tva-99' } } })).status,
    ).toBe(400);
    const m = await t.member();
    await t.call('POST', `/api/v1/members/${m}/topups`, {
      body: { amountCents: 100, method: 'card', reference: null },
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const fec = await t.call('GET', `/api/v1/exports/fec?from=${from}&to=${to}`);
    expect(fec.text).toContain('\t419100\t');
    // The association's SIREN names the file.
    expect((await t.call('PUT', '/api/v1/settings/accounting', { body: { siren: '12345678' } })).status).toBe(
      400,
    );
    expect(
      (await t.call('PUT', '/api/v1/settings/accounting', { body: { siren: '123456789' } })).status,
    ).toBe(200);
    const named = await t.call('GET', `/api/v1/exports/fec?from=${from}&to=${to}`);
    expect(named.headers.get('content-disposition')).toContain('123456789FEC');
  });
});
