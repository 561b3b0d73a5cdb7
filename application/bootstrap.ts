import { and, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { apiTokens, staff } from '../db/schema.ts';
import { audit } from './audit.ts';
import { newId, sha256 } from './security.ts';

/**
 * SPEC §1 BOOTSTRAP_ADMIN_TOKEN: while no enabled admin exists, creates one whose API
 * token is `token` (stored hashed). Returns whether an admin was created. Safe when several
 * processes start at once (advisory lock held for the transaction).
 */
export async function ensureBootstrapAdmin(db: Db, token: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7275002)`);
    const admins = await tx
      .select({ id: staff.id })
      .from(staff)
      .where(and(sql`'admin' = any(${staff.roles})`, isNull(staff.disabledAt)))
      .limit(1);
    if (admins.length > 0) return false;
    const id = newId();
    await tx.insert(staff).values({
      id,
      name: 'Administrateur',
      email: `admin-${id.slice(0, 8)}@sesame.invalid`,
      roles: ['admin'],
    });
    // The same token may have served an admin since disabled: it now points at the new one.
    await tx
      .insert(apiTokens)
      .values({ id: newId(), tokenHash: sha256(token), kind: 'api', staffId: id })
      .onConflictDoUpdate({
        target: apiTokens.tokenHash,
        set: { staffId: id, memberId: null, revokedAt: null, expiresAt: null, kind: 'api' },
      });
    await audit(tx, {
      actor: 'system',
      action: 'bootstrap_admin',
      entity: 'staff',
      entityId: id,
      after: { id, name: 'Administrateur', roles: ['admin'] },
    });
    return true;
  });
}
