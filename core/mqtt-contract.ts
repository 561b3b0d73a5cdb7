/**
 * The MQTT contract (SPEC §2): one module of zod schemas shared by the controller, the broker
 * and the server. A payload is described once and its type is inferred from it.
 */
import { z } from 'zod';
import { SLUG_PATTERN, uidSchema } from './ids.ts';

export const isoDateTime = z.iso.datetime({ offset: true });

export const DECISION_REASONS = [
  'granted',
  'unknown_badge',
  'badge_revoked',
  'member_inactive',
  'not_certified',
  'certification_expired',
  'insufficient_balance',
  'machine_unavailable',
  'machine_busy',
  'supervisor_required',
  'invalid_request',
  // Extensions (issue #6, docs/mqtt.md): only in answers to the lab-practice flows.
  'check_required',
  'awaiting_member',
  'certified',
  'enrolment_ready',
  'badge_presented',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export const END_REASONS = ['badge_out', 'timeout', 'power_loss', 'command', 'takeover'] as const;
export type EndReason = (typeof END_REASONS)[number];

/**
 * Extension (issue #6): what the badge is for, from a function button on the reader.
 * `use` (default) opens a session; `certify` (a trainer's badge) and `enrol` (an admin's
 * badge) arm the reader for the next badge within 30 s.
 */
export const BADGE_MODES = ['use', 'certify', 'enrol'] as const;
export type BadgeMode = (typeof BADGE_MODES)[number];

export const badgeRequestSchema = z
  .object({
    requestId: z.uuid(),
    badge: uidSchema,
    at: isoDateTime,
    mode: z.enum(BADGE_MODES).optional(),
  })
  .strict();
export type BadgeRequest = z.infer<typeof badgeRequestSchema>;

export const decisionSchema = z.object({
  requestId: z.string().nullable(),
  granted: z.boolean(),
  reason: z.enum(DECISION_REASONS),
  sessionId: z.string().optional(),
  member: z.object({ name: z.string() }).optional(),
  balanceCents: z.number().int().optional(),
  maxSeconds: z.number().int().nonnegative().optional(),
  /** Extension: a short human-readable message for the reader's display (French). */
  message: z.string().optional(),
  /** Extension (issue #6): what to check before the machine unlocks (with check_required). */
  check: z.string().optional(),
});
export type Decision = z.infer<typeof decisionSchema>;

const sessionIdSchema = z.string().min(1).max(64);
const seconds = z
  .number()
  .int()
  .nonnegative()
  .max(366 * 24 * 3600);

/**
 * Extension for sessions a board opened alone while the server was unreachable (SPEC §2
 * offline mode): their id starts with `off-`, and their events carry the badge and the
 * start time so the server can open and bill the session when they are replayed.
 */
export const OFFLINE_SESSION_PREFIX = 'off-';
const offlineFields = {
  badge: uidSchema.optional(),
  startedAt: isoDateTime.optional(),
  /**
   * Extension (issue #9): `issuedAt` of the signed allow-list the board decided from. The
   * server accepts an offline session only for a badge on a list it published for that
   * machine, and only within that list's `issuedAt`..`validUntil`.
   */
  listIssuedAt: isoDateTime.optional(),
  /** extension (issue #6): seconds the relay has been closed; idle = unlocked − running */
  unlockedSeconds: z
    .number()
    .int()
    .nonnegative()
    .max(366 * 24 * 3600)
    .optional(),
};

export const runtimeEventSchema = z
  .object({
    eventId: z.uuid(),
    sessionId: sessionIdSchema,
    seq: z.number().int().nonnegative(),
    runningSeconds: seconds,
    at: isoDateTime,
    ...offlineFields,
  })
  .strict();
export type RuntimeEvent = z.infer<typeof runtimeEventSchema>;

export const endEventSchema = z
  .object({
    eventId: z.uuid(),
    sessionId: sessionIdSchema,
    runningSeconds: seconds,
    reason: z.enum(END_REASONS),
    at: isoDateTime,
    ...offlineFields,
  })
  .strict();
export type EndEvent = z.infer<typeof endEventSchema>;

export const commandSchema = z.object({
  commandId: z.uuid(),
  action: z.literal('lock'),
  reason: z.string(),
  sessionId: z.string().optional(),
  /** Extension (issue #6): the board warns (buzzer, LED, display) and opens the relay after this many seconds (0 = now). */
  graceSeconds: z.number().int().nonnegative().optional(),
});
export type Command = z.infer<typeof commandSchema>;

export const statusSchema = z
  .object({
    online: z.boolean(),
    relay: z.enum(['on', 'off']),
    sessionId: z.string().optional(),
    /**
     * Extension (issue #10): the publishing device's id, so that behind an external broker
     * (which tells the server nothing of connections) a machine stays online while any of
     * its devices says so. The embedded broker knows connections and ignores this.
     */
    deviceId: z.string().min(1).max(128).optional(),
  })
  .passthrough();
export type DeviceStatus = z.infer<typeof statusSchema>;

/** The signed offline allow-list (format ours, SPEC §2). */
export const allowListEntrySchema = z.object({
  /** keyed hash of the badge UID (hex), never the UID itself */
  badge: z.string(),
  name: z.string(),
  /** the member may use the machine offline until this instant (certification / membership end) */
  until: isoDateTime,
  /**
   * credit available offline, in cents: balance + overdraft, less the machine's session fee (issue
   * #10, core/offline.ts), or null when the machine is free
   */
  creditCents: z.number().int().nullable(),
});
export const allowListBodySchema = z.object({
  version: z.literal(1),
  machineId: z.string().regex(SLUG_PATTERN),
  issuedAt: isoDateTime,
  /** the board must stop deciding alone after this instant */
  validUntil: isoDateTime,
  /** most seconds one offline session may last */
  maxOfflineSessionSeconds: z.number().int().positive(),
  pricePerMinuteCents: z.number().int().nonnegative(),
  minimumChargeCents: z.number().int().nonnegative(),
  /** salt (hex) used to hash badge UIDs in this list */
  salt: z.string(),
  entries: z.array(allowListEntrySchema),
});
export type AllowListBody = z.infer<typeof allowListBodySchema>;
export const allowListSchema = z.object({
  body: allowListBodySchema,
  /** Ed25519 signature (base64) of JSON.stringify(body) */
  signature: z.string(),
  /** key id: SHA-256 of the public key, hex, first 16 chars */
  keyId: z.string(),
});
export type AllowList = z.infer<typeof allowListSchema>;

/** Extension (issue #6): a problem reported from the board's button puts the machine in maintenance. */
export const reportEventSchema = z
  .object({
    eventId: z.uuid(),
    note: z.string().trim().max(500).optional(),
    at: isoDateTime,
  })
  .strict();
export type ReportEvent = z.infer<typeof reportEventSchema>;

/** Extension (issue #6): consumables used in a session, charged on the same card. */
export const materialEventSchema = z
  .object({
    eventId: z.uuid(),
    sessionId: sessionIdSchema,
    materialId: z.string().regex(SLUG_PATTERN),
    quantity: z.number().int().positive().max(1_000_000),
    at: isoDateTime,
  })
  .strict();
export type MaterialEvent = z.infer<typeof materialEventSchema>;

/**
 * Extension (issue #10): the server's acknowledgement of a device event (runtime, end,
 * report, material), published on the machine's `ack` topic AFTER the event is committed
 * (`stored`), or when it is invalid and will never be applied (`rejected`, with why). A board
 * keeps each event in its durable outbox until it reads the ack; boards that never subscribe
 * still work (events are idempotent by `eventId`, so replays change nothing).
 */
export const ACK_STATUSES = ['stored', 'rejected'] as const;
export const ACKED_KINDS = ['runtime', 'end', 'report', 'material'] as const;
export const ackSchema = z.object({
  eventId: z.string().min(1).max(128),
  kind: z.enum(ACKED_KINDS),
  status: z.enum(ACK_STATUSES),
  error: z.string().max(500).optional(),
});
export type Ack = z.infer<typeof ackSchema>;

export const TOPIC_KINDS = [
  'badge',
  'decision',
  'runtime',
  'end',
  'command',
  'status',
  'allowlist',
  'report',
  'material',
  'ack',
] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];
export const DEVICE_PUBLISHES: readonly TopicKind[] = [
  'badge',
  'runtime',
  'end',
  'status',
  'report',
  'material',
];
export const DEVICE_SUBSCRIBES: readonly TopicKind[] = ['decision', 'command', 'allowlist', 'ack'];

export function machineTopic(root: string, machineId: string, kind: TopicKind): string {
  return `${root}/v1/machines/${machineId}/${kind}`;
}

/** Parses `{root}/v1/machines/{m}/{kind}`; null for anything else. */
export function parseMachineTopic(
  root: string,
  topic: string,
): { machineId: string; kind: TopicKind } | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== root || parts[1] !== 'v1' || parts[2] !== 'machines') return null;
  const machineId = parts[3] ?? '';
  const kind = parts[4] as TopicKind;
  if (!SLUG_PATTERN.test(machineId) || !TOPIC_KINDS.includes(kind)) return null;
  return { machineId, kind };
}

/**
 * Issue #10: one map from topic kind to the zod schema of its payload. The server's
 * handlers parse every message with it (machine-loop/handlers/), so a kind has one
 * schema, and the type of a kind's payload is inferred from it.
 */
export const TOPIC_SCHEMAS = {
  badge: badgeRequestSchema,
  decision: decisionSchema,
  runtime: runtimeEventSchema,
  end: endEventSchema,
  command: commandSchema,
  status: statusSchema,
  allowlist: allowListSchema,
  report: reportEventSchema,
  material: materialEventSchema,
  ack: ackSchema,
} as const satisfies Record<TopicKind, z.ZodType>;
export type TopicPayload<K extends TopicKind> = z.infer<(typeof TOPIC_SCHEMAS)[K]>;
/** The kinds a device publishes that the server must apply at least once (acked on `ack`). */
export type AckedKind = (typeof ACKED_KINDS)[number];
