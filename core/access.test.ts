import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccessDecision,
  type AccessRequest,
  affordableSeconds,
  creditNeededToStart,
  type DenialReason,
  decide,
} from './access.ts';
import {
  BADGE_STATUSES,
  type CertificationView,
  CREDIT_POLICIES,
  MACHINE_STATES,
  type MachineView,
  MEMBER_STATUSES,
  type MemberView,
} from './domain.ts';
import { sessionCharge } from './metering.ts';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const DAY = 86_400_000;
const at = (offsetMs: number): Date => new Date(NOW.getTime() + offsetMs);

function member(over: Partial<MemberView> = {}): MemberView {
  return { id: 'm1', name: 'Ada', status: 'active', membershipValidUntil: null, ...over };
}

/** A laser at 50 c/min with a 1 € minimum, needing the `laser` qualification. */
function machine(over: Partial<MachineView> = {}): MachineView {
  return {
    id: 'laser-1',
    state: 'available',
    requiredQualifications: ['laser'],
    pricePerMinuteCents: 50,
    minimumChargeCents: 100,
    overdraftLimitCents: 0,
    creditPolicy: 'lock',
    maxSessionSeconds: null,
    ...over,
  };
}

const FREE_DOOR = machine({
  id: 'door',
  requiredQualifications: [],
  pricePerMinuteCents: 0,
  minimumChargeCents: 0,
});

function cert(qualificationId: string, over: Partial<CertificationView> = {}): CertificationView {
  return { qualificationId, certifiedAt: at(-30 * DAY), expiresAt: at(300 * DAY), revokedAt: null, ...over };
}

/** A request that is granted: every test below breaks exactly what it names. */
function request(over: Partial<AccessRequest> = {}): AccessRequest {
  return {
    now: NOW,
    badge: { status: 'active' },
    member: member(),
    machine: machine(),
    certifications: [cert('laser')],
    balanceCents: 1000,
    openSession: null,
    ...over,
  };
}

/** The order `decide` reports reasons in; `reason` is the first (access.ts header). */
const REASON_ORDER: readonly DenialReason[] = [
  'unknown_badge',
  'badge_revoked',
  'member_inactive',
  'machine_unavailable',
  'machine_busy',
  'not_certified',
  'certification_expired',
  'insufficient_balance',
];

function denial(decision: AccessDecision): { reason: DenialReason; reasons: DenialReason[] } {
  if (decision.granted) throw new Error(`expected a denial, got ${JSON.stringify(decision)}`);
  return { reason: decision.reason, reasons: decision.reasons };
}

interface DenialRow {
  name: string;
  req: AccessRequest;
  reasons: DenialReason[];
}

describe('decide: one row per denial reason', () => {
  const rows: DenialRow[] = [
    // unknown_badge
    { name: 'unknown badge', req: request({ badge: null, member: null }), reasons: ['unknown_badge'] },
    {
      name: 'badge row without a member',
      req: request({ member: null }),
      reasons: ['unknown_badge'],
    },
    {
      name: 'member without a badge',
      req: request({ badge: null }),
      reasons: ['unknown_badge'],
    },
    // badge_revoked
    { name: 'lost badge', req: request({ badge: { status: 'lost' } }), reasons: ['badge_revoked'] },
    { name: 'revoked badge', req: request({ badge: { status: 'revoked' } }), reasons: ['badge_revoked'] },
    // member_inactive
    {
      name: 'suspended member',
      req: request({ member: member({ status: 'suspended' }) }),
      reasons: ['member_inactive'],
    },
    {
      name: 'member with status expired',
      req: request({ member: member({ status: 'expired' }) }),
      reasons: ['member_inactive'],
    },
    {
      name: 'membershipValidUntil in the past',
      req: request({ member: member({ membershipValidUntil: at(-1) }) }),
      reasons: ['member_inactive'],
    },
    {
      name: 'membershipValidUntil exactly now (the period is exclusive)',
      req: request({ member: member({ membershipValidUntil: NOW }) }),
      reasons: ['member_inactive'],
    },
    // not_certified
    { name: 'no certification at all', req: request({ certifications: [] }), reasons: ['not_certified'] },
    {
      name: 'certified for another qualification only',
      req: request({ certifications: [cert('cnc')] }),
      reasons: ['not_certified'],
    },
    {
      // A revoked certification was withdrawn, not lapsed: it counts as never held.
      name: 'revoked (unexpired) certification alone',
      req: request({ certifications: [cert('laser', { revokedAt: at(-DAY) })] }),
      reasons: ['not_certified'],
    },
    {
      name: 'revoked and expired certification alone',
      req: request({
        certifications: [cert('laser', { expiresAt: at(-2 * DAY), revokedAt: at(-3 * DAY) })],
      }),
      reasons: ['not_certified'],
    },
    {
      name: 'two qualifications required, one missing',
      req: request({
        machine: machine({ requiredQualifications: ['laser', 'laser-big'] }),
        certifications: [cert('laser')],
      }),
      reasons: ['not_certified'],
    },
    {
      name: 'two qualifications required, one expired and one missing: missing wins',
      req: request({
        machine: machine({ requiredQualifications: ['laser', 'laser-big'] }),
        certifications: [cert('laser', { expiresAt: at(-DAY) })],
      }),
      reasons: ['not_certified'],
    },
    {
      name: 'two qualifications required, one missing and one expired (other order): missing wins',
      req: request({
        machine: machine({ requiredQualifications: ['laser-big', 'laser'] }),
        certifications: [cert('laser', { expiresAt: at(-DAY) })],
      }),
      reasons: ['not_certified'],
    },
    // certification_expired
    {
      name: 'expired certification',
      req: request({ certifications: [cert('laser', { expiresAt: at(-DAY) })] }),
      reasons: ['certification_expired'],
    },
    {
      name: 'certification expiring exactly now',
      req: request({ certifications: [cert('laser', { expiresAt: NOW })] }),
      reasons: ['certification_expired'],
    },
    {
      name: 'expired certification next to a revoked one',
      req: request({
        certifications: [cert('laser', { expiresAt: at(-DAY) }), cert('laser', { revokedAt: at(-DAY) })],
      }),
      reasons: ['certification_expired'],
    },
    {
      name: 'two qualifications required, one valid and one expired',
      req: request({
        machine: machine({ requiredQualifications: ['laser', 'laser-big'] }),
        certifications: [cert('laser'), cert('laser-big', { expiresAt: at(-DAY) })],
      }),
      reasons: ['certification_expired'],
    },
    // insufficient_balance
    { name: 'balance 0', req: request({ balanceCents: 0 }), reasons: ['insufficient_balance'] },
    {
      name: 'balance one cent under the minimum charge',
      req: request({ balanceCents: 99 }),
      reasons: ['insufficient_balance'],
    },
    { name: 'negative balance', req: request({ balanceCents: -10 }), reasons: ['insufficient_balance'] },
    {
      name: 'balance + overdraft one cent short',
      req: request({ balanceCents: 40, machine: machine({ overdraftLimitCents: 59 }) }),
      reasons: ['insufficient_balance'],
    },
    {
      name: 'price over the minimum: one minute is needed',
      req: request({
        balanceCents: 149,
        machine: machine({ pricePerMinuteCents: 150, minimumChargeCents: 100 }),
      }),
      reasons: ['insufficient_balance'],
    },
    {
      name: 'minimum 0, balance under one minute',
      req: request({ balanceCents: 49, machine: machine({ minimumChargeCents: 0 }) }),
      reasons: ['insufficient_balance'],
    },
    {
      name: 'flat fee (price 0, minimum 100), balance 99',
      req: request({ balanceCents: 99, machine: machine({ pricePerMinuteCents: 0 }) }),
      reasons: ['insufficient_balance'],
    },
    {
      name: 'NaN balance (corrupt input): deny by default',
      req: request({ balanceCents: Number.NaN }),
      reasons: ['insufficient_balance'],
    },
    {
      name: 'infinite balance (corrupt input): deny by default',
      req: request({ balanceCents: Number.POSITIVE_INFINITY }),
      reasons: ['insufficient_balance'],
    },
    // machine_unavailable
    {
      name: 'machine in maintenance',
      req: request({ machine: machine({ state: 'maintenance' }) }),
      reasons: ['machine_unavailable'],
    },
    {
      name: 'machine locked out',
      req: request({ machine: machine({ state: 'locked_out' }) }),
      reasons: ['machine_unavailable'],
    },
    { name: 'unknown machine', req: request({ machine: null }), reasons: ['machine_unavailable'] },
    // machine_busy
    {
      name: "another member's session is open",
      req: request({ openSession: { memberId: 'm2' } }),
      reasons: ['machine_busy'],
    },
    {
      name: 'an open session and an unknown badge',
      req: request({ badge: null, member: null, openSession: { memberId: 'm1' } }),
      reasons: ['unknown_badge', 'machine_busy'],
    },
  ];

  it.each(rows)('$name → $reasons.0', ({ req, reasons }) => {
    const d = denial(decide(req));
    expect(d.reasons).toEqual(reasons);
    expect(d.reason).toBe(reasons[0]);
  });

  it('covers every reason decide can give', () => {
    const covered = new Set(rows.flatMap((r) => r.reasons));
    expect([...covered].sort()).toEqual([...REASON_ORDER].sort());
  });
});

describe('decide: every failed check is listed, in order', () => {
  const rows: DenialRow[] = [
    {
      name: 'revoked badge, suspended member, busy, uncertified, broke',
      req: request({
        badge: { status: 'revoked' },
        member: member({ status: 'suspended' }),
        openSession: { memberId: 'm2' },
        certifications: [],
        balanceCents: 0,
      }),
      reasons: ['badge_revoked', 'member_inactive', 'machine_busy', 'not_certified', 'insufficient_balance'],
    },
    {
      name: 'lost badge and lapsed membership',
      req: request({ badge: { status: 'lost' }, member: member({ membershipValidUntil: at(-DAY) }) }),
      reasons: ['badge_revoked', 'member_inactive'],
    },
    {
      name: 'expired certification and no credit',
      req: request({ certifications: [cert('laser', { expiresAt: at(-DAY) })], balanceCents: 10 }),
      reasons: ['certification_expired', 'insufficient_balance'],
    },
    {
      name: 'unknown badge on an unknown machine',
      req: request({ badge: null, member: null, machine: null }),
      reasons: ['unknown_badge', 'machine_unavailable'],
    },
    {
      // An unavailable machine is not checked further: busy, certification and balance are moot.
      name: 'locked-out machine hides busy, certification and balance',
      req: request({
        machine: machine({ state: 'locked_out' }),
        openSession: { memberId: 'm2' },
        certifications: [],
        balanceCents: 0,
      }),
      reasons: ['machine_unavailable'],
    },
    {
      name: 'inactive member on a machine in maintenance',
      req: request({ member: member({ status: 'expired' }), machine: machine({ state: 'maintenance' }) }),
      reasons: ['member_inactive', 'machine_unavailable'],
    },
  ];

  it.each(rows)('$name', ({ req, reasons }) => {
    const d = denial(decide(req));
    expect(d.reasons).toEqual(reasons);
    expect(d.reason).toBe(reasons[0]);
  });
});

interface GrantRow {
  name: string;
  req: AccessRequest;
  maxSeconds: number | null;
}

describe('decide: grants and their maxSeconds', () => {
  const rows: GrantRow[] = [
    { name: 'everything in order: 1000 c at 50 c/min', req: request(), maxSeconds: 1200 },
    { name: 'balance exactly the minimum charge', req: request({ balanceCents: 100 }), maxSeconds: 120 },
    {
      name: 'balance exactly one minute (price over minimum)',
      req: request({ balanceCents: 150, machine: machine({ pricePerMinuteCents: 150 }) }),
      maxSeconds: 60,
    },
    {
      name: 'partial minutes are not sold: 125 c at 50 c/min',
      req: request({ balanceCents: 125 }),
      maxSeconds: 120,
    },
    {
      name: 'overdraft makes it OK (balance 0)',
      req: request({ balanceCents: 0, machine: machine({ overdraftLimitCents: 200 }) }),
      maxSeconds: 240,
    },
    {
      name: 'overdraft makes it OK (balance negative, within the floor)',
      req: request({ balanceCents: -50, machine: machine({ overdraftLimitCents: 150 }) }),
      maxSeconds: 120,
    },
    {
      name: 'maxSessionSeconds caps what the credit pays for',
      req: request({ machine: machine({ maxSessionSeconds: 600 }) }),
      maxSeconds: 600,
    },
    {
      name: 'credit caps under a longer maxSessionSeconds',
      req: request({ machine: machine({ maxSessionSeconds: 3600 }) }),
      maxSeconds: 1200,
    },
    {
      name: 'free machine needs no credit, unlimited',
      req: request({ balanceCents: 0, machine: machine({ pricePerMinuteCents: 0, minimumChargeCents: 0 }) }),
      maxSeconds: null,
    },
    {
      name: 'free machine with a negative balance',
      req: request({
        balanceCents: -500,
        machine: machine({ pricePerMinuteCents: 0, minimumChargeCents: 0 }),
      }),
      maxSeconds: null,
    },
    {
      name: 'free machine with a NaN balance (no credit involved)',
      req: request({ balanceCents: Number.NaN, machine: FREE_DOOR }),
      maxSeconds: null,
    },
    {
      name: 'free machine keeps its maxSessionSeconds',
      req: request({
        machine: machine({ pricePerMinuteCents: 0, minimumChargeCents: 0, maxSessionSeconds: 900 }),
      }),
      maxSeconds: 900,
    },
    {
      name: 'flat fee (price 0): time unlimited once the minimum is covered',
      req: request({ balanceCents: 100, machine: machine({ pricePerMinuteCents: 0 }) }),
      maxSeconds: null,
    },
    {
      name: 'door with no qualifications, no certifications',
      req: request({ machine: FREE_DOOR, certifications: [] }),
      maxSeconds: null,
    },
    {
      name: 'two qualifications, both valid',
      req: request({
        machine: machine({ requiredQualifications: ['laser', 'laser-big'] }),
        certifications: [cert('laser-big'), cert('laser')],
      }),
      maxSeconds: 1200,
    },
    {
      name: 'an expired and a valid certification of the same qualification',
      req: request({ certifications: [cert('laser', { expiresAt: at(-DAY) }), cert('laser')] }),
      maxSeconds: 1200,
    },
    {
      name: "the same member's open session is not busy",
      req: request({ openSession: { memberId: 'm1' } }),
      maxSeconds: 1200,
    },
    {
      name: 'membership ending tomorrow',
      req: request({ member: member({ membershipValidUntil: at(DAY) }) }),
      maxSeconds: 1200,
    },
  ];

  it.each(rows)('$name → maxSeconds $maxSeconds', ({ req, maxSeconds }) => {
    expect(decide(req)).toEqual({ granted: true, reason: 'granted', maxSeconds });
  });
});

describe('affordableSeconds and creditNeededToStart', () => {
  it.each([
    { price: 50, minimum: 100, needed: 100 },
    { price: 150, minimum: 100, needed: 150 },
    { price: 0, minimum: 100, needed: 100 },
    { price: 50, minimum: 0, needed: 50 },
    { price: 0, minimum: 0, needed: 0 },
  ])('price $price, minimum $minimum → $needed to start', ({ price, minimum, needed }) => {
    expect(creditNeededToStart(machine({ pricePerMinuteCents: price, minimumChargeCents: minimum }))).toBe(
      needed,
    );
  });

  it('is 0 when the credit does not cover the minimum', () => {
    expect(affordableSeconds(machine(), 99)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------
// Properties

const QUALS = ['a', 'b', 'c'] as const;
const dateAround = fc.integer({ min: -3, max: 3 }).map((d) => at(d * DAY));

const badgeArb = fc.option(fc.record({ status: fc.constantFrom(...BADGE_STATUSES) }), { nil: null });
const memberArb = fc.option(
  fc.record({
    id: fc.constantFrom('m1', 'm2'),
    name: fc.constant('X'),
    status: fc.constantFrom(...MEMBER_STATUSES),
    membershipValidUntil: fc.option(dateAround, { nil: null }),
  }),
  { nil: null },
);
const machineArb = fc.option(
  fc.record({
    id: fc.constant('m'),
    state: fc.constantFrom(...MACHINE_STATES),
    requiredQualifications: fc.subarray([...QUALS]),
    pricePerMinuteCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })),
    minimumChargeCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500 })),
    overdraftLimitCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500 })),
    creditPolicy: fc.constantFrom(...CREDIT_POLICIES),
    maxSessionSeconds: fc.option(fc.integer({ min: 1, max: 36_000 }), { nil: null }),
    // issue #10: every pricing and state field, not only price and minimum
    sessionFeeCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 })),
    idlePricePerMinuteCents: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })), {
      nil: null,
    }),
    requiresSupervisor: fc.boolean(),
    checkPending: fc.boolean(),
  }),
  { nil: null },
);
const certArb = fc.record({
  qualificationId: fc.constantFrom(...QUALS, 'd'),
  certifiedAt: fc.constant(at(-30 * DAY)),
  expiresAt: dateAround,
  revokedAt: fc.option(dateAround, { nil: null }),
});
const requestArb: fc.Arbitrary<AccessRequest> = fc.record({
  now: fc.constant(NOW),
  badge: badgeArb,
  member: memberArb,
  machine: machineArb,
  certifications: fc.array(certArb, { maxLength: 5 }),
  balanceCents: fc.oneof(fc.integer({ min: -1000, max: 3000 }), fc.integer({ min: -1000, max: 2_000_000 })),
  openSession: fc.option(fc.record({ memberId: fc.constantFrom('m1', 'm2') }), { nil: null }),
  supervised: fc.boolean(),
});

/** Every reason decide itself gives, in its order (issue #6 adds the check and the supervisor). */
const FULL_ORDER: readonly DenialReason[] = [...REASON_ORDER, 'check_required', 'supervisor_required'];

/** An independent statement of SPEC §2/§3's rules: the set of checks a request fails. */
function failedChecks(req: AccessRequest): Set<DenialReason> {
  const failed = new Set<DenialReason>();
  const t = req.now.getTime();
  if (req.badge === null || req.member === null) failed.add('unknown_badge');
  else {
    if (req.badge.status !== 'active') failed.add('badge_revoked');
    const until = req.member.membershipValidUntil;
    if (req.member.status !== 'active' || (until !== null && until.getTime() <= t))
      failed.add('member_inactive');
  }
  const m = req.machine;
  if (m === null || m.state !== 'available') return failed.add('machine_unavailable');
  if (req.openSession !== null && req.openSession.memberId !== req.member?.id) failed.add('machine_busy');
  const missing = m.requiredQualifications.map((q) => {
    const held = req.certifications.filter((c) => c.qualificationId === q && c.revokedAt === null);
    if (held.some((c) => c.expiresAt.getTime() > t)) return 'ok';
    return held.length > 0 ? 'lapsed' : 'never';
  });
  if (missing.includes('never')) failed.add('not_certified');
  else if (missing.includes('lapsed')) failed.add('certification_expired');
  const fee = m.sessionFeeCents ?? 0;
  const free =
    m.pricePerMinuteCents === 0 &&
    m.minimumChargeCents === 0 &&
    fee === 0 &&
    (m.idlePricePerMinuteCents ?? 0) === 0;
  const needed = Math.max(m.minimumChargeCents, fee + m.pricePerMinuteCents);
  if (!free && req.balanceCents + m.overdraftLimitCents < needed) failed.add('insufficient_balance');
  if (m.checkPending === true) failed.add('check_required');
  if (m.requiresSupervisor === true && req.supervised !== true) failed.add('supervisor_required');
  return failed;
}

describe('decide: properties', () => {
  it('grants exactly when no check fails, and lists every failed check in order', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const expected = FULL_ORDER.filter((r) => failedChecks(req).has(r));
        const d = decide(req);
        if (expected.length === 0) {
          expect(d.granted).toBe(true);
        } else {
          expect(d).toEqual({ granted: false, reason: expected[0], reasons: expected });
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never answers invalid_request (the transport’s), and asks for a supervisor only on a supervised machine', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const d = decide(req);
        expect(d.reason).not.toBe('invalid_request');
        if (!d.granted && d.reasons.includes('supervisor_required')) {
          expect(req.machine?.requiresSupervisor).toBe(true);
          expect(req.supervised).not.toBe(true);
        }
      }),
    );
  });

  /** Requests that are mostly granted: every pricing field, the floor, supervision and check vary. */
  const pricedArb: fc.Arbitrary<AccessRequest> = fc
    .record({
      pricePerMinuteCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })),
      minimumChargeCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 })),
      sessionFeeCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 })),
      idlePricePerMinuteCents: fc.option(fc.integer({ min: 0, max: 300 }), { nil: null }),
      overdraftLimitCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 })),
      maxSessionSeconds: fc.option(fc.integer({ min: 1, max: 36_000 }), { nil: null }),
      creditPolicy: fc.constantFrom(...CREDIT_POLICIES),
      requiresSupervisor: fc.boolean(),
      checkPending: fc.boolean(),
    })
    .chain((m) =>
      fc.record({
        machine: fc.constant(machine(m)),
        balanceCents: fc.oneof(fc.integer({ min: -2000, max: 5000 }), fc.integer({ min: 0, max: 5_000_000 })),
        supervised: fc.boolean(),
      }),
    )
    .map((over) => request(over));

  it('a grant never promises more time than the credit pays for (fee, minimum and overdraft included)', () => {
    let grants = 0;
    fc.assert(
      fc.property(fc.oneof(requestArb, pricedArb), (req) => {
        const d = decide(req);
        if (!d.granted || req.machine === null) return;
        grants++;
        const m = req.machine;
        const credit = req.balanceCents + m.overdraftLimitCents;
        const free = sessionCharge(Number.MAX_SAFE_INTEGER / 2, m) === 0;
        if (d.maxSeconds === null) {
          // unlimited only when running time costs nothing and there is no session cap
          expect(m.pricePerMinuteCents).toBe(0);
          expect(m.maxSessionSeconds).toBeNull();
          if (!free) expect(sessionCharge(366 * 86_400, m)).toBeLessThanOrEqual(credit);
          return;
        }
        expect(Number.isSafeInteger(d.maxSeconds)).toBe(true);
        expect(d.maxSeconds).toBeGreaterThanOrEqual(0);
        if (m.maxSessionSeconds !== null) expect(d.maxSeconds).toBeLessThanOrEqual(m.maxSessionSeconds);
        // maxSeconds of running (no idle) never costs more than the credit available
        if (!free) expect(sessionCharge(d.maxSeconds, m)).toBeLessThanOrEqual(credit);
        if (m.pricePerMinuteCents > 0) {
          // a grant pays for at least one minute (the credit needed to start)
          if (m.maxSessionSeconds === null || m.maxSessionSeconds >= 60) {
            expect(d.maxSeconds).toBeGreaterThanOrEqual(60);
          }
          // the next whole minute would cross the floor, unless the session cap stopped us first
          if (d.maxSeconds !== m.maxSessionSeconds) {
            expect(sessionCharge(d.maxSeconds + 1, m)).toBeGreaterThan(credit);
          }
        }
      }),
      { numRuns: 3000 },
    );
    // the property is about grants: make sure it saw many
    expect(grants).toBeGreaterThan(300);
  });

  it.each([
    { why: 'the issue’s case: fee 200, 50 c/min, 500 c', fee: 200, price: 50, min: 0, credit: 500, max: 360 },
    {
      why: 'fee and minimum: the minimum covers the fee',
      fee: 200,
      price: 50,
      min: 400,
      credit: 500,
      max: 360,
    },
    { why: 'credit below the fee alone', fee: 600, price: 0, min: 0, credit: 500, max: 0 },
    { why: 'flat fee, free minutes: unlimited', fee: 300, price: 0, min: 0, credit: 500, max: null },
    { why: 'no fee: the SPEC formula', fee: 0, price: 50, min: 100, credit: 500, max: 600 },
    { why: 'a minimum above the credit', fee: 0, price: 50, min: 600, credit: 500, max: 0 },
  ])('affordableSeconds: $why → $max', ({ fee, price, min, credit, max }) => {
    const m = machine({ sessionFeeCents: fee, pricePerMinuteCents: price, minimumChargeCents: min });
    expect(affordableSeconds(m, credit)).toBe(max);
    if (max !== null && max > 0) expect(sessionCharge(max, m)).toBeLessThanOrEqual(credit);
  });

  /** Each fault breaks one input of an otherwise granted request. */
  const FAULTS: ReadonlyArray<[string, (r: AccessRequest) => AccessRequest]> = [
    ['badge missing', (r) => ({ ...r, badge: null })],
    ['member missing', (r) => ({ ...r, member: null })],
    ['machine missing', (r) => ({ ...r, machine: null })],
    ['badge lost', (r) => ({ ...r, badge: { status: 'lost' } })],
    ['badge revoked', (r) => ({ ...r, badge: { status: 'revoked' } })],
    ['member suspended', (r) => ({ ...r, member: member({ status: 'suspended' }) })],
    ['member expired', (r) => ({ ...r, member: member({ status: 'expired' }) })],
    ['membership over', (r) => ({ ...r, member: member({ membershipValidUntil: at(-1) }) })],
    ['machine in maintenance', (r) => ({ ...r, machine: machine({ state: 'maintenance' }) })],
    ['machine locked out', (r) => ({ ...r, machine: machine({ state: 'locked_out' }) })],
    ['busy', (r) => ({ ...r, openSession: { memberId: 'someone-else' } })],
    ['no certifications', (r) => ({ ...r, certifications: [] })],
    ['certification expired', (r) => ({ ...r, certifications: [cert('laser', { expiresAt: at(-1) })] })],
    ['certification revoked', (r) => ({ ...r, certifications: [cert('laser', { revokedAt: at(-1) })] })],
    ['no credit', (r) => ({ ...r, balanceCents: 0 })],
    ['NaN balance', (r) => ({ ...r, balanceCents: Number.NaN })],
  ];

  it('deny by default: any missing or invalid input, alone or combined, is refused with a reason', () => {
    fc.assert(
      fc.property(
        fc.subarray([...FAULTS], { minLength: 1 }),
        fc.integer({ min: 100, max: 10_000 }),
        (faults, balanceCents) => {
          const req = faults.reduce((r, [, fault]) => fault(r), request({ balanceCents }));
          const d = denial(decide(req));
          expect(d.reasons.length).toBeGreaterThan(0);
          expect(new Set(d.reasons).size).toBe(d.reasons.length);
          expect(d.reason).toBe(d.reasons[0]);
        },
      ),
    );
  });
});
