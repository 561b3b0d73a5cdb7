/**
 * The one-time setup link (issue #12, first run in the browser): on a database without an
 * enabled admin, `npm start` issues a random link and logs it once; opening it creates the
 * first admin. Only the SHA-256 of its secret is stored (in `settings`, under
 * `setup-link:<hash>`, no schema change); it expires, works once, and every outstanding link
 * dies with the first admin (application/first-run.ts deletes them in the same transaction).
 */
import { and, eq, isNull, like, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { settings, staff } from '../db/schema.ts';
import { newSecret, sha256 } from './security.ts';

export const SETUP_LINK_PREFIX = 'setup-link:';
export const SETUP_LINK_HOURS = 24;
/** The advisory lock the bootstrap admin (application/bootstrap.ts) and the first run share. */
export const FIRST_ADMIN_LOCK = 7275002;

/** Whether an enabled admin exists: then there is nothing to set up. */
export async function adminExists(db: DbOrTx): Promise<boolean> {
  const rows = await db
    .select({ id: staff.id })
    .from(staff)
    .where(and(sql`'admin' = any(${staff.roles})`, isNull(staff.disabledAt)))
    .limit(1);
  return rows.length > 0;
}

/**
 * A new link while no admin exists, else null. Links issued by earlier starts stay valid until
 * they expire (several processes may share one database and each logs its own).
 */
export async function issueSetupLink(
  db: DbOrTx,
  now: Date,
): Promise<{ token: string; expiresAt: Date } | null> {
  if (await adminExists(db)) return null;
  await db
    .delete(settings)
    .where(
      and(
        like(settings.key, `${SETUP_LINK_PREFIX}%`),
        lt(sql`(${settings.value}::jsonb ->> 'expiresAt')::timestamptz`, now),
      ),
    );
  const token = newSecret('setup');
  const expiresAt = new Date(now.getTime() + SETUP_LINK_HOURS * 3600_000);
  await db
    .insert(settings)
    .values({ key: SETUP_LINK_PREFIX + sha256(token), value: JSON.stringify({ expiresAt }) });
  return { token, expiresAt };
}

/** Whether `token` is an outstanding, unexpired link (an admin existing is checked apart). */
export async function setupLinkValid(db: DbOrTx, token: string, now: Date): Promise<boolean> {
  if (token.length === 0 || token.length > 200) return false;
  const [row] = await db
    .select()
    .from(settings)
    .where(eq(settings.key, SETUP_LINK_PREFIX + sha256(token)));
  if (row === undefined) return false;
  try {
    const { expiresAt } = JSON.parse(row.value) as { expiresAt: string };
    return new Date(expiresAt).getTime() > now.getTime();
  } catch {
    return false;
  }
}

/** Deletes every setup link (the first admin exists now). */
export async function deleteSetupLinks(db: DbOrTx): Promise<void> {
  await db.delete(settings).where(like(settings.key, `${SETUP_LINK_PREFIX}%`));
}
