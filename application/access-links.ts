/**
 * One-time access links (issue #4: "an admin can set or reset a member's access; a one-time
 * link shown to the admin is fine: there is no mail server"). The admin hands the link over;
 * whoever opens it chooses a password, once, before it expires. Only the SHA-256 of the
 * link's secret is stored, in `settings` under `access-link:<hash>` (no schema change).
 */
import { and, eq, like, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { settings } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { invalid } from './errors.ts';
import { findMember } from './members.ts';
import { ACCESS_LINK_PREFIX, revokeAccessLinksOf, setPassword } from './passwords.ts';
import { newSecret, sha256 } from './security.ts';
import { getStaff } from './staff.ts';

export const ACCESS_LINK_HOURS = 72;
const PREFIX = ACCESS_LINK_PREFIX;

export type AccessOwner = { staffId: string } | { memberId: string };

interface Stored {
  owner: AccessOwner;
  expiresAt: string;
  createdBy: Actor;
}

/** Creates a link secret for the owner; the secret is returned once and never stored. */
export async function createAccessLink(db: Db, actor: Actor, owner: AccessOwner, now: Date) {
  if ('staffId' in owner) await getStaff(db, owner.staffId);
  else await findMember(db, owner.memberId);
  const token = newSecret('acc');
  const expiresAt = new Date(now.getTime() + ACCESS_LINK_HOURS * 3600_000);
  const value: Stored = { owner, expiresAt: expiresAt.toISOString(), createdBy: actor };
  await db.transaction(async (tx) => {
    // A new link replaces the ones handed out before ("reset access").
    await revokeAccessLinksOf(tx, owner);
    await tx.insert(settings).values({ key: PREFIX + sha256(token), value: JSON.stringify(value) });
    const [entity, entityId] = 'staffId' in owner ? ['staff', owner.staffId] : ['member', owner.memberId];
    await audit(tx, { actor, action: 'access_link', entity, entityId, after: { expiresAt } });
  });
  return { token, expiresAt };
}

async function read(db: Db, token: string, now: Date): Promise<Stored | null> {
  if (token.length === 0 || token.length > 200) return null;
  const [row] = await db
    .select()
    .from(settings)
    .where(eq(settings.key, PREFIX + sha256(token)));
  if (row === undefined) return null;
  const stored = JSON.parse(row.value) as Stored;
  return new Date(stored.expiresAt).getTime() > now.getTime() ? stored : null;
}

/** Who a valid, unused link is for (to greet them), or null. */
export async function accessLinkOwner(db: Db, token: string, now: Date): Promise<AccessOwner | null> {
  return (await read(db, token, now))?.owner ?? null;
}

export const MIN_PASSWORD_LENGTH = 10;

/**
 * Uses the link: sets the password and deletes the link (whoever deletes it first wins, so
 * it works once). Returns the owner, or null for an unknown, used or expired link.
 */
export async function redeemAccessLink(
  db: Db,
  token: string,
  password: string,
  now: Date,
): Promise<AccessOwner | null> {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > 200) {
    throw invalid('password', `a password has ${MIN_PASSWORD_LENGTH} to 200 characters`);
  }
  const stored = await read(db, token, now);
  if (stored === null) return null;
  const deleted = await db
    .delete(settings)
    .where(eq(settings.key, PREFIX + sha256(token)))
    .returning({ key: settings.key });
  if (deleted.length === 0) return null;
  const actor =
    'staffId' in stored.owner ? `staff:${stored.owner.staffId}` : `member:${stored.owner.memberId}`;
  await setPassword(db, actor, stored.owner, password, now);
  return stored.owner;
}

/** Removes expired links (housekeeping; links are also refused once expired). */
export async function purgeAccessLinks(db: Db, now: Date): Promise<void> {
  await db
    .delete(settings)
    .where(
      and(
        like(settings.key, `${PREFIX}%`),
        lt(sql`(${settings.value}::jsonb ->> 'expiresAt')::timestamptz`, now),
      ),
    );
}
