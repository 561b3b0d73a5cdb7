/**
 * The lab's agglomeration for funders' attendance figures (issue #11): members say whether
 * they live inside or outside it (members.residence_area); the report and the CSV name it.
 * Stored in `settings` under `attendance`. Use case: PUT /api/v1/settings/attendance.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { settings } from '../db/schema.ts';
import { withTransaction } from '../db/transaction.ts';
import { audit } from './audit.ts';
import { actorOf } from './auth.ts';
import { type UseCaseContext, validate } from './use-case.ts';

const KEY = 'attendance';

export const attendanceSettingsInput = z
  .object({
    /** e.g. "Amiens Métropole"; null: not named */
    agglomeration: z
      .string()
      .trim()
      .min(1, 'a name, or null')
      .max(120, 'at most 120 characters')
      .regex(/^[^\p{Cc}]*$/u, 'no control characters')
      .nullable(),
  })
  .strict();
export type AttendanceSettings = z.infer<typeof attendanceSettingsInput>;

export async function attendanceSettings(db: DbOrTx): Promise<AttendanceSettings> {
  const [row] = await db.select().from(settings).where(eq(settings.key, KEY));
  if (row === undefined) return { agglomeration: null };
  try {
    const parsed = attendanceSettingsInput.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : { agglomeration: null };
  } catch {
    return { agglomeration: null };
  }
}

/** Names (or un-names) the lab's agglomeration; audited. */
export async function saveAttendanceSettings(
  ctx: UseCaseContext,
  input: unknown,
): Promise<AttendanceSettings> {
  const next = validate(attendanceSettingsInput, input);
  return withTransaction(ctx.db, async (tx) => {
    const before = await attendanceSettings(tx);
    const value = JSON.stringify(next);
    await tx
      .insert(settings)
      .values({ key: KEY, value })
      .onConflictDoUpdate({ target: settings.key, set: { value } });
    await audit(tx, {
      actor: actorOf(ctx.actor),
      action: 'update',
      entity: 'settings',
      entityId: KEY,
      before,
      after: next,
    });
    return next;
  });
}
