/**
 * Use case: set how long raw badge events are kept (issue #5 setting, issue #12 page). Called by
 * PUT /api/v1/settings/retention and the admin's retention page alike.
 */
import { z } from 'zod';
import { withTransaction } from '../db/transaction.ts';
import { audit } from './audit.ts';
import { actorOf } from './auth.ts';
import { ServiceError } from './errors.ts';
import { retentionDays, setRetentionDays } from './treasury-settings.ts';
import type { UseCaseContext } from './use-case.ts';

export const retentionInput = z
  .object({ badgeEventRetentionDays: z.number().int().min(1).max(3650) })
  .strict();
export type RetentionInput = z.infer<typeof retentionInput>;

export async function setBadgeEventRetention(
  ctx: UseCaseContext,
  input: RetentionInput,
): Promise<RetentionInput> {
  const parsed = retentionInput.safeParse(input);
  if (!parsed.success) {
    throw new ServiceError(
      'invalid',
      'Invalid badgeEventRetentionDays: a whole number of days from 1 to 3650',
      [{ field: 'badgeEventRetentionDays', detail: 'a whole number of days from 1 to 3650' }],
    );
  }
  const { badgeEventRetentionDays } = parsed.data;
  return withTransaction(ctx.db, async (tx) => {
    const before = await retentionDays(tx, Number.NaN);
    await setRetentionDays(tx, badgeEventRetentionDays);
    await audit(tx, {
      actor: actorOf(ctx.actor),
      action: 'update',
      entity: 'settings',
      entityId: 'retention',
      before: Number.isNaN(before) ? null : { badgeEventRetentionDays: before },
      after: { badgeEventRetentionDays },
    });
    return { badgeEventRetentionDays };
  });
}
