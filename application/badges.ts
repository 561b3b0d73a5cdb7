/**
 * Badges (SPEC §3 POST /members/{id}/badges): the UID, normalised as on MQTT, is stored only
 * as keyed hashes plus its last 4 hex digits. An active badge's UID is unique.
 */
import { and, eq } from 'drizzle-orm';
import { uidHint } from '../core/ids.ts';
import type { Db } from '../db/client.ts';
import { badges } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { conflict, isUniqueViolation, notFound } from './errors.ts';
import { findMember } from './members.ts';
import { badgeHashes, newId } from './security.ts';

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

/** `uid` must already be normalised (core/ids.ts uidSchema). */
export async function issueBadge(db: Db, siteKey: Buffer, actor: Actor, memberId: string, uid: string) {
  const hashes = badgeHashes(siteKey, uid);
  try {
    return await db.transaction(async (tx) => {
      await findMember(tx, memberId);
      const active = await tx
        .select({ id: badges.id })
        .from(badges)
        .where(and(eq(badges.uidHash, hashes.uidHash), eq(badges.status, 'active')));
      if (active.length > 0) throw uidTaken();
      const [row] = await tx
        .insert(badges)
        .values({ id: newId(), memberId, uidLast4: uidHint(uid), ...hashes })
        .returning();
      const badge = publicBadge(row!);
      await audit(tx, { actor, action: 'issue', entity: 'badge', entityId: badge.id, after: badge });
      return badge;
    });
  } catch (e) {
    // Two concurrent issues of one UID: the partial unique index decides.
    if (isUniqueViolation(e, 'badges_active_uid_key')) throw uidTaken();
    throw e;
  }
}

export async function revokeBadge(db: Db, actor: Actor, id: string, status: 'lost' | 'revoked', now: Date) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(badges).where(eq(badges.id, id)).for('update');
    if (before === undefined) throw notFound('badge', id);
    if (before.status !== 'active') {
      throw conflict(`This badge is already ${before.status}; issue a new badge if the member needs one.`);
    }
    const [after] = await tx
      .update(badges)
      .set({ status, revokedAt: now })
      .where(eq(badges.id, id))
      .returning();
    const badge = publicBadge(after!);
    await audit(tx, {
      actor,
      action: status === 'lost' ? 'declare_lost' : 'revoke',
      entity: 'badge',
      entityId: id,
      before: publicBadge(before),
      after: badge,
    });
    return badge;
  });
}
