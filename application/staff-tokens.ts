/**
 * Rotating and revoking a staff account's API tokens (issue #9): the way to retire a leaked
 * token, including the BOOTSTRAP_ADMIN_TOKEN once the first admin exists. A disabled account's
 * tokens stop working but come back with the account: revoke them to end them for good.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { apiTokens, staff } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { issueToken } from './auth.ts';
import { notFound } from './errors.ts';

async function assertStaffExists(db: Db, staffId: string): Promise<void> {
  const [s] = await db.select({ id: staff.id }).from(staff).where(eq(staff.id, staffId));
  if (s === undefined) throw notFound('staff account', staffId);
}

/**
 * Issues a new API token for a staff account and revokes its previous API tokens (its
 * dashboard sessions stay). Returns the new token: the only time it is visible.
 */
export async function rotateStaffToken(db: Db, actor: Actor, staffId: string, now: Date) {
  await assertStaffExists(db, staffId);
  return db.transaction(async (tx) => {
    const revoked = await tx
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.staffId, staffId), eq(apiTokens.kind, 'api'), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    const { id, token } = await issueToken(tx, { staffId });
    await audit(tx, {
      actor,
      action: 'rotate_staff_token',
      entity: 'staff',
      entityId: staffId,
      after: { tokenId: id, revokedTokens: revoked.length },
    });
    return { token, tokenId: id, revokedTokens: revoked.length };
  });
}

/** Revokes every token of a staff account: its API tokens and its dashboard sessions. */
export async function revokeStaffTokens(db: Db, actor: Actor, staffId: string, now: Date) {
  await assertStaffExists(db, staffId);
  return db.transaction(async (tx) => {
    const revoked = await tx
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.staffId, staffId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    await audit(tx, {
      actor,
      action: 'revoke_staff_tokens',
      entity: 'staff',
      entityId: staffId,
      after: { revokedTokens: revoked.length },
    });
    return { revokedTokens: revoked.length };
  });
}
