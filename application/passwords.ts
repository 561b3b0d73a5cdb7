/** Dashboard passwords (argon2id) for staff and members; setting one ends their web sessions. */
import { and, eq, like, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.ts';
import { apiTokens, members, settings, staff } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { notFound } from './errors.ts';
import { hashPassword } from './security.ts';

/** The settings-key prefix of one-time access links (application/access-links.ts). */
export const ACCESS_LINK_PREFIX = 'access-link:';

/** Deletes every outstanding access link of an account. */
export async function revokeAccessLinksOf(db: DbOrTx, owner: { staffId: string } | { memberId: string }) {
  await db
    .delete(settings)
    .where(
      and(
        like(settings.key, `${ACCESS_LINK_PREFIX}%`),
        sql`(${settings.value}::jsonb -> 'owner') = ${JSON.stringify(owner)}::jsonb`,
      ),
    );
}

export async function setPassword(
  db: Db,
  actor: Actor,
  owner: { staffId: string } | { memberId: string },
  password: string,
  now: Date,
): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    if ('staffId' in owner) {
      const rows = await tx
        .update(staff)
        .set({ passwordHash })
        .where(eq(staff.id, owner.staffId))
        .returning({ id: staff.id });
      if (rows.length === 0) throw notFound('staff account', owner.staffId);
      await tx
        .update(apiTokens)
        .set({ revokedAt: now })
        .where(and(eq(apiTokens.staffId, owner.staffId), eq(apiTokens.kind, 'web')));
    } else {
      const rows = await tx
        .update(members)
        .set({ passwordHash })
        .where(eq(members.id, owner.memberId))
        .returning({ id: members.id });
      if (rows.length === 0) throw notFound('member', owner.memberId);
      await tx
        .update(apiTokens)
        .set({ revokedAt: now })
        .where(and(eq(apiTokens.memberId, owner.memberId), eq(apiTokens.kind, 'web')));
    }
    // A password set (by a link or otherwise) voids every access link still out for the account.
    await revokeAccessLinksOf(tx, owner);
    const [entity, entityId] = 'staffId' in owner ? ['staff', owner.staffId] : ['member', owner.memberId];
    await audit(tx, { actor, action: 'set_password', entity, entityId, after: { passwordSet: true } });
  });
}
