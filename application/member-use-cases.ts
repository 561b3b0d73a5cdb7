/**
 * Member administration as use cases (issue #12 item 2, "one use case per action"): add, edit,
 * suspend, reactivate. Each validates its input, runs one transaction that locks the member
 * row, writes the audit entry, then tells the machine loop (a suspended member's badges are
 * refused from then on, online and in the boards' offline allow-lists). The API route, the
 * dashboard and the CLI call these; none repeats a step. Renewal: membership-renewal.ts.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { MEMBER_STATUSES } from '../core/domain.ts';
import { GENDERS, RESIDENCE_AREAS } from '../core/member-categories.ts';
import { members } from '../db/schema.ts';
import { audit } from './audit.ts';
import { conflict, forbidden, isUniqueViolation, notFound } from './errors.ts';
import { publicMember } from './members.ts';
import { newId } from './security.ts';
import { runUseCase, type UseCaseContext, validate } from './use-case.ts';

export const memberName = z.string().trim().min(1, 'a name is required').max(200);
export const memberEmail = z.email('must be an e-mail address').max(320);
/** Free text on the API (older data); the dashboard offers core/member-categories.ts. */
export const memberCategory = z.string().trim().min(1).max(100).nullable();
export const memberBirthYear = z.number().int().min(1900).max(2100).nullable();
// Issue #11 (attendance for funders): optional personal data.
export const memberGender = z.enum(GENDERS).nullable();
export const memberCommune = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]*$/u, 'no control characters')
  .nullable();
export const memberArea = z.enum(RESIDENCE_AREAS).nullable();
export const statusReason = z.string().trim().min(1, 'a reason is required').max(500);

const fields = {
  name: memberName,
  email: memberEmail,
  status: z.enum(MEMBER_STATUSES),
  membershipValidUntil: z.date().nullable(),
  category: memberCategory,
  birthYear: memberBirthYear,
  gender: memberGender,
  residenceCommune: memberCommune,
  residenceArea: memberArea,
};

export const createMemberInput = z
  .object(fields)
  .partial({
    status: true,
    membershipValidUntil: true,
    category: true,
    birthYear: true,
    gender: true,
    residenceCommune: true,
    residenceArea: true,
  })
  .strict();
export type CreateMemberInput = z.input<typeof createMemberInput>;

export const editMemberInput = z
  .object({ memberId: z.string().min(1).max(100) })
  .extend(z.object(fields).partial().shape)
  .strict();
export type EditMemberInput = z.input<typeof editMemberInput>;

const statusInput = z.object({ memberId: z.string().min(1).max(100), reason: statusReason }).strict();
export type StatusInput = z.input<typeof statusInput>;

/** The shared validation (application/use-case.ts): a ServiceError('invalid') naming each field. */
export const parseInput = validate;

/** Member administration is the admins' (deny by default, whatever the adapter checked). */
export function mustBeAdmin(ctx: UseCaseContext): void {
  const a = ctx.actor;
  if (a.kind !== 'staff' || !a.roles.includes('admin')) {
    throw forbidden('Only an admin may change a member’s record.');
  }
}

const emailTaken = (email: string) =>
  conflict(
    `The email ${email} already belongs to a member; search GET /api/v1/members?q=${email} to find them.`,
  );

export type PublicMember = ReturnType<typeof publicMember>;

export async function createMember(ctx: UseCaseContext, raw: CreateMemberInput): Promise<PublicMember> {
  mustBeAdmin(ctx);
  const input = parseInput(createMemberInput, raw);
  const id = newId();
  try {
    return await runUseCase(ctx, async (tx) => {
      const [row] = await tx
        .insert(members)
        .values({
          id,
          name: input.name,
          email: input.email,
          status: input.status ?? 'active',
          membershipValidUntil: input.membershipValidUntil ?? null,
          category: input.category ?? null,
          birthYear: input.birthYear ?? null,
          gender: input.gender ?? null,
          residenceCommune: input.residenceCommune ?? null,
          residenceArea: input.residenceArea ?? null,
        })
        .returning();
      const created = publicMember(row!);
      await audit(tx, { actor: ctx.by, action: 'create', entity: 'member', entityId: id, after: created });
      return { result: created, changed: { memberIds: [id] } };
    });
  } catch (e) {
    if (isUniqueViolation(e, 'members_email_key')) throw emailTaken(input.email);
    throw e;
  }
}

type Patch = Partial<typeof members.$inferInsert>;

/** Locks the member, applies `patch(before)`, audits `action` with before/after. */
async function changeMember(
  ctx: UseCaseContext,
  memberId: string,
  action: string,
  patch: (before: typeof members.$inferSelect) => Patch,
  extra?: Record<string, unknown>,
): Promise<PublicMember> {
  // The loop republishes this member's allow-lists: status, dates and e-mail may change access.
  return runUseCase(ctx, async (tx) => {
    const [before] = await tx.select().from(members).where(eq(members.id, memberId)).for('update');
    if (before === undefined || before.erasedAt !== null) throw notFound('member', memberId);
    const [after] = await tx
      .update(members)
      .set({ ...patch(before), updatedAt: ctx.now() })
      .where(eq(members.id, memberId))
      .returning();
    const out = publicMember(after!);
    await audit(tx, {
      actor: ctx.by,
      action,
      entity: 'member',
      entityId: memberId,
      before: publicMember(before),
      after: extra === undefined ? out : { ...out, ...extra },
    });
    return { result: out, changed: { memberIds: [memberId] } };
  });
}

/** Edits any of the member's fields (PATCH /members/{id}, the dashboard's edit form). */
export async function editMember(ctx: UseCaseContext, raw: EditMemberInput): Promise<PublicMember> {
  mustBeAdmin(ctx);
  const { memberId, ...patch } = parseInput(editMemberInput, raw);
  try {
    return await changeMember(ctx, memberId, 'update', (before) => ({
      ...patch,
      // A status changed here (the API's PATCH) carries no reason; suspend/reactivate do.
      ...(patch.status !== undefined && patch.status !== before.status
        ? { statusReason: null, statusChangedAt: ctx.now() }
        : {}),
    }));
  } catch (e) {
    if (isUniqueViolation(e, 'members_email_key')) throw emailTaken(patch.email ?? '');
    throw e;
  }
}

/** Suspends with a reason: the member's badges are refused at every machine from now on. */
export async function suspendMember(ctx: UseCaseContext, raw: StatusInput): Promise<PublicMember> {
  mustBeAdmin(ctx);
  const input = parseInput(statusInput, raw);
  return changeMember(ctx, input.memberId, 'suspend', (before) => {
    if (before.status === 'suspended') throw conflict('This member is already suspended.');
    return { status: 'suspended', statusReason: input.reason, statusChangedAt: ctx.now() };
  });
}

/** Lifts a suspension, with a reason; the membership end date still applies. */
export async function reactivateMember(ctx: UseCaseContext, raw: StatusInput): Promise<PublicMember> {
  mustBeAdmin(ctx);
  const input = parseInput(statusInput, raw);
  return changeMember(ctx, input.memberId, 'reactivate', (before) => {
    if (before.status === 'active') throw conflict('This member is already active.');
    return { status: 'active', statusReason: input.reason, statusChangedAt: ctx.now() };
  });
}
