import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp, unique } from '../../../tests/support/test-app.ts';

let t: TestApp;
const day = 86_400_000;
beforeAll(async () => {
  t = await testApp({});
});
afterAll(async () => {
  await t.close();
});

describe('POST /api/v1/qualifications', () => {
  it('creates, lists, and answers 409 for an existing id, 400 for a bad id', async () => {
    const id = unique('laser');
    const r = await t.call('POST', '/api/v1/qualifications', {
      body: { id, name: 'Laser', validityDays: 365 },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      id,
      name: 'Laser',
      validityDays: 365,
      prerequisites: [],
      lapseAfterUnusedDays: null,
    });
    expect(
      (await t.call('POST', '/api/v1/qualifications', { body: { id, name: 'L', validityDays: 1 } })).status,
    ).toBe(409);
    const bad = await t.call('POST', '/api/v1/qualifications', {
      body: { id: 'Bad Id', name: 'L', validityDays: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('id');
    const list = await t.call('GET', '/api/v1/qualifications');
    expect(list.body.items.map((q: { id: string }) => q.id)).toContain(id);
  });

  it('accepts prerequisites and lapseAfterUnusedDays; unknown prerequisite → 400', async () => {
    const base = await t.qualification();
    const r = await t.call('POST', '/api/v1/qualifications', {
      body: {
        id: unique('adv'),
        name: 'Advanced',
        validityDays: 30,
        prerequisites: [base],
        lapseAfterUnusedDays: 90,
      },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ prerequisites: [base], lapseAfterUnusedDays: 90 });
    const bad = await t.call('POST', '/api/v1/qualifications', {
      body: { id: unique('x'), name: 'X', validityDays: 30, prerequisites: ['nope'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('prerequisites.0');
  });
});

describe('POST /api/v1/members/{id}/certifications', () => {
  it('defaults expiry to now + validityDays and shows it on the member', async () => {
    const q = await t.qualification(unique('q'), { validityDays: 10 });
    const m = await t.member();
    const before = Date.now();
    const r = await t.call('POST', `/api/v1/members/${m}/certifications`, { body: { qualificationId: q } });
    expect(r.status).toBe(201);
    const expires = Date.parse(r.body.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 10 * day - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 10 * day + 1000);
    expect(r.body.valid).toBe(true);
    const detail = await t.call('GET', `/api/v1/members/${m}`);
    expect(detail.body.certifications).toEqual([
      expect.objectContaining({ qualificationId: q, expiresAt: r.body.expiresAt }),
    ]);
    expect(t.changes).toContainEqual({ memberIds: [m] });
  });

  it('records a past expiresAt as history (not valid)', async () => {
    const q = await t.qualification();
    const m = await t.member();
    const r = await t.call('POST', `/api/v1/members/${m}/certifications`, {
      body: { qualificationId: q, expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ expiresAt: '2020-01-01T00:00:00.000Z', valid: false });
  });

  it('lets a trainer certify for their qualifications only (else 403); treasurer 403', async () => {
    const mine = await t.qualification();
    const other = await t.qualification();
    const trainer = await t.staff(['trainer'], [mine]);
    const m = await t.member();
    const ok = await t.call('POST', `/api/v1/members/${m}/certifications`, {
      token: trainer.token,
      body: { qualificationId: mine },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.certifiedBy).toBe(trainer.id);
    const no = await t.call('POST', `/api/v1/members/${m}/certifications`, {
      token: trainer.token,
      body: { qualificationId: other },
    });
    expect(no.status).toBe(403);
    expect(no.body.detail).toMatch(/trainer/);
    const treasurer = await t.staff(['treasurer']);
    expect(
      (
        await t.call('POST', `/api/v1/members/${m}/certifications`, {
          token: treasurer.token,
          body: { qualificationId: mine },
        })
      ).status,
    ).toBe(403);
  });

  it('requires valid prerequisites (409 naming them)', async () => {
    const base = await t.qualification();
    const adv = await t.qualification(unique('adv'), { prerequisites: [base] });
    const m = await t.member();
    const refused = await t.call('POST', `/api/v1/members/${m}/certifications`, {
      body: { qualificationId: adv },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(base);
    await t.call('POST', `/api/v1/members/${m}/certifications`, { body: { qualificationId: base } });
    expect(
      (await t.call('POST', `/api/v1/members/${m}/certifications`, { body: { qualificationId: adv } }))
        .status,
    ).toBe(201);
  });

  it('answers 404 for an unknown member or qualification, 400 for unknown fields', async () => {
    const q = await t.qualification();
    const m = await t.member();
    expect(
      (await t.call('POST', '/api/v1/members/nope/certifications', { body: { qualificationId: q } })).status,
    ).toBe(404);
    expect(
      (await t.call('POST', `/api/v1/members/${m}/certifications`, { body: { qualificationId: 'nope' } }))
        .status,
    ).toBe(404);
    expect(
      (
        await t.call('POST', `/api/v1/members/${m}/certifications`, {
          body: { qualificationId: q, level: 2 },
        })
      ).status,
    ).toBe(400);
  });

  it('revokes with a reason (required), once', async () => {
    const q = await t.qualification();
    const m = await t.member();
    const c = await t.call('POST', `/api/v1/members/${m}/certifications`, { body: { qualificationId: q } });
    expect((await t.call('POST', `/api/v1/certifications/${c.body.id}/revoke`, { body: {} })).status).toBe(
      400,
    );
    const r = await t.call('POST', `/api/v1/certifications/${c.body.id}/revoke`, {
      body: { reason: 'unsafe use' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ valid: false, revokeReason: 'unsafe use' });
    expect(
      (await t.call('POST', `/api/v1/certifications/${c.body.id}/revoke`, { body: { reason: 'again' } }))
        .status,
    ).toBe(409);
  });
});
