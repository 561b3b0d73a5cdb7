import { z } from '@hono/zod-openapi';
import { CREDIT_POLICIES, MACHINE_KINDS, MACHINE_STATES } from '../../../core/domain.ts';
import { slug } from '../../http/route.ts';
import { name } from '../members/schemas.ts';

const cents = z.number().int().min(0).max(10_000_000);

const fields = {
  name,
  kind: z.enum(MACHINE_KINDS),
  pricePerMinuteCents: cents,
  minimumChargeCents: cents,
  qualifications: z.array(slug).max(50).openapi({ description: 'required qualifications; empty for a door' }),
  overdraftLimitCents: cents.openapi({
    description: 'how far below 0 a card may go on this machine (default 0)',
  }),
  creditPolicy: z.enum(CREDIT_POLICIES).openapi({
    description:
      'card runs dry: `lock` stops now (default), `finish` lets the job end at the overdraft floor',
  }),
  maxSessionSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .nullable()
    .openapi({ description: 'null: no limit' }),
  heartbeatSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .openapi({ description: 'runtime period; 3 missed → session closed (default 30)' }),
};

export const createMachineBody = z
  .object({ id: slug.openapi({ example: 'laser-1' }), ...fields })
  .partial({ overdraftLimitCents: true, creditPolicy: true, maxSessionSeconds: true, heartbeatSeconds: true })
  .strict()
  .openapi('CreateMachine');

export const updateMachineBody = z
  .object({
    ...fields,
    state: z.enum(MACHINE_STATES).openapi({ description: '`locked_out` also stops an open session' }),
    stateNote: z.string().trim().max(500).nullable(),
  })
  .partial()
  .strict()
  .openapi('UpdateMachine');

export const machineSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(MACHINE_KINDS),
    pricePerMinuteCents: z.number().int(),
    minimumChargeCents: z.number().int(),
    overdraftLimitCents: z.number().int(),
    creditPolicy: z.enum(CREDIT_POLICIES),
    maxSessionSeconds: z.number().int().nullable(),
    heartbeatSeconds: z.number().int(),
    qualifications: z.array(z.string()),
    state: z.enum(MACHINE_STATES),
    stateNote: z.string().nullable(),
    online: z.boolean(),
    lastSeenAt: z.string().nullable(),
    inUse: z.boolean(),
    sessionId: z.string().optional().openapi({ description: 'the open session, when inUse' }),
    sessionMemberId: z.string().optional(),
    sessionStartedAt: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Machine');
