/**
 * The lab's name and time zone, chosen in the first-run setup (issue #12), stored in
 * `settings` so every process and the CLI share them. The stored time zone wins over
 * LAB_TIMEZONE (as the stored retention and HelloAsso settings win over theirs), read at start.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { settings } from '../db/schema.ts';

const KEY = 'lab_profile';

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const labProfileSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    timeZone: z.string().max(64).refine(isTimeZone, 'an IANA time zone such as Europe/Paris'),
  })
  .strict();
export type LabProfile = z.infer<typeof labProfileSchema>;

/** The stored profile, or null before the first-run setup (or if the stored value is unusable). */
export async function labProfile(db: DbOrTx): Promise<LabProfile | null> {
  const [row] = await db.select().from(settings).where(eq(settings.key, KEY));
  if (row === undefined) return null;
  try {
    const parsed = labProfileSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeLabProfile(db: DbOrTx, profile: LabProfile): Promise<void> {
  const value = JSON.stringify(labProfileSchema.parse(profile));
  await db
    .insert(settings)
    .values({ key: KEY, value })
    .onConflictDoUpdate({ target: settings.key, set: { value } });
}

/** The time zone the process runs with: the lab's stored one, else LAB_TIMEZONE. */
export async function effectiveTimeZone(db: DbOrTx, fallback: string): Promise<string> {
  return (await labProfile(db))?.timeZone ?? fallback;
}
