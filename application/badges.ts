/**
 * Badges (SPEC §3 POST /members/{id}/badges): the UID, normalised as on MQTT, is stored only
 * as keyed hashes plus its last 4 hex digits. An active badge's UID is unique.
 *
 * A UID whose badge was declared lost or revoked is never issued again, to anyone, not even to
 * the same member (security check of 1 Dec 2026, issue #12): whoever holds a lost card would
 * otherwise get the new holder's access and credit. A found card is not given back: the member
 * gets a new card. (Erasure, gdpr.ts, forgets the UID's hash, so an erased member's card is
 * no longer recognised.)
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { uidHint, uidSchema } from '../core/ids.ts';
import { badges } from '../db/schema.ts';
import { audit } from './audit.ts';
import { consumeEnrolmentsOf } from './enrolments.ts';
import { conflict, isUniqueViolation, notFound, ServiceError } from './errors.ts';
import { findMember } from './members.ts';
import { badgeHashes, newId } from './security.ts';
import { runUseCase, type UseCaseContext, validate } from './use-case.ts';

type BadgeRow = typeof badges.$inferSelect;

export function publicBadge(b: BadgeRow) {
  return {
    id: b.id,
    memberId: b.memberId,
    last4: b.uidLast4,
    status: b.status,
    issuedAt: b.issuedAt,
    revokedAt: b.revokedAt,
  };
}

const uidTaken = () =>
  conflict(
    'This UID is already issued on an active badge; revoke that badge (POST /api/v1/badges/{id}/revoke) first.',
  );

/** The UID belongs to a badge declared lost or revoked: the dashboard tells it apart from uidTaken. */
export class UidRetiredError extends ServiceError {
  constructor() {
    super(
      'conflict',
      'This UID belongs to a badge that was declared lost or revoked; it cannot be issued again (whoever holds that card must not get access). Give the member a new card.',
    );
  }
}

export const issueBadgeInput = z
  .object({ memberId: z.string().trim().min(1).max(64), uid: z.string().max(64).pipe(uidSchema) })
  .strict();
export const revokeBadgeInput = z
  .object({
    badgeId: z.string().trim().min(1).max(64),
    status: z.enum(['lost', 'revoked']).default('revoked'),
  })
  .strict();

/**
 * Issues a badge (issue #12 use case: API, member page, CLI). A UID presented in enrolment mode
 * (issue #6) is consumed in the same transaction; the member's allow-list entries change.
 */
export async function issueBadge(ctx: UseCaseContext, input: z.input<typeof issueBadgeInput>) {
  const { memberId, uid } = validate(issueBadgeInput, input);
  const hashes = badgeHashes(ctx.keys.badgeKey, uid);
  try {
    return await runUseCase(ctx, async (tx) => {
      await findMember(tx, memberId);
      const known = await tx
        .select({ status: badges.status })
        .from(badges)
        .where(eq(badges.uidHash, hashes.uidHash));
      if (known.some((b) => b.status === 'active')) throw uidTaken();
      if (known.length > 0) throw new UidRetiredError();
      const [row] = await tx
        .insert(badges)
        .values({ id: newId(), memberId, uidLast4: uidHint(uid), ...hashes })
        .returning();
      const badge = publicBadge(row!);
      await audit(tx, { actor: ctx.by, action: 'issue', entity: 'badge', entityId: badge.id, after: badge });
      await consumeEnrolmentsOf(tx, uid, ctx.now());
      return { result: badge, changed: { memberIds: [memberId] } };
    });
  } catch (e) {
    // Two concurrent issues of one UID: the partial unique index decides.
    if (isUniqueViolation(e, 'badges_active_uid_key')) throw uidTaken();
    throw e;
  }
}

/** Declares a badge lost, or revokes it (use case: API, member page). */
export async function revokeBadge(ctx: UseCaseContext, input: z.input<typeof revokeBadgeInput>) {
  const { badgeId: id, status } = validate(revokeBadgeInput, input);
  return runUseCase(ctx, async (tx) => {
    const [before] = await tx.select().from(badges).where(eq(badges.id, id)).for('update');
    if (before === undefined) throw notFound('badge', id);
    if (before.status !== 'active') {
      throw conflict(`This badge is already ${before.status}; issue a new badge if the member needs one.`);
    }
    const [after] = await tx
      .update(badges)
      .set({ status, revokedAt: ctx.now() })
      .where(eq(badges.id, id))
      .returning();
    const badge = publicBadge(after!);
    await audit(tx, {
      actor: ctx.by,
      action: status === 'lost' ? 'declare_lost' : 'revoke',
      entity: 'badge',
      entityId: id,
      before: publicBadge(before),
      after: badge,
    });
    return { result: badge, changed: { memberIds: [badge.memberId] } };
  });
}
