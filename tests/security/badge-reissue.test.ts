/**
 * Security check of 1 Dec 2026 (issue #12): a card declared lost or revoked is never issued
 * again — not to another member (whoever found the card would get that member's access and
 * credit), not to the same member either (a found card is replaced by a new one). Through the
 * API and the dashboard's member page, the refusal says to give a new card and changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badgeHashes } from '../../application/security.ts';
import { auditLog, badges } from '../../db/schema.ts';
import { type TestApp, testApp } from '../support/test-app.ts';

const PASSWORD = 'correct horse battery staple';
let t: TestApp;
let cookie: string;

beforeAll(async () => {
  t = await testApp();
  const me = await t.call('GET', '/api/v1/me');
  expect(
    (await t.call('PUT', `/api/v1/staff/${me.body.id}/password`, { body: { password: PASSWORD } })).status,
  ).toBe(204);
  const login = await t.app.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: me.body.email, password: PASSWORD }),
  });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/^sesame_session=/);
});
afterAll(async () => t?.close());

const newUid = () => randomBytes(7).toString('hex').toUpperCase();

/** Everything an issue would change: the UID's badge rows, badge audit entries, loop changes. */
async function state(uid: string) {
  const { uidHash } = badgeHashes(t.keys.badgeKey, uid);
  const rows = await t.db.select().from(badges).where(eq(badges.uidHash, uidHash));
  const audits = await t.db.select().from(auditLog).where(eq(auditLog.entity, 'badge'));
  return { rows, audits: audits.length, changes: t.changes.length };
}

/** A member whose card `uid` was issued, then declared lost or revoked. */
async function retiredCard(status: 'lost' | 'revoked') {
  const owner = await t.member('Lou Perdu');
  const uid = newUid();
  const issued = await t.call('POST', `/api/v1/members/${owner}/badges`, { body: { uid } });
  expect(issued.status).toBe(201);
  const r = await t.call('POST', `/api/v1/badges/${issued.body.id}/revoke`, { body: { status } });
  expect(r.status).toBe(200);
  return { owner, uid };
}

async function postForm(memberId: string, fields: Record<string, string>, origin = 'http://localhost') {
  const body = new URLSearchParams(fields).toString();
  return t.app.request(`http://localhost/members/${memberId}/badges`, {
    method: 'POST',
    headers: {
      cookie,
      origin,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  });
}

const flashOf = (res: Response) => {
  const raw = /sesame_flash=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  return raw === undefined
    ? null
    : (JSON.parse(decodeURIComponent(decodeURIComponent(raw))) as { kind: string; text: string });
};

describe('a lost or revoked card is not issued again (issue #12)', () => {
  it.each(['lost', 'revoked'] as const)(
    'API: a %s card, to another member or to its owner: 409',
    async (status) => {
      const { owner, uid } = await retiredCard(status);
      const other = await t.member('Sam Trouveur');
      const before = await state(uid);
      expect(before.rows).toHaveLength(1);
      for (const [who, as] of [
        [other, uid],
        [owner, uid],
        [other, ` ${uid.toLowerCase()} `],
      ] as const) {
        const r = await t.call('POST', `/api/v1/members/${who}/badges`, { body: { uid: as } });
        expect(r.status).toBe(409);
        expect(r.headers.get('content-type')).toMatch(/problem\+json/);
        expect(r.body.detail).toMatch(/declared lost or revoked.*new card/);
      }
      expect(await state(uid)).toEqual(before);
      const detail = await t.call('GET', `/api/v1/members/${other}`);
      expect(detail.body.badges).toEqual([]);
    },
  );

  it('dashboard: the member page form refuses the lost card with a French message, nothing changes', async () => {
    const { owner, uid } = await retiredCard('lost');
    const other = await t.member('Sam Trouveur');
    const before = await state(uid);
    for (const [who, fields] of [
      [other, { uid }],
      [owner, { uid: uid.toLowerCase() }],
      // The card presented at a reader in enrolment mode (issue #6) is refused the same way.
      [other, { uid: '', enrolledUid: uid }],
    ] as const) {
      const res = await postForm(who, fields);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/members/${who}#badge-h`);
      expect(flashOf(res)).toEqual({
        kind: 'error',
        text: 'Cette carte a été déclarée perdue ou révoquée : elle ne peut plus être remise, à personne. Remettez une carte neuve.',
      });
    }
    expect(await state(uid)).toEqual(before);
  });

  it('dashboard: a cross-origin post, or one from a non-admin, changes nothing either', async () => {
    const other = await t.member('Sam Trouveur');
    const uid = newUid();
    const before = await state(uid);
    expect((await postForm(other, { uid }, 'https://evil.example')).status).toBe(403);
    const treasurer = await t.staff(['treasurer']);
    const api = await t.call('POST', `/api/v1/members/${other}/badges`, {
      token: treasurer.token,
      body: { uid },
    });
    expect(api.status).toBe(403);
    expect(await state(uid)).toEqual(before);
    // A new card is still issued as before.
    const ok = await postForm(other, { uid });
    expect(flashOf(ok)).toEqual({ kind: 'ok', text: `Badge …${uid.slice(-4)} remis.` });
    expect((await state(uid)).rows).toHaveLength(1);
  });
});
