/**
 * The database schema (issue #2). Migrations are generated from this file by drizzle-kit
 * (`npm run db:generate`) and committed in migrations/.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const members = pgTable(
  'members',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    status: text('status', { enum: ['active', 'suspended', 'expired'] })
      .notNull()
      .default('active'),
    membershipValidUntil: ts('membership_valid_until'),
    category: text('category'),
    birthYear: integer('birth_year'),
    /** why the member was last suspended or reactivated (issue #12: shown on their page) */
    statusReason: text('status_reason'),
    /** when the status last changed through suspend / reactivate */
    statusChangedAt: ts('status_changed_at'),
    /** issue #11 attendance for funders: optional, personal data (exported and erased by gdpr.ts) */
    gender: text('gender', { enum: ['woman', 'man', 'other'] }),
    /** commune of residence, free text or INSEE code (issue #11) */
    residenceCommune: text('residence_commune'),
    /** inside or outside the lab's agglomeration (its name is a setting; issue #11) */
    residenceArea: text('residence_area', { enum: ['inside', 'outside'] }),
    /** cached credit; always equals -Σ member_cards entries (checked by tests and reports) */
    balanceCents: bigint('balance_cents', { mode: 'number' }).notNull().default(0),
    passwordHash: text('password_hash'),
    erasedAt: ts('erased_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('members_email_key').on(sql`lower(${t.email})`), index('members_name_idx').on(t.name)],
);

export const staff = pgTable(
  'staff',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    roles: text('roles').array().notNull(),
    /** the member record that holds this person's badges, if they badge at machines */
    memberId: text('member_id').references(() => members.id),
    passwordHash: text('password_hash'),
    disabledAt: ts('disabled_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('staff_email_key').on(sql`lower(${t.email})`)],
);

export const qualifications = pgTable('qualifications', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  validityDays: integer('validity_days').notNull(),
  /** a certification lapses this many days after its holder last used a machine needing it */
  lapseAfterUnusedDays: integer('lapse_after_unused_days'),
  createdAt: createdAt(),
});

export const qualificationPrerequisites = pgTable(
  'qualification_prerequisites',
  {
    qualificationId: text('qualification_id')
      .notNull()
      .references(() => qualifications.id),
    requiresId: text('requires_id')
      .notNull()
      .references(() => qualifications.id),
  },
  (t) => [primaryKey({ columns: [t.qualificationId, t.requiresId] })],
);

export const trainerQualifications = pgTable(
  'trainer_qualifications',
  {
    staffId: text('staff_id')
      .notNull()
      .references(() => staff.id),
    qualificationId: text('qualification_id')
      .notNull()
      .references(() => qualifications.id),
  },
  (t) => [primaryKey({ columns: [t.staffId, t.qualificationId] })],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    /** SHA-256 of the token: tokens are 256-bit random, so a fast hash is enough */
    tokenHash: text('token_hash').notNull(),
    kind: text('kind', { enum: ['api', 'web'] })
      .notNull()
      .default('api'),
    staffId: text('staff_id').references(() => staff.id),
    memberId: text('member_id').references(() => members.id),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
    lastUsedAt: ts('last_used_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('api_tokens_hash_key').on(t.tokenHash),
    check('api_tokens_owner', sql`(${t.staffId} is null) <> (${t.memberId} is null)`),
  ],
);

export const badges = pgTable(
  'badges',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    /** HMAC-SHA256 of the normalised UID with the site's badge key */
    uidHash: text('uid_hash').notNull(),
    uidLast4: text('uid_last4').notNull(),
    /** HMAC of the UID with the offline key that boards receive in signed allow-lists */
    offlineHash: text('offline_hash'),
    status: text('status', { enum: ['active', 'lost', 'revoked'] })
      .notNull()
      .default('active'),
    issuedAt: createdAt(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    // A UID may be issued again only after its previous badge was revoked or lost.
    uniqueIndex('badges_active_uid_key').on(t.uidHash).where(sql`${t.status} = 'active'`),
    index('badges_uid_idx').on(t.uidHash),
    index('badges_member_idx').on(t.memberId),
  ],
);

export const certifications = pgTable(
  'certifications',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    qualificationId: text('qualification_id')
      .notNull()
      .references(() => qualifications.id),
    certifiedBy: text('certified_by').references(() => staff.id),
    certifiedAt: ts('certified_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
    revokedBy: text('revoked_by'),
    revokeReason: text('revoke_reason'),
  },
  (t) => [index('certifications_member_idx').on(t.memberId, t.qualificationId)],
);

export const machines = pgTable(
  'machines',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['laser', 'cnc', 'printer-3d', 'electronics', 'door', 'other'] }).notNull(),
    pricePerMinuteCents: integer('price_per_minute_cents').notNull(),
    minimumChargeCents: integer('minimum_charge_cents').notNull(),
    overdraftLimitCents: integer('overdraft_limit_cents').notNull().default(0),
    creditPolicy: text('credit_policy', { enum: ['lock', 'finish'] })
      .notNull()
      .default('lock'),
    maxSessionSeconds: integer('max_session_seconds'),
    heartbeatSeconds: integer('heartbeat_seconds').notNull().default(30),
    state: text('state', { enum: ['available', 'maintenance', 'locked_out'] })
      .notNull()
      .default('available'),
    stateNote: text('state_note'),
    // Lab practices (issue #6)
    /** price of an unlocked-but-idle minute; null: the running price */
    idlePricePerMinuteCents: integer('idle_price_per_minute_cents'),
    sessionFeeCents: integer('session_fee_cents').notNull().default(0),
    /** a staff member qualified on the machine must confirm each session */
    requiresSupervisor: boolean('requires_supervisor').notNull().default(false),
    /** `badge`: the supervisor badges at the reader within 60 s; `present`: badged in at the lab today */
    supervisorMode: text('supervisor_mode', { enum: ['badge', 'present'] })
      .notNull()
      .default('badge'),
    /** what to check after each use (clean bed, lens, chips); null: no check */
    postUseCheck: text('post_use_check'),
    checkPending: boolean('check_pending').notNull().default(false),
    /** seconds of warning before a lock for exhausted credit or the maximum length */
    graceSeconds: integer('grace_seconds').notNull().default(0),
    /** maintenance falls due after this many running hours; null: never */
    maintenanceEveryHours: integer('maintenance_every_hours'),
    runningSecondsSinceMaintenance: integer('running_seconds_since_maintenance').notNull().default(0),
    online: boolean('online').notNull().default(false),
    lastSeenAt: ts('last_seen_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('machines_price_nonneg', sql`${t.pricePerMinuteCents} >= 0 and ${t.minimumChargeCents} >= 0`),
    check('machines_overdraft_nonneg', sql`${t.overdraftLimitCents} >= 0`),
  ],
);

export const machineQualifications = pgTable(
  'machine_qualifications',
  {
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    qualificationId: text('qualification_id')
      .notNull()
      .references(() => qualifications.id),
  },
  (t) => [primaryKey({ columns: [t.machineId, t.qualificationId] })],
);

export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    /** SHA-256 of the 256-bit random secret */
    secretHash: text('secret_hash').notNull(),
    label: text('label'),
    online: boolean('online').notNull().default(false),
    lastSeenAt: ts('last_seen_at'),
    revokedAt: ts('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [index('devices_machine_idx').on(t.machineId)],
);

export const machineSessions = pgTable(
  'machine_sessions',
  {
    id: text('id').primaryKey(),
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    badgeId: text('badge_id').references(() => badges.id),
    requestId: text('request_id').notNull(),
    startedAt: ts('started_at').notNull(),
    endedAt: ts('ended_at'),
    lastEventAt: ts('last_event_at').notNull(),
    runningSeconds: integer('running_seconds').notNull().default(0),
    /** what the formula says the session owes at runningSeconds */
    dueCents: bigint('due_cents', { mode: 'number' }).notNull().default(0),
    /** what was actually debited */
    chargedCents: bigint('charged_cents', { mode: 'number' }).notNull().default(0),
    endReason: text('end_reason'),
    lockSentAt: ts('lock_sent_at'),
    offline: boolean('offline').notNull().default(false),
    /** greatest (unlocked − running) seconds seen: idle time, priced apart (issue #6) */
    idleSeconds: integer('idle_seconds').notNull().default(0),
    /** when runningSeconds last grew: an idle session may be taken over (issue #6) */
    lastRunningAt: ts('last_running_at'),
    supervisedBy: text('supervised_by'),
    materialsCents: bigint('materials_cents', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    // One open session per machine, whatever the concurrency.
    uniqueIndex('machine_sessions_open_key').on(t.machineId).where(sql`${t.endedAt} is null`),
    index('machine_sessions_member_idx').on(t.memberId, t.startedAt),
    index('machine_sessions_machine_idx').on(t.machineId, t.startedAt),
    check('machine_sessions_charge_nonneg', sql`${t.chargedCents} >= 0 and ${t.runningSeconds} >= 0`),
  ],
);

/** Each MQTT request and event, once: the exactly-once guard across server processes. */
export const machineEvents = pgTable(
  'machine_events',
  {
    id: text('id').primaryKey(),
    machineId: text('machine_id').notNull(),
    kind: text('kind', { enum: ['badge', 'runtime', 'end', 'report', 'material'] }).notNull(),
    sessionId: text('session_id'),
    memberId: text('member_id'),
    granted: boolean('granted'),
    reason: text('reason'),
    runningSeconds: integer('running_seconds'),
    at: ts('at'),
    receivedAt: ts('received_at').notNull().defaultNow(),
    response: jsonb('response'),
  },
  (t) => [
    index('machine_events_received_idx').on(t.receivedAt),
    index('machine_events_member_idx').on(t.memberId),
  ],
);

export const ledgerTransactions = pgTable(
  'ledger_transactions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', {
      enum: ['topup', 'usage', 'material', 'refund', 'adjustment', 'reversal'],
    }).notNull(),
    memberId: text('member_id').references(() => members.id),
    sessionId: text('session_id').references(() => machineSessions.id),
    method: text('method'),
    reference: text('reference'),
    reason: text('reason'),
    reversesId: bigint('reverses_id', { mode: 'number' }),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('ledger_transactions_reverses_key').on(t.reversesId),
    index('ledger_transactions_created_idx').on(t.createdAt),
    index('ledger_transactions_session_idx').on(t.sessionId),
  ],
);

export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    transactionId: bigint('transaction_id', { mode: 'number' })
      .notNull()
      .references(() => ledgerTransactions.id),
    account: text('account', {
      enum: [
        'member_cards',
        'machine_revenue',
        'cash',
        'bank',
        'online',
        'adjustments',
        'material_revenue',
        'member_debts',
      ],
    }).notNull(),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    memberId: text('member_id'),
    machineId: text('machine_id'),
    machineKind: text('machine_kind'),
  },
  (t) => [
    index('ledger_entries_tx_idx').on(t.transactionId),
    index('ledger_entries_member_idx').on(t.account, t.memberId),
    check('ledger_entries_nonzero', sql`${t.amountCents} <> 0`),
  ],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    body: jsonb('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    at: createdAt(),
  },
  (t) => [index('audit_log_entity_idx').on(t.entity, t.entityId)],
);

/**
 * Closed accounting months (issue #5): no ledger transaction may be dated inside one; corrections
 * go into an open period as reversals. `report` keeps the card report's figures at closing.
 */
export const closedPeriods = pgTable(
  'closed_periods',
  {
    /** YYYY-MM in the lab's time zone */
    period: text('period').primaryKey(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    closedAt: ts('closed_at').notNull().defaultNow(),
    closedBy: text('closed_by').notNull(),
    /** closed although the report's checks failed */
    forced: boolean('forced').notNull().default(false),
    reason: text('reason'),
    report: jsonb('report').notNull(),
  },
  (t) => [index('closed_periods_ends_idx').on(t.endsAt)],
);

/**
 * HelloAsso payments seen (issue #5), one row per HelloAsso payment id: the idempotency key of
 * their top-up and refund, and the treasurer's queue of payments no member matched.
 */
export const helloassoPayments = pgTable(
  'helloasso_payments',
  {
    paymentId: text('payment_id').primaryKey(),
    orderId: text('order_id'),
    formType: text('form_type'),
    formSlug: text('form_slug'),
    /** HelloAsso's state as last fetched: Authorized, Refunded, … */
    state: text('state').notNull(),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    paidAt: ts('paid_at'),
    payerEmail: text('payer_email'),
    payerName: text('payer_name'),
    /** the answer to the configured custom field, if any */
    matchValue: text('match_value'),
    status: text('status', {
      enum: ['credited', 'unmatched', 'refunded', 'ignored', 'contested', 'canceled'],
    }).notNull(),
    memberId: text('member_id').references(() => members.id),
    topupTransactionId: bigint('topup_transaction_id', { mode: 'number' }),
    refundTransactionId: bigint('refund_transaction_id', { mode: 'number' }),
    note: text('note'),
    receivedAt: ts('received_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    /** issue #11: the machine-card item's share of this payment, the only part put on the card */
    cardCents: bigint('card_cents', { mode: 'number' }).notNull().default(0),
    /** HelloAsso's own voluntary contribution (amountTip): never the association's money */
    tipCents: bigint('tip_cents', { mode: 'number' }).notNull().default(0),
    /** other items and options paid with it (membership, donation…): reported, not on the card */
    otherCents: bigint('other_cents', { mode: 'number' }).notNull().default(0),
    /** [{ name, type, cents }] of those other items, for the treasurer */
    otherItems: jsonb('other_items'),
    /** card credit taken back so far by refunds, a chargeback or a cancellation */
    reversedCents: bigint('reversed_cents', { mode: 'number' }).notNull().default(0),
    /** what the member owes because credit already spent was taken back (ledger member_debts) */
    debtCents: bigint('debt_cents', { mode: 'number' }).notNull().default(0),
    /** set for the treasurer: 'chargeback', 'canceled_after_credit', 'refund_of_spent_credit' */
    flag: text('flag'),
    /** when the booking date moved out of a closed month, what was done */
    bookingNote: text('booking_note'),
    /** HelloAsso's meta.updatedAt as last fetched */
    helloassoUpdatedAt: ts('helloasso_updated_at'),
  },
  (t) => [
    index('helloasso_payments_status_idx').on(t.status),
    index('helloasso_payments_member_idx').on(t.memberId),
  ],
);

/**
 * Each card movement taken back from a HelloAsso payment (issue #11), once: a processed
 * refund operation (`op:<id>`), what remained at `Refunded` (`remainder:<paymentId>`), a
 * chargeback (`contested:<paymentId>`) or a cancellation (`canceled:<paymentId>`).
 */
export const helloassoReversals = pgTable(
  'helloasso_reversals',
  {
    key: text('key').primaryKey(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => helloassoPayments.paymentId),
    kind: text('kind', { enum: ['refund', 'remainder', 'chargeback', 'canceled'] }).notNull(),
    /** HelloAsso's amount for this operation (with the tip when it carries one) */
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    /** taken from the card */
    cardCents: bigint('card_cents', { mode: 'number' }).notNull(),
    /** beyond what the card held: the member owes it (member_debts) */
    debtCents: bigint('debt_cents', { mode: 'number' }).notNull(),
    /** the part that was not card credit (tip, other items): reported only */
    otherCents: bigint('other_cents', { mode: 'number' }).notNull(),
    /** HelloAsso's date of the operation */
    occurredAt: ts('occurred_at').notNull(),
    /** the ledger date: occurredAt, or the first open instant when its month is closed */
    bookedAt: ts('booked_at').notNull(),
    transactionId: bigint('transaction_id', { mode: 'number' }),
    note: text('note'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('helloasso_reversals_payment_idx').on(t.paymentId)],
);

/**
 * Attendance figures of a day (YYYY-MM-DD) or month (YYYY-MM), computed from the raw badge
 * events before the retention job purges them (issue #5): the funders' numbers outlive them.
 */
export const attendanceAggregates = pgTable('attendance_aggregates', {
  period: text('period').primaryKey(),
  figures: jsonb('figures').notNull(),
  computedAt: ts('computed_at').notNull().defaultNow(),
});

/**
 * A reader armed for a second badge (issue #6): a trainer's badge then the member's
 * (certify), an admin's then an unknown badge (enrol), a member waiting for a supervisor,
 * or a post-use check waiting for its confirmation. One per machine; expires quickly.
 */
export const pendingActions = pgTable('pending_actions', {
  machineId: text('machine_id')
    .primaryKey()
    .references(() => machines.id),
  kind: text('kind', { enum: ['certify', 'enrol', 'supervise', 'check'] }).notNull(),
  /** the first badge's member (trainer, admin, member awaiting supervision or check) */
  memberId: text('member_id').notNull(),
  staffId: text('staff_id'),
  qualificationId: text('qualification_id'),
  requestId: text('request_id'),
  expiresAt: ts('expires_at').notNull(),
  createdAt: createdAt(),
});

/** Badges presented on a reader in enrolment mode, waiting to be issued from the dashboard. */
export const enrolments = pgTable(
  'enrolments',
  {
    id: text('id').primaryKey(),
    machineId: text('machine_id').notNull(),
    /** kept until issued or expired (10 minutes): the form needs it */
    uid: text('uid').notNull(),
    staffId: text('staff_id'),
    createdAt: createdAt(),
    consumedAt: ts('consumed_at'),
  },
  (t) => [index('enrolments_created_idx').on(t.createdAt)],
);

/** Consumables sold by the unit (grams of filament, ml of resin, sheets) (issue #6). */
export const materials = pgTable('materials', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  unit: text('unit').notNull(),
  pricePerUnitCents: integer('price_per_unit_cents').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
});

export const materialUses = pgTable(
  'material_uses',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => machineSessions.id),
    materialId: text('material_id')
      .notNull()
      .references(() => materials.id),
    quantity: integer('quantity').notNull(),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    recordedBy: text('recorded_by'),
    createdAt: createdAt(),
  },
  (t) => [index('material_uses_session_idx').on(t.sessionId)],
);

/**
 * Every signed allow-list the server published (issue #9): an offline session is billed only
 * for a badge that was on one of these for its machine. Pruned 90 days after validUntil.
 */
export const allowlistIssues = pgTable(
  'allowlist_issues',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    machineId: text('machine_id').notNull(),
    issuedAt: ts('issued_at').notNull(),
    validUntil: ts('valid_until').notNull(),
    /** the entries, shared by every publication whose entries did not change */
    entriesDigest: text('entries_digest').notNull(),
  },
  (t) => [
    uniqueIndex('allowlist_issues_machine_issued_key').on(t.machineId, t.issuedAt),
    index('allowlist_issues_valid_idx').on(t.validUntil),
    index('allowlist_issues_digest_idx').on(t.entriesDigest),
  ],
);

/**
 * The entries of published lists, stored once per distinct content (a list is republished
 * after every debit, its badges rarely change). Each entry is the first 32 hex of its hash and
 * its `until` in epoch seconds, or null when that is the list's validUntil. Credit is not kept:
 * it changes with every debit, and billing reads the ledger, not the list.
 */
export const allowlistEntrySets = pgTable('allowlist_entry_sets', {
  /** SHA-256 of salt and entries */
  digest: text('digest').primaryKey(),
  /** the lists' salt (hex): entries are HMAC-SHA256(salt, UID) */
  salt: text('salt').notNull(),
  entries: jsonb('entries').$type<[string, number | null][]>().notNull(),
  createdAt: createdAt(),
});

/**
 * Offline sessions the server did not bill on its own (issue #9): held for the treasurer, who
 * accepts (the session is opened and billed) or refuses (nothing is debited). Never the UID.
 */
export const offlineReviews = pgTable(
  'offline_reviews',
  {
    id: text('id').primaryKey(),
    machineId: text('machine_id').notNull(),
    sessionId: text('session_id').notNull(),
    /** the badge and member the UID resolves to, when it does */
    badgeId: text('badge_id'),
    memberId: text('member_id'),
    badgeLast4: text('badge_last4').notNull(),
    startedAt: ts('started_at'),
    listIssuedAt: ts('list_issued_at'),
    runningSeconds: integer('running_seconds').notNull().default(0),
    unlockedSeconds: integer('unlocked_seconds').notNull().default(0),
    endReason: text('end_reason'),
    endedAt: ts('ended_at'),
    holdReason: text('hold_reason').notNull(),
    status: text('status', { enum: ['pending', 'accepted', 'refused'] })
      .notNull()
      .default('pending'),
    decidedBy: text('decided_by'),
    decidedAt: ts('decided_at'),
    note: text('note'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('offline_reviews_session_key').on(t.machineId, t.sessionId),
    index('offline_reviews_status_idx').on(t.status, t.createdAt),
  ],
);

/**
 * Issue #10: device events (runtime, end, report, material) the server's MQTT client has
 * received but not yet applied. The row is written before the broker gets its PUBACK and
 * deleted once the event is committed, so an event the broker handed over survives a crash
 * of the server or an outage of the database. `consumer` is the MQTT client id that received it.
 */
export const machineInbox = pgTable(
  'machine_inbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    consumer: text('consumer').notNull(),
    machineId: text('machine_id').notNull(),
    kind: text('kind', { enum: ['runtime', 'end', 'report', 'material'] }).notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [index('machine_inbox_consumer_idx').on(t.consumer, t.id)],
);

/**
 * Issue #12: the machine loop's outbox. A use case that changes who may use which machine
 * (money, badges, certifications, machines, members…) writes one row in its own transaction;
 * every server's scheduler polls for new rows and republishes the allow-lists. So a change made
 * by any process (the CLI, a second server) reaches the boards; rows are deleted after an hour.
 */
export const machineLoopChanges = pgTable(
  'machine_loop_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** null: all members / all machines */
    memberIds: jsonb('member_ids').$type<string[] | null>(),
    machineIds: jsonb('machine_ids').$type<string[] | null>(),
    createdAt: createdAt(),
  },
  (t) => [index('machine_loop_changes_created_idx').on(t.createdAt)],
);
