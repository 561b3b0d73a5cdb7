import { z } from '@hono/zod-openapi';
import { CREDIT_POLICIES, MACHINE_KINDS, MACHINE_STATES } from '../../../core/domain.ts';
import { slug } from '../../http/route.ts';
import { name } from '../members/schemas.ts';

const SUPERVISOR_MODES = ['badge', 'present'] as const;
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
  // Lab practices (issue #6): all optional, with defaults that keep the SPEC behaviour.
  idlePricePerMinuteCents: cents.nullable().openapi({
    description: 'price of an unlocked-but-idle minute; null (default): the running price',
  }),
  sessionFeeCents: cents.openapi({ description: 'fixed fee per session (default 0)' }),
  requiresSupervisor: z.boolean().openapi({
    description: 'a staff member qualified on the machine must confirm each session (default false)',
  }),
  supervisorMode: z.enum(SUPERVISOR_MODES).openapi({
    description:
      '`badge` (default): the supervisor badges at the reader within 60 s; `present`: badged in at the lab in the last 8 h',
  }),
  postUseCheck: z.string().trim().min(1).max(500).nullable().openapi({
    description: 'what to check after each use (clean bed, lens, chips); null (default): no check',
  }),
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(86_400)
    .openapi({ description: 'warning before a lock for exhausted credit or the maximum length (default 0)' }),
  maintenanceEveryHours: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .nullable()
    .openapi({ description: 'maintenance falls due after this many running hours; null (default): never' }),
};

const OPTIONAL = {
  overdraftLimitCents: true,
  creditPolicy: true,
  maxSessionSeconds: true,
  heartbeatSeconds: true,
  idlePricePerMinuteCents: true,
  sessionFeeCents: true,
  requiresSupervisor: true,
  supervisorMode: true,
  postUseCheck: true,
  graceSeconds: true,
  maintenanceEveryHours: true,
} as const;

export const createMachineBody = z
  .object({ id: slug.openapi({ example: 'laser-1' }), ...fields })
  .partial(OPTIONAL)
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
    idlePricePerMinuteCents: z.number().int().nullable(),
    sessionFeeCents: z.number().int(),
    requiresSupervisor: z.boolean(),
    supervisorMode: z.enum(SUPERVISOR_MODES),
    postUseCheck: z.string().nullable(),
    checkPending: z.boolean().openapi({ description: 'the post-use check is not confirmed yet' }),
    graceSeconds: z.number().int(),
    maintenanceEveryHours: z.number().int().nullable(),
    runningSecondsSinceMaintenance: z.number().int(),
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
