import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from './access.ts';
import type { Pricing } from './domain.ts';
import { type MeterState, type MeterStep, meter, sessionCharge } from './metering.ts';

const LASER: Pricing = { pricePerMinuteCents: 50, minimumChargeCents: 100 };
const PER_MINUTE: Pricing = { pricePerMinuteCents: 30, minimumChargeCents: 0 };
const FREE: Pricing = { pricePerMinuteCents: 0, minimumChargeCents: 0 };
const FLAT: Pricing = { pricePerMinuteCents: 0, minimumChargeCents: 250 };

describe('sessionCharge (SPEC §3: max(minimum, ceil(s / 60) × price))', () => {
  it.each([
    { seconds: 0, pricing: LASER, charge: 100, why: '0 s → the minimum' },
    { seconds: 0, pricing: PER_MINUTE, charge: 0, why: '0 s, no minimum → 0' },
    { seconds: 1, pricing: PER_MINUTE, charge: 30, why: '1 s → one whole minute' },
    { seconds: 60, pricing: PER_MINUTE, charge: 30, why: '60 s → 1 minute' },
    { seconds: 61, pricing: PER_MINUTE, charge: 60, why: '61 s → 2 minutes' },
    { seconds: 120, pricing: PER_MINUTE, charge: 60, why: '120 s → 2 minutes' },
    { seconds: 125, pricing: LASER, charge: 150, why: '125 s at 50 c/min, minimum 100 → 3 min = 150' },
    { seconds: 60, pricing: LASER, charge: 100, why: 'the minimum wins over 1 minute' },
    { seconds: 120, pricing: LASER, charge: 100, why: 'the minimum equals 2 minutes' },
    { seconds: 121, pricing: LASER, charge: 150, why: 'just past the minimum' },
    { seconds: 3600, pricing: LASER, charge: 3000, why: 'one hour' },
    { seconds: 0, pricing: FREE, charge: 0, why: 'price 0 and minimum 0 → 0' },
    { seconds: 100_000, pricing: FREE, charge: 0, why: 'free stays free' },
    { seconds: 100_000, pricing: FLAT, charge: 250, why: 'flat fee (price 0) is the minimum' },
    { seconds: -5, pricing: LASER, charge: 100, why: 'negative seconds count as 0' },
  ])('$why', ({ seconds, pricing, charge }) => {
    expect(sessionCharge(seconds, pricing)).toBe(charge);
  });
});

/** Every pricing field (issue #10): price, minimum, session fee, idle price (absent, 0 or its own). */
const pricingArb: fc.Arbitrary<Pricing> = fc.record({
  pricePerMinuteCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500 })),
  minimumChargeCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 })),
  sessionFeeCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 })),
  idlePricePerMinuteCents: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })), {
    nil: null,
  }),
});
/** Small values collide often, so sequences carry duplicates; large ones span hours. */
const secondsArb = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 366 * 24 * 3600 }));
/** Idle seconds of an event: none (a device without unlockedSeconds), a little, or hours. */
const idleArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 200 }),
  fc.integer({ min: 0, max: 86_400 }),
);
type Observation = readonly [running: number, idle: number];
/** Runtime observations as delivered: any order, each possibly repeated (at-least-once). */
const observationsArb: fc.Arbitrary<Observation[]> = fc
  .array(fc.tuple(secondsArb, idleArb), { minLength: 1, maxLength: 40 })
  .chain((xs) => fc.shuffledSubarray(xs).map((again) => [...xs, ...again]))
  .chain((xs) => fc.shuffledSubarray(xs, { minLength: xs.length }));
const maxRunning = (xs: readonly Observation[]) => Math.max(...xs.map(([r]) => r));
const maxIdle = (xs: readonly Observation[]) => Math.max(...xs.map(([, i]) => i));
/** The card's room above its floor at the start: balance + overdraft (any floor, any balance). */
const availableArb = fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 5_000_000 }));

/** Feeds the observations through meter() as the metering loop does; `budget` is balance + overdraft at start. */
function run(
  observations: readonly Observation[],
  pricing: Pricing,
  budget: number,
): { steps: MeterStep[]; state: MeterState } {
  let state: MeterState = { runningSeconds: 0, chargedCents: 0, idleSeconds: 0 };
  const steps: MeterStep[] = [];
  for (const [seconds, idle] of observations) {
    const step = meter(state, seconds, pricing, budget - state.chargedCents, idle);
    steps.push(step);
    state = {
      runningSeconds: step.runningSeconds,
      idleSeconds: step.idleSeconds,
      chargedCents: state.chargedCents + step.debitCents,
    };
  }
  return { steps, state };
}

describe('sessionCharge: properties', () => {
  it('is at least the minimum and the fee, a whole number of cents, and monotone in running and idle', () => {
    fc.assert(
      fc.property(pricingArb, secondsArb, secondsArb, idleArb, idleArb, (pricing, a, b, i, j) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const [ilo, ihi] = i <= j ? [i, j] : [j, i];
        const c = sessionCharge(lo, pricing, ilo);
        expect(Number.isSafeInteger(c)).toBe(true);
        expect(c).toBeGreaterThanOrEqual(pricing.minimumChargeCents);
        expect(c).toBeGreaterThanOrEqual(pricing.sessionFeeCents ?? 0);
        expect(c).toBeLessThanOrEqual(sessionCharge(hi, pricing, ilo));
        expect(c).toBeLessThanOrEqual(sessionCharge(lo, pricing, ihi));
      }),
    );
  });
});

describe('meter: properties', () => {
  it('with unlimited credit, the debits add up to sessionCharge(max seen) exactly', () => {
    fc.assert(
      fc.property(pricingArb, observationsArb, (pricing, observations) => {
        const { steps, state } = run(observations, pricing, Number.POSITIVE_INFINITY);
        const max = maxRunning(observations);
        expect(state.chargedCents).toBe(sessionCharge(max, pricing, maxIdle(observations)));
        expect(state.runningSeconds).toBe(max);
        let charged = 0;
        for (const step of steps) {
          expect(step.debitCents).toBeGreaterThanOrEqual(0);
          expect(Number.isSafeInteger(step.debitCents)).toBe(true);
          expect(step.exhausted).toBe(false);
          charged += step.debitCents;
          // within each step the session's debits equal the formula at the greatest seconds so far
          expect(charged).toBe(step.dueCents);
          expect(step.dueCents).toBe(sessionCharge(step.runningSeconds, pricing, step.idleSeconds));
        }
      }),
    );
  });

  it('the total does not depend on the order or repetition of events', () => {
    fc.assert(
      fc.property(pricingArb, observationsArb, availableArb, (pricing, observations, available) => {
        const unique = [...new Map(observations.map((o) => [`${o[0]}:${o[1]}`, o])).values()];
        const sorted = unique.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        const reversed = [...observations].reverse();
        for (const budget of [Number.POSITIVE_INFINITY, available]) {
          const total = (xs: readonly Observation[]) => run(xs, pricing, budget).state.chargedCents;
          expect(total(observations)).toBe(total(sorted));
          expect(total(observations)).toBe(total(reversed));
        }
      }),
    );
  });

  it('with limited credit, debits never cross the floor: total = min(available, charge(max))', () => {
    fc.assert(
      fc.property(pricingArb, observationsArb, availableArb, (pricing, observations, available) => {
        const { steps, state } = run(observations, pricing, available);
        const due = sessionCharge(maxRunning(observations), pricing, maxIdle(observations));
        expect(state.chargedCents).toBeLessThanOrEqual(available);
        expect(state.chargedCents).toBe(Math.min(available, due));
        let charged = 0;
        for (const step of steps) {
          expect(step.debitCents).toBeGreaterThanOrEqual(0);
          const owed = Math.max(0, step.dueCents - charged);
          expect(step.exhausted).toBe(step.debitCents < owed);
          charged += step.debitCents;
          expect(charged).toBeLessThanOrEqual(available);
          // once exhausted, the whole credit is spent
          if (step.exhausted) expect(charged).toBe(available);
        }
      }),
    );
  });

  it('a grant’s maxSeconds of running never costs more than the credit: no exhaustion before it', () => {
    // The machine as decide sees it, with every pricing field and any overdraft floor.
    const machineArb = fc
      .tuple(
        pricingArb,
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 })),
        fc.option(fc.integer({ min: 1, max: 36_000 }), { nil: null }),
      )
      .map(([pricing, overdraftLimitCents, maxSessionSeconds]) => ({
        ...pricing,
        id: 'm',
        state: 'available' as const,
        requiredQualifications: [],
        overdraftLimitCents,
        creditPolicy: 'lock' as const,
        maxSessionSeconds,
      }));
    fc.assert(
      fc.property(
        machineArb,
        fc.integer({ min: -3000, max: 200_000 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (m, balanceCents, cuts) => {
          const granted = decide({
            now: new Date(0),
            badge: { status: 'active' },
            member: { id: 'a', name: 'A', status: 'active', membershipValidUntil: null },
            machine: m,
            certifications: [],
            balanceCents,
            openSession: null,
          });
          if (!granted.granted || granted.maxSeconds === null) return;
          const max = granted.maxSeconds;
          const available = balanceCents + m.overdraftLimitCents;
          // runtime events up to maxSeconds, in any order, without idle time
          const observations: Observation[] = [
            [0, 0],
            ...cuts.map((c) => [c % (max + 1), 0] as const),
            [max, 0],
          ];
          const { steps, state } = run(observations, m, available);
          for (const step of steps) expect(step.exhausted).toBe(false);
          expect(state.chargedCents).toBe(sessionCharge(max, m));
          // a free machine debits nothing, whatever the balance; a priced one stays above the floor
          expect(state.chargedCents).toBeLessThanOrEqual(Math.max(0, available));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('debits are monotone: seconds, amount due and total charged never go down', () => {
    fc.assert(
      fc.property(
        pricingArb,
        observationsArb,
        fc.option(availableArb, { nil: null }),
        (pricing, observations, available) => {
          const { steps } = run(observations, pricing, available ?? Number.POSITIVE_INFINITY);
          let previous: MeterStep | undefined;
          let charged = 0;
          for (const step of steps) {
            const before = charged;
            charged += step.debitCents;
            expect(charged).toBeGreaterThanOrEqual(before);
            if (previous !== undefined) {
              expect(step.runningSeconds).toBeGreaterThanOrEqual(previous.runningSeconds);
              expect(step.idleSeconds).toBeGreaterThanOrEqual(previous.idleSeconds);
              expect(step.dueCents).toBeGreaterThanOrEqual(previous.dueCents);
            }
            previous = step;
          }
        },
      ),
    );
  });

  it('a card already at or below its floor is debited nothing and reported exhausted', () => {
    fc.assert(
      fc.property(
        pricingArb,
        secondsArb,
        idleArb,
        fc.integer({ min: -5000, max: 0 }),
        (pricing, seconds, idle, available) => {
          const step = meter({ runningSeconds: 0, chargedCents: 0 }, seconds, pricing, available, idle);
          expect(step.debitCents).toBe(0);
          expect(step.exhausted).toBe(step.dueCents > 0);
        },
      ),
    );
  });

  it('a stale event (fewer seconds than seen) debits nothing', () => {
    const state = { runningSeconds: 300, chargedCents: sessionCharge(300, LASER) };
    expect(meter(state, 120, LASER, 10_000)).toEqual({
      runningSeconds: 300,
      idleSeconds: 0,
      dueCents: 250,
      debitCents: 0,
      exhausted: false,
    });
  });

  it('the example from SPEC §3: 125 s at 50 c/min, minimum 100, debited live', () => {
    const s0: MeterState = { runningSeconds: 0, chargedCents: 0 };
    const a = meter(s0, 30, LASER, 1000);
    expect(a).toEqual({
      runningSeconds: 30,
      idleSeconds: 0,
      dueCents: 100,
      debitCents: 100,
      exhausted: false,
    });
    const s1 = { runningSeconds: 30, chargedCents: 100 };
    const b = meter(s1, 125, LASER, 900);
    expect(b).toEqual({
      runningSeconds: 125,
      idleSeconds: 0,
      dueCents: 150,
      debitCents: 50,
      exhausted: false,
    });
  });

  it('a card running dry mid-session is debited to the floor and exhausted', () => {
    const step = meter({ runningSeconds: 120, chargedCents: 100 }, 600, LASER, 120);
    expect(step).toEqual({
      runningSeconds: 600,
      idleSeconds: 0,
      dueCents: 500,
      debitCents: 120,
      exhausted: true,
    });
  });
});

describe('issue #6: idle minutes and a session fee', () => {
  const PRINTER = {
    pricePerMinuteCents: 10,
    minimumChargeCents: 0,
    idlePricePerMinuteCents: 2,
    sessionFeeCents: 50,
  };

  it.each([
    [0, 0, 50],
    [60, 0, 60],
    [61, 0, 70],
    [60, 60, 62],
    [60, 61, 64],
  ])('%i s running and %i s idle cost %i c', (running, idle, cents) => {
    expect(sessionCharge(running, PRINTER, idle)).toBe(cents);
  });

  it('idle minutes default to the running price; no fee and no idle time is the SPEC formula', () => {
    expect(sessionCharge(60, { pricePerMinuteCents: 10, minimumChargeCents: 0 }, 60)).toBe(20);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (s) => {
        expect(sessionCharge(s, LASER, 0)).toBe(sessionCharge(s, LASER));
      }),
    );
  });

  it('events in any order, with duplicates, bill the latest (running, idle) pair exactly', () => {
    // A session's events: running and idle both only grow; each event carries one pair.
    const pairs = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 600 })), {
        minLength: 1,
        maxLength: 20,
      })
      .map((steps) => {
        let r = 0;
        let i = 0;
        return steps.map(([dr, di]) => {
          r += dr;
          i += di;
          return [r, i] as const;
        });
      });
    fc.assert(
      fc.property(pairs, fc.func(fc.integer()), (events, order) => {
        const shuffled = [...events, ...events].sort((a, b) => order(a) - order(b));
        let state: MeterState = { runningSeconds: 0, chargedCents: 0, idleSeconds: 0 };
        for (const [r, i] of shuffled) {
          const step = meter(state, r, PRINTER, Number.MAX_SAFE_INTEGER, i);
          expect(step.debitCents).toBeGreaterThanOrEqual(0);
          state = {
            runningSeconds: step.runningSeconds,
            idleSeconds: step.idleSeconds,
            chargedCents: state.chargedCents + step.debitCents,
          };
        }
        const [lastR, lastI] = events.at(-1)!;
        expect(state.chargedCents).toBe(sessionCharge(lastR, PRINTER, lastI));
      }),
    );
  });
});
