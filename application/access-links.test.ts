import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.ts';
import { testDatabase } from '../tests/support/db.ts';
import { addMember } from '../tests/support/fixtures.ts';
import { accessLinkOwner, createAccessLink, redeemAccessLink } from './access-links.ts';
import { setPassword } from './passwords.ts';

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
const now = new Date();

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
});
afterAll(async () => database.drop());

describe('one-time access links', () => {
  it('a new link replaces the links handed out before', async () => {
    const memberId = await addMember(db);
    const first = await createAccessLink(db, 'staff:admin', { memberId }, now);
    const second = await createAccessLink(db, 'staff:admin', { memberId }, now);
    expect(await accessLinkOwner(db, first.token, now)).toBeNull();
    expect(await redeemAccessLink(db, first.token, 'a long passphrase', now)).toBeNull();
    expect(await redeemAccessLink(db, second.token, 'a long passphrase', now)).toEqual({ memberId });
    expect(await redeemAccessLink(db, second.token, 'another passphrase', now)).toBeNull();
  });

  it('a password set otherwise voids the outstanding links, and only that account’s', async () => {
    const a = await addMember(db);
    const b = await addMember(db);
    const linkA = await createAccessLink(db, 'staff:admin', { memberId: a }, now);
    const linkB = await createAccessLink(db, 'staff:admin', { memberId: b }, now);
    await setPassword(db, 'staff:admin', { memberId: a }, 'set by an admin', now);
    expect(await accessLinkOwner(db, linkA.token, now)).toBeNull();
    expect(await accessLinkOwner(db, linkB.token, now)).toEqual({ memberId: b });
  });
});
