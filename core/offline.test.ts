import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemberView } from './domain.ts';
import { sessionCharge } from './metering.ts';
import {
  creditToStart,
  decideOffline,
  type OfflineEligibilityInput,
  type OfflineListBody,
  offlineBudgetSpent,
  offlineEligibility,
} from './offline.ts';

const hmac = (salt: string, uid: string) =>
  createHmac('sha256', Buffer.from(salt, 'hex')).update(uid).digest('hex');
const NOW = Date.parse('2026-06-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const SALT = '00112233445566778899aabbccddeeff';

function list(extra: Partial<OfflineListBody> = {}, credit: number | null = 500): OfflineListBody {
  return {
    version: 1,
    machineId: 'laser-1',
    issuedAt: iso(NOW - 60_000),
    validUntil: iso(NOW + 3600_000),
    maxOfflineSessionSeconds: 3600,
    pricePerMinuteCents: 50,
    minimumChargeCents: 0,
    salt: SALT,
    entries: [
      {
        badge: hmac(SALT, '04A3B2C1').toUpperCase(),
        name: 'Camille',
        until: iso(NOW + 600_000),
        creditCents: credit,
      },
    ],
    ...extra,
  };
}

describe('decideOffline', () => {
  it.each([
    ['no list', null, '04A3B2C1', NOW, { granted: false, reason: 'no_list' }],
    ['list past validUntil', list(), '04A3B2C1', NOW + 3600_000, { granted: false, reason: 'list_expired' }],
    ['unknown badge', list(), 'DEADBEEF', NOW, { granted: false, reason: 'unknown_badge' }],
    ['entry past until', list(), '04A3B2C1', NOW + 600_000, { granted: false, reason: 'expired' }],
    [
      'net credit below one minute',
      list({}, 49),
      '04A3B2C1',
      NOW,
      { granted: false, reason: 'insufficient_balance' },
    ],
    [
      'credit for the minimum only',
      list({ minimumChargeCents: 600 }, 500),
      '04A3B2C1',
      NOW,
      { granted: false, reason: 'insufficient_balance' },
    ],
    [
      'granted: 500 c at 50 c/min = 600 s',
      list(),
      '04A3B2C1',
      NOW,
      { granted: true, maxRunningSeconds: 600 },
    ],
    [
      'the credit is net of the session fee: 300 c / 50 = 6 min',
      list({}, 300),
      '04A3B2C1',
      NOW,
      { granted: true, maxRunningSeconds: 360 },
    ],
    [
      'capped by maxOfflineSessionSeconds',
      list({ maxOfflineSessionSeconds: 120 }),
      '04A3B2C1',
      NOW,
      { granted: true, maxRunningSeconds: 120, maxWallSeconds: 120 },
    ],
    [
      'free machine: no credit limit',
      list({ pricePerMinuteCents: 0 }, null),
      '04A3B2C1',
      NOW,
      { granted: true, creditCents: null, maxRunningSeconds: null },
    ],
  ] as const)('%s', (_name, body, uid, now, expected) => {
    expect(decideOffline(body as OfflineListBody | null, uid, now, hmac)).toMatchObject(expected);
  });

  it('carries the issuedAt of the list it decided from', () => {
    const d = decideOffline(list(), '04A3B2C1', NOW, hmac);
    expect(d.granted && d.listIssuedAt).toBe(iso(NOW - 60_000));
  });

  it('server list -> board decision never promises more than the credit pays for (fee 200, 50 c/min, 500 c)', () => {
    const machine = {
      state: 'available' as const,
      pricePerMinuteCents: 50,
      minimumChargeCents: 0,
      sessionFeeCents: 200,
      overdraftLimitCents: 0,
    };
    const member = { id: 'm', name: 'C', status: 'active' as const, membershipValidUntil: null };
    const e = offlineEligibility({ now: new Date(NOW), machine, member, certified: true, balanceCents: 500 });
    expect(e).toEqual({ eligible: true, creditCents: 300 });
    const d = decideOffline(list({}, e.eligible ? e.creditCents : null), '04A3B2C1', NOW, hmac);
    expect(d).toMatchObject({ granted: true, maxRunningSeconds: 360 });
    if (!d.granted || d.maxRunningSeconds === null) throw new Error('granted expected');
    expect(sessionCharge(d.maxRunningSeconds, machine)).toBe(500);
  });

  it('property: whatever the prices and credit, an offline session bills at most the credit', () => {
    fc.assert(
      fc.property(
        fc.record({
          fee: fc.integer({ min: 0, max: 1000 }),
          price: fc.integer({ min: 0, max: 300 }),
          idle: fc.option(fc.integer({ min: 0, max: 300 }), { nil: null }),
          minimum: fc.integer({ min: 0, max: 2000 }),
          balance: fc.integer({ min: -500, max: 20_000 }),
          overdraft: fc.integer({ min: 0, max: 1000 }),
          runningShare: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        (x) => {
          const machine = {
            state: 'available' as const,
            pricePerMinuteCents: x.price,
            minimumChargeCents: x.minimum,
            sessionFeeCents: x.fee,
            idlePricePerMinuteCents: x.idle,
            overdraftLimitCents: x.overdraft,
          };
          const member = { id: 'm', name: 'C', status: 'active' as const, membershipValidUntil: null };
          const e = offlineEligibility({
            now: new Date(NOW),
            machine,
            member,
            certified: true,
            balanceCents: x.balance,
          });
          if (!e.eligible || e.creditCents === null) return;
          // The list as the server publishes it; a board that knows the idle price only from the
          // contract's future field is modelled by passing it along.
          const body = {
            ...list({ pricePerMinuteCents: x.price, minimumChargeCents: x.minimum }, e.creditCents),
            idlePricePerMinuteCents: x.idle,
          };
          const d = decideOffline(body, '04A3B2C1', NOW, hmac);
          if (!d.granted) return;
          // Run second by second, running or idle, until the board says the budget is spent.
          let running = 0;
          let unlocked = 0;
          for (let t = 0; t < 4 * 3600; t++) {
            const isRunning = (t * 0.618) % 1 < x.runningShare;
            if (d.maxRunningSeconds !== null && running >= d.maxRunningSeconds) break;
            if (offlineBudgetSpent(d.pricing, d.creditCents, running, unlocked, isRunning)) break;
            unlocked++;
            if (isRunning) running++;
          }
          const billed = sessionCharge(running, machine, unlocked - running);
          expect(billed).toBeLessThanOrEqual(x.balance + x.overdraft);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('offlineBudgetSpent', () => {
  const pricing = {
    pricePerMinuteCents: 50,
    minimumChargeCents: 0,
    sessionFeeCents: 200,
    idlePricePerMinuteCents: 20,
  };
  it.each([
    // running s, unlocked s, running now?, spent?
    [0, 0, true, false],
    [359, 359, true, false], // 200 + 6 × 50 = 500
    [360, 360, true, true], // one more running second would bill 550
    [359, 359, false, true], // one idle second would bill 520
    [300, 359, false, false], // 200 + 5 × 50 + 1 × 20 = 470
    [300, 359, true, true], // 200 + 6 × 50 + 20 = 520
    [300, 420, false, true], // 2 idle minutes: 490; a third -> 510
  ] as const)('running %i s, unlocked %i s, running now %s -> spent %s', (running, unlocked, now, spent) => {
    expect(offlineBudgetSpent(pricing, 500, running, unlocked, now)).toBe(spent);
  });
  it('a free session never runs out', () => {
    expect(offlineBudgetSpent(pricing, null, 10 ** 6, 10 ** 6, true)).toBe(false);
  });
});

describe('offlineEligibility', () => {
  const member: MemberView = { id: 'm', name: 'Camille', status: 'active', membershipValidUntil: null };
  const base: OfflineEligibilityInput = {
    now: new Date(NOW),
    machine: {
      state: 'available',
      pricePerMinuteCents: 50,
      minimumChargeCents: 0,
      sessionFeeCents: 200,
      overdraftLimitCents: 0,
    },
    member,
    certified: true,
    balanceCents: 500,
  };
  it.each([
    ['eligible with its credit, net of the session fee', {}, { eligible: true, creditCents: 300 }],
    [
      'machine in maintenance',
      { machine: { ...base.machine, state: 'maintenance' } },
      { eligible: false, reason: 'machine_unavailable' },
    ],
    [
      'supervised machine',
      { machine: { ...base.machine, requiresSupervisor: true } },
      { eligible: false, reason: 'supervisor_required' },
    ],
    [
      'post-use check pending',
      { machine: { ...base.machine, checkPending: true } },
      { eligible: false, reason: 'check_required' },
    ],
    [
      'suspended member',
      { member: { ...member, status: 'suspended' } },
      { eligible: false, reason: 'member_inactive' },
    ],
    ['not certified', { certified: false }, { eligible: false, reason: 'not_certified' }],
    [
      'credit below fee + one minute',
      { balanceCents: 249 },
      { eligible: false, reason: 'insufficient_balance' },
    ],
    [
      'overdraft counts as credit',
      { balanceCents: 0, machine: { ...base.machine, overdraftLimitCents: 250 } },
      { eligible: true, creditCents: 50 },
    ],
    [
      'free machine: no credit needed',
      { balanceCents: -5, machine: { ...base.machine, pricePerMinuteCents: 0, sessionFeeCents: 0 } },
      { eligible: true, creditCents: null },
    ],
  ] as const)('%s', (_name, patch, expected) => {
    expect(offlineEligibility({ ...base, ...(patch as Partial<OfflineEligibilityInput>) })).toEqual(expected);
  });
  it('creditToStart: the minimum charge or fee + one minute, whichever is more', () => {
    expect(creditToStart({ pricePerMinuteCents: 50, minimumChargeCents: 100, sessionFeeCents: 0 })).toBe(100);
    expect(creditToStart({ pricePerMinuteCents: 50, minimumChargeCents: 100, sessionFeeCents: 200 })).toBe(
      250,
    );
  });
});
