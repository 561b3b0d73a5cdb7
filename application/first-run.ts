/**
 * Use case: finish the first run (issue #12). Whoever holds the one-time setup link creates
 * the first admin (name, e-mail, password), names the lab, chooses its time zone and gives its
 * SIREN, in one transaction that also kills every setup link and signs the new admin in.
 * There is no actor yet: the link is the credential (application/setup-link.ts).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { staff } from '../db/schema.ts';
import { withTransaction } from '../db/transaction.ts';
import { MIN_PASSWORD_LENGTH } from './access-links.ts';
import { audit } from './audit.ts';
import { issueToken, WEB_SESSION_HOURS } from './auth.ts';
import { conflict, invalid, isUniqueViolation, ServiceError } from './errors.ts';
import { labProfileSchema, writeLabProfile } from './lab-profile.ts';
import { hashPassword, newId } from './security.ts';
import { adminExists, deleteSetupLinks, FIRST_ADMIN_LOCK, setupLinkValid } from './setup-link.ts';
import { patchedAccounting, writeAccounting } from './treasury-settings.ts';
import type { UseCaseContext } from './use-case.ts';

const optional = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const firstRunSchema = z
  .object({
    token: z.string().min(1).max(200),
    name: z.string().trim().min(1).max(120),
    email: z.string().trim().max(320).pipe(z.email()),
    password: z.string().min(MIN_PASSWORD_LENGTH).max(200),
    labName: labProfileSchema.shape.name,
    timeZone: labProfileSchema.shape.timeZone,
    /** "123 456 789" or "123456789"; the FEC's file name (issue #11) */
    siren: z.preprocess(
      (v) => (typeof v === 'string' ? optional(v.replace(/\s/g, '')) : v),
      z
        .string()
        .regex(/^\d{9}$/, 'a SIREN is 9 digits')
        .optional(),
    ),
  })
  .strict();
export type FirstRunInput = z.input<typeof firstRunSchema>;

export interface FirstRunResult {
  staffId: string;
  /** a dashboard session for the new admin, shown to nobody but their browser's cookie */
  session: { token: string; expiresAt: Date };
}

/** Throws unless no admin exists and `token` is an outstanding, unexpired setup link. */
async function checkLink(ctx: { db: DbOrTx; now: () => Date }, token: string): Promise<void> {
  if (await adminExists(ctx.db)) {
    throw conflict('Sésame is already set up: this link no longer works; sign in instead.');
  }
  if (!(await setupLinkValid(ctx.db, token, ctx.now()))) {
    throw new ServiceError(
      'not_found',
      'This setup link is unknown, already used or expired: restart the server (npm start) for a new one.',
    );
  }
}

export async function completeFirstRun(
  ctx: Omit<UseCaseContext, 'actor' | 'by'>,
  input: FirstRunInput,
): Promise<FirstRunResult> {
  // The link first: whoever holds no valid link learns nothing about the fields.
  await checkLink(ctx, String(input.token ?? ''));
  const parsed = firstRunSchema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), detail: i.message }));
    throw new ServiceError('invalid', `Invalid ${fields.map((f) => f.field).join(', ')}`, fields);
  }
  const data = parsed.data;
  const now = ctx.now();
  // Argon2 outside the transaction: it is slow on purpose and holds no lock.
  const passwordHash = await hashPassword(data.password);
  try {
    return await withTransaction(ctx.db, async (tx) => {
      // The bootstrap admin (BOOTSTRAP_ADMIN_TOKEN) takes the same lock: one first admin only.
      await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`);
      await checkLink({ db: tx, now: () => now }, data.token);
      await deleteSetupLinks(tx);
      const id = newId();
      await tx.insert(staff).values({
        id,
        name: data.name,
        email: data.email,
        roles: ['admin'],
        passwordHash,
      });
      await writeLabProfile(tx, { name: data.labName, timeZone: data.timeZone });
      // Only the SIREN: the accounts are the accounting settings page's (issue #11).
      if (data.siren !== undefined)
        await writeAccounting(tx, await patchedAccounting(tx, { siren: data.siren }));
      await audit(tx, {
        actor: `staff:${id}`,
        action: 'first_run',
        entity: 'staff',
        entityId: id,
        after: {
          id,
          name: data.name,
          email: data.email,
          roles: ['admin'],
          lab: { name: data.labName, timeZone: data.timeZone },
          ...(data.siren ? { siren: data.siren } : {}),
        },
      });
      const expiresAt = new Date(now.getTime() + WEB_SESSION_HOURS * 3600_000);
      const { token } = await issueToken(tx, { staffId: id }, 'web', expiresAt);
      ctx.log('info', 'first admin created from the setup link', { staffId: id });
      return { staffId: id, session: { token, expiresAt } };
    });
  } catch (e) {
    if (isUniqueViolation(e, 'staff_email_key')) throw invalid('email', 'a staff account already uses it');
    throw e;
  }
}
