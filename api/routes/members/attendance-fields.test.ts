/**
 * Issue #11 (attendance for funders): a member's optional gender and place of residence,
 * set on create, PATCH and import, refused when malformed, never by the member themself nor
 * another member, and part of the member's GDPR export and erasure.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members } from '../../../db/schema.ts';
import { type TestApp, testApp, unique } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

const row = async (id: string) => (await t.db.select().from(members).where(eq(members.id, id)))[0]!;

describe('gender and residence on a member (issue #11)', () => {
  it('are optional, set on create and changed or cleared by PATCH', async () => {
    const plain = await t.call('POST', '/api/v1/members', {
      body: { name: 'Sans Réponse', email: `${unique('a')}@example.org` },
    });
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({ gender: null, residenceCommune: null, residenceArea: null });

    const r = await t.call('POST', '/api/v1/members', {
      body: {
        name: 'Awa Diallo',
        email: `${unique('a')}@example.org`,
        gender: 'woman',
        residenceCommune: ' Amiens ',
        residenceArea: 'inside',
      },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ gender: 'woman', residenceCommune: 'Amiens', residenceArea: 'inside' });

    const p = await t.call('PATCH', `/api/v1/members/${r.body.id}`, {
      body: { gender: null, residenceCommune: '80021', residenceArea: 'outside' },
    });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ gender: null, residenceCommune: '80021', residenceArea: 'outside' });
    const got = await t.call('GET', `/api/v1/members/${r.body.id}`);
    expect(got.body).toMatchObject({ residenceCommune: '80021', residenceArea: 'outside' });
  });

  it.each([
    ['an unknown gender', { gender: 'femme' }],
    ['an unknown area', { residenceArea: 'agglo' }],
    ['an empty commune', { residenceCommune: '   ' }],
    ['an oversized commune', { residenceCommune: 'x'.repeat(101) }],
    ['a commune with control characters', { residenceCommune: 'Amiens\u0000' }],
    ['a number as commune', { residenceCommune: 80021 }],
  ])('refuses %s with 400 and changes nothing', async (_, patch) => {
    const id = await t.member();
    await t.call('PATCH', `/api/v1/members/${id}`, { body: { gender: 'man', residenceArea: 'inside' } });
    const before = await row(id);
    const r = await t.call('PATCH', `/api/v1/members/${id}`, { body: patch });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(await row(id)).toEqual(before);
  });

  it('cannot be set by the member, another member, a trainer or a treasurer', async () => {
    const id = await t.member();
    const other = await t.member();
    const before = await row(id);
    const tokens = [
      await t.memberToken(id),
      await t.memberToken(other),
      (await t.staff(['trainer'])).token,
      (await t.staff(['treasurer'])).token,
    ];
    for (const token of tokens) {
      const r = await t.call('PATCH', `/api/v1/members/${id}`, { token, body: { gender: 'other' } });
      expect(r.status).toBe(403);
    }
    expect(await row(id)).toEqual(before);
  });

  it('come with the member import (Genre, Commune, Agglomération)', async () => {
    const email = `${unique('imp')}@example.org`;
    const csv = `Nom;Email;Genre;Commune;Agglomération\nDurand;${email};F;Longueau;oui\n`;
    const result = await t.call('POST', '/api/v1/imports/members/commit', { body: { csv } });
    expect(result.status, result.text).toBe(201);
    const [m] = await t.db.select().from(members).where(eq(members.id, result.body.ids[0]!));
    expect(m).toMatchObject({ gender: 'woman', residenceCommune: 'Longueau', residenceArea: 'inside' });
  });

  it('are exported with the member data and erased with the member', async () => {
    const r = await t.call('POST', '/api/v1/members', {
      body: {
        name: 'Efface Moi',
        email: `${unique('e')}@example.org`,
        gender: 'other',
        residenceCommune: 'Camon',
        residenceArea: 'inside',
      },
    });
    const id = r.body.id as string;
    const exported = await t.call('GET', `/api/v1/members/${id}/data-export`);
    expect(exported.status).toBe(200);
    expect(exported.body.profile).toMatchObject({
      gender: 'other',
      residenceCommune: 'Camon',
      residenceArea: 'inside',
    });
    const erased = await t.call('POST', `/api/v1/members/${id}/erase`, { body: { confirm: id } });
    expect(erased.status).toBe(200);
    expect(await row(id)).toMatchObject({ gender: null, residenceCommune: null, residenceArea: null });
  });
});
