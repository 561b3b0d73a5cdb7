/**
 * The server's allow-list takes its eligibility from core/offline.ts (issue #10): the rule the
 * board applies. Fails on the old builder: it listed members whose credit cannot pay the session
 * fee plus a minute, and machines whose post-use check is pending. PGlite, or PostgreSQL with
 * DATABASE_URL.
 */
import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideOffline } from '../../core/offline.ts';
import { machines } from '../../db/schema.ts';
import { testDatabase } from '../../tests/support/db.ts';
import { addMachine, addMember, addQualification, TEST_BADGE_KEY } from '../../tests/support/fixtures.ts';
import { buildAllowLists } from './allowlist.ts';

const hmac = (salt: string, uid: string) =>
  createHmac('sha256', Buffer.from(salt, 'hex')).update(uid).digest('hex');
const keys = { badgeKey: TEST_BADGE_KEY, signingPrivateKeyPem: '', signingPublicKeyPem: '' };
let database: Awaited<ReturnType<typeof testDatabase>>;

beforeAll(async () => {
  database = await testDatabase();
  const db = database.db;
  await addQualification(db, 'laser');
  const priced = {
    qualifications: ['laser'],
    pricePerMinuteCents: 50,
    minimumChargeCents: 0,
    sessionFeeCents: 200,
  };
  await addMachine(db, 'laser-1', priced);
  await addMachine(db, 'laser-2', { ...priced, checkPending: true });
  await addMember(db, { name: 'Camille', uid: '04A3B2C1', creditCents: 500, certify: ['laser'] });
  await addMember(db, { name: 'Yanis', uid: '04A3B2C2', creditCents: 240, certify: ['laser'] }); // < 200 + 50
  await addMember(db, {
    name: 'Léa',
    uid: '04A3B2C3',
    creditCents: 900,
    certify: ['laser'],
    status: 'suspended',
  });
  await addMember(db, { name: 'Noé', uid: '04A3B2C4', creditCents: 900 }); // not certified
});

afterAll(async () => {
  await database.drop();
});

describe('allow-list eligibility (core/offline.ts)', () => {
  it('lists only members whose credit pays the session fee plus a minute, active and certified', async () => {
    const now = new Date();
    const [list] = await buildAllowLists(database.db, keys, now, ['laser-1']);
    // creditCents is net of the session fee (core/offline.ts): 500 − 200.
    expect(list?.entries.map((e) => [e.name, e.creditCents])).toEqual([['Camille', 300]]);
    // The board's decision from that list: (500 − 200) / 50 = 6 minutes.
    const d = decideOffline(list ?? null, '04A3B2C1', now.getTime(), hmac);
    expect(d).toMatchObject({ granted: true, maxRunningSeconds: 360, listIssuedAt: now.toISOString() });
    expect(decideOffline(list ?? null, '04A3B2C2', now.getTime(), hmac)).toMatchObject({ granted: false });
  });

  it('lists nobody while the post-use check is pending, and everyone eligible once it is confirmed', async () => {
    const [pending] = await buildAllowLists(database.db, keys, new Date(), ['laser-2']);
    expect(pending?.entries).toEqual([]);
    await database.db.update(machines).set({ checkPending: false }).where(eq(machines.id, 'laser-2'));
    const [confirmed] = await buildAllowLists(database.db, keys, new Date(), ['laser-2']);
    expect(confirmed?.entries.map((e) => e.name)).toEqual(['Camille']);
  });
});
