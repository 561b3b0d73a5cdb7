/**
 * Certifications (SPEC §3 POST /members/{id}/certifications): by an admin, or a trainer of
 * that qualification. Default expiry: now + validityDays; a past expiresAt records history.
 * A qualification's prerequisites must be held (valid now) first, else 409 naming them.
 */
import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { isCertificationValid, lapseDate } from '../core/domain.ts';
import type { Tx } from '../db/client.ts';
import { certifications, qualifications } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import type { Principal } from './auth.ts';
import { conflict, forbidden, notFound } from './errors.ts';
import { findMember } from './members.ts';
import { findQualification, prerequisitesOf } from './qualifications.ts';
import { newId } from './security.ts';
import { CLI_OPERATOR, runUseCase, type UseCaseContext, validate } from './use-case.ts';

type Row = typeof certifications.$inferSelect;

export function publicCertification(c: Row, now: Date) {
  return {
    id: c.id,
    memberId: c.memberId,
    qualificationId: c.qualificationId,
    certifiedBy: c.certifiedBy,
    certifiedAt: c.certifiedAt,
    expiresAt: c.expiresAt,
    revokedAt: c.revokedAt,
    revokedBy: c.revokedBy,
    revokeReason: c.revokeReason,
    valid: c.revokedAt === null && c.expiresAt.getTime() > now.getTime(),
  };
}

function mayCertify(p: Principal, qualificationId: string): boolean {
  return (
    p.kind === 'staff' &&
    (p.roles.includes('admin') || (p.roles.includes('trainer') && p.trainerOf.includes(qualificationId)))
  );
}

export const certifyInput = z
  .object({
    memberId: z.string().trim().min(1).max(64),
    qualificationId: z.string().trim().min(1).max(64),
    /** default: now + the qualification's validityDays; a past date records history */
    expiresAt: z.date().optional(),
  })
  .strict();
export const revokeCertificationInput = z
  .object({
    certificationId: z.string().trim().min(1).max(64),
    reason: z.string().trim().min(1, 'say why').max(500),
  })
  .strict();

/** Certifies a member (issue #12 use case: API, trainers' page): an admin or a trainer of it. */
export async function certify(ctx: UseCaseContext, input: z.input<typeof certifyInput>) {
  const v = validate(certifyInput, input);
  const by = ctx.actor;
  if (!mayCertify(by, v.qualificationId)) {
    throw forbidden(
      `You are not a trainer of "${v.qualificationId}"; an admin can add it to your trainerOf.`,
    );
  }
  return runUseCase(ctx, async (tx) => {
    const result = await recordCertification(
      tx,
      ctx.by,
      v.memberId,
      {
        qualificationId: v.qualificationId,
        expiresAt: v.expiresAt,
        certifiedBy: by.kind === 'staff' && by.id !== CLI_OPERATOR.id ? by.id : null,
      },
      ctx.now(),
    );
    return { result, changed: { memberIds: [v.memberId] } };
  });
}

/**
 * Records a certification inside a transaction, prerequisites enforced (also used when a
 * trainer certifies at the machine, issue #6). The caller has checked who may certify.
 */
export async function recordCertification(
  tx: Tx,
  actor: Actor,
  memberId: string,
  input: { qualificationId: string; expiresAt?: Date | undefined; certifiedBy: string | null },
  now: Date,
) {
  await findMember(tx, memberId);
  const qualification = await findQualification(tx, input.qualificationId);
  const required = await prerequisitesOf(tx, qualification.id);
  if (required.length > 0) {
    // Valid now, lapses for want of use included (issue #6).
    const held = await tx
      .select({ c: certifications, lapseDays: qualifications.lapseAfterUnusedDays })
      .from(certifications)
      .innerJoin(qualifications, eq(qualifications.id, certifications.qualificationId))
      .where(
        and(
          eq(certifications.memberId, memberId),
          inArray(certifications.qualificationId, required),
          isNull(certifications.revokedAt),
          gt(certifications.expiresAt, now),
        ),
      );
    const have = new Set(
      held
        .filter(({ c, lapseDays }) => isCertificationValid({ ...c, lapsesAt: lapseDate(c, lapseDays) }, now))
        .map(({ c }) => c.qualificationId),
    );
    const missing = required.filter((r) => !have.has(r));
    if (missing.length > 0) {
      throw conflict(
        `"${qualification.id}" requires a valid certification in ${missing.map((m) => `"${m}"`).join(', ')} first; certify the member for it, then retry.`,
      );
    }
  }
  const expiresAt = input.expiresAt ?? new Date(now.getTime() + qualification.validityDays * 86_400_000);
  const [row] = await tx
    .insert(certifications)
    .values({
      id: newId(),
      memberId,
      qualificationId: qualification.id,
      certifiedBy: input.certifiedBy,
      certifiedAt: now,
      expiresAt,
    })
    .returning();
  const result = publicCertification(row!, now);
  await audit(tx, {
    actor,
    action: 'certify',
    entity: 'certification',
    entityId: result.id,
    after: result,
  });
  return result;
}

/** Revokes a certification with a reason (use case: API, member page): its trainers or an admin. */
export async function revokeCertification(
  ctx: UseCaseContext,
  input: z.input<typeof revokeCertificationInput>,
) {
  const { certificationId: id, reason } = validate(revokeCertificationInput, input);
  const now = ctx.now();
  return runUseCase(ctx, async (tx) => {
    const [before] = await tx.select().from(certifications).where(eq(certifications.id, id)).for('update');
    if (before === undefined) throw notFound('certification', id);
    if (!mayCertify(ctx.actor, before.qualificationId)) {
      throw forbidden(
        `You are not a trainer of "${before.qualificationId}"; only its trainers or an admin may revoke it.`,
      );
    }
    if (before.revokedAt !== null) throw conflict('This certification is already revoked.');
    const [after] = await tx
      .update(certifications)
      .set({ revokedAt: now, revokedBy: ctx.by, revokeReason: reason })
      .where(eq(certifications.id, id))
      .returning();
    const result = publicCertification(after!, now);
    await audit(tx, {
      actor: ctx.by,
      action: 'revoke',
      entity: 'certification',
      entityId: id,
      before: publicCertification(before, now),
      after: result,
    });
    return { result, changed: { memberIds: [result.memberId] } };
  });
}
