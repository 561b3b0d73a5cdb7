import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badgeHash } from '../../../application/security.ts';
import { badges } from '../../../db/schema.ts';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

const randomUid = () =>
  Array.from({ length: 7 }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');

describe('POST /api/v1/members/{id}/badges', () => {
  it('normalises the UID, stores only its keyed hash, shows only the last 4 digits', async () => {
    const id = await t.member();
    const uid = randomUid();
    const r = await t.call('POST', `/api/v1/members/${id}/badges`, {
      body: { uid: ` ${uid.toLowerCase()} ` },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ memberId: id, last4: uid.toUpperCase().slice(-4), status: 'active' });
    const rows = await t.db.select().from(badges);
    const row = rows.find((b) => b.id === r.body.id)!;
    expect(row.uidHash).toBe(badgeHash(t.keys.badgeKey, uid.toUpperCase()));
    const detail = await t.call('GET', `/api/v1/members/${id}`);
    expect(detail.body.badges).toEqual([
      {
        id: r.body.id,
        last4: uid.toUpperCase().slice(-4),
        status: 'active',
        issuedAt: expect.any(String),
        revokedAt: null,
      },
    ]);
    expect(detail.text).not.toContain(uid.toUpperCase());
    expect(detail.text).not.toContain(row.uidHash);
    expect(t.changes).toContainEqual({ memberIds: [id] });
  });

  it('answers 400 for a bad UID', async () => {
    const id = await t.member();
    for (const uid of ['04A3B2', 'XYZXYZXY', '04A3B2C1D', '']) {
      const r = await t.call('POST', `/api/v1/members/${id}/badges`, { body: { uid } });
      expect(r.status, uid).toBe(400);
      expect(r.body.errors[0]).toMatchObject({ in: 'body', field: 'uid' });
    }
  });

  it('answers 409 for a UID already on an active badge, and still once declared lost', async () => {
    const a = await t.member();
    const b = await t.member();
    const uid = randomUid().toUpperCase();
    const first = await t.call('POST', `/api/v1/members/${a}/badges`, { body: { uid } });
    expect(first.status).toBe(201);
    const dup = await t.call('POST', `/api/v1/members/${b}/badges`, { body: { uid: uid.toLowerCase() } });
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toMatch(/revoke/);
    const revoked = await t.call('POST', `/api/v1/badges/${first.body.id}/revoke`, {
      body: { status: 'lost' },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('lost');
    expect((await t.call('POST', `/api/v1/badges/${first.body.id}/revoke`, { body: {} })).status).toBe(409);
    // A lost card is never issued again (tests/security/badge-reissue.test.ts).
    const again = await t.call('POST', `/api/v1/members/${b}/badges`, { body: { uid } });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/lost or revoked.*new card/);
  });

  it('answers 404 for an unknown member or badge, 403 for non-admins', async () => {
    expect((await t.call('POST', '/api/v1/members/nope/badges', { body: { uid: '04A3B2C1' } })).status).toBe(
      404,
    );
    expect((await t.call('POST', '/api/v1/badges/nope/revoke')).status).toBe(404);
    const s = await t.staff(['treasurer']);
    const id = await t.member();
    expect(
      (await t.call('POST', `/api/v1/members/${id}/badges`, { token: s.token, body: { uid: randomUid() } }))
        .status,
    ).toBe(403);
  });
});
