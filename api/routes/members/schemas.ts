import { z } from '@hono/zod-openapi';
import { BADGE_STATUSES, MEMBER_STATUSES } from '../../../core/domain.ts';
import { GENDERS, RESIDENCE_AREAS } from '../../../core/member-categories.ts';

export const name = z.string().trim().min(1, 'a name is required').max(200);
export const email = z.email('must be an email address').max(320);

const memberFields = {
  status: z.enum(MEMBER_STATUSES),
  membershipValidUntil: z.iso
    .datetime({ offset: true })
    .nullable()
    .openapi({ description: 'null: no end date' }),
  category: z.string().trim().min(1).max(100).nullable(),
  birthYear: z.number().int().min(1900).max(2100).nullable(),
  // Issue #11: optional, for funders' attendance figures (counted with small-count suppression).
  gender: z
    .enum(GENDERS)
    .nullable()
    .openapi({ description: 'woman (femme), man (homme), other (autre); null: not specified (non précisé)' }),
  residenceCommune: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[^\p{Cc}]*$/u, 'no control characters')
    .nullable()
    .openapi({ description: 'commune of residence: its name or INSEE code (e.g. "Amiens" or "80021")' }),
  residenceArea: z.enum(RESIDENCE_AREAS).nullable().openapi({
    description: "inside or outside the lab's agglomeration (named in PUT /settings/attendance)",
  }),
};

export const createMemberBody = z
  .object({ name, email, ...memberFields })
  .partial({
    status: true,
    membershipValidUntil: true,
    category: true,
    birthYear: true,
    gender: true,
    residenceCommune: true,
    residenceArea: true,
  })
  .strict()
  .openapi('CreateMember');

export const updateMemberBody = z
  .object({ name, email, ...memberFields })
  .partial()
  .strict()
  .openapi('UpdateMember');

export const memberSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    status: z.enum(MEMBER_STATUSES),
    membershipValidUntil: z.string().nullable(),
    category: z.string().nullable(),
    birthYear: z.number().int().nullable(),
    statusReason: z
      .string()
      .nullable()
      .openapi({ description: 'why the member was last suspended or reactivated (issue #12)' }),
    statusChangedAt: z.string().nullable(),
    gender: z.enum(GENDERS).nullable(),
    residenceCommune: z.string().nullable(),
    residenceArea: z.enum(RESIDENCE_AREAS).nullable(),
    balanceCents: z.number().int(),
    hasPassword: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Member');

export const memberDetailSchema = memberSchema
  .extend({
    certifications: z.array(
      z.object({
        id: z.string(),
        qualificationId: z.string(),
        certifiedAt: z.string(),
        expiresAt: z.string().openapi({ description: 'the fixed expiry date' }),
        lastUsedAt: z.string().nullable().openapi({ description: 'last used on a machine needing it' }),
        lapsesAt: z.string().nullable().openapi({
          description:
            "when it lapses for want of use (the qualification's lapseAfterUnusedDays after the last use); null: never",
        }),
        validUntil: z.string().openapi({ description: 'expiresAt or lapsesAt, whichever comes first' }),
        certifiedBy: z.string().nullable(),
        revokedAt: z.string().nullable(),
        revokeReason: z.string().nullable(),
        valid: z.boolean().openapi({ description: 'not revoked, not expired and not lapsed now' }),
      }),
    ),
    badges: z.array(
      z.object({
        id: z.string(),
        last4: z
          .string()
          .openapi({ description: 'the last 4 hex digits of the UID; the UID itself is never shown' }),
        status: z.enum(BADGE_STATUSES),
        issuedAt: z.string(),
        revokedAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('MemberDetail');

export const memberListSchema = z
  .object({
    items: z.array(memberSchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .openapi('MemberList');

export const passwordBody = z
  .object({ password: z.string().min(10, 'at least 10 characters').max(200) })
  .strict()
  .openapi('SetPassword');

export const reasonBody = z
  .object({ reason: z.string().trim().min(1, 'a reason is required').max(500) })
  .strict()
  .openapi('StatusReason');

export const renewBody = z
  .object({
    lastDay: z.string().trim().max(10).openapi({
      description:
        "the membership's last day, inclusive (2027-08-31 or 31/08/2027): valid through that whole day in LAB_TIMEZONE",
      example: '2027-08-31',
    }),
    memberIds: z.array(z.string().min(1).max(100)).max(5000).optional(),
    emails: z.array(z.string().trim().max(320)).max(5000).optional(),
  })
  .strict()
  .openapi('RenewMemberships');

const renewedMember = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  before: z.string().nullable().openapi({ description: 'the previous membershipValidUntil' }),
});

export const renewResultSchema = z
  .object({
    until: z.string().openapi({ description: 'the stored membershipValidUntil: the next local midnight' }),
    lastDay: z.string(),
    renewed: z.array(renewedMember),
    unchanged: z
      .array(renewedMember)
      .openapi({ description: 'already members past that day: left as they were' }),
    unknown: z.array(z.string()).openapi({ description: 'ids or e-mails that are no member' }),
  })
  .openapi('RenewResult');

export const emptyBody = z.object({}).strict().openapi('Empty');

/** ISO strings from the body as Dates for the services. */
export function dates<T extends { membershipValidUntil?: string | null | undefined }>(body: T) {
  const { membershipValidUntil, ...rest } = body;
  return {
    ...rest,
    ...(membershipValidUntil === undefined
      ? {}
      : { membershipValidUntil: membershipValidUntil === null ? null : new Date(membershipValidUntil) }),
  };
}
