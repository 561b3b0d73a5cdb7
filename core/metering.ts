/**
 * Metering (SPEC §3 "Charge of a session"): the charge is a function of the greatest
 * runningSeconds seen; live debits are the difference between that charge and what the
 * session has already been debited, capped by the card's floor.
 */
import type { Pricing } from './domain.ts';

/**
 * SPEC §3: max(minimum, ceil(running/60) × price). Issue #6 adds a fixed session fee and
 * idle minutes (unlocked but not running) at their own price; both are 0 for a device that
 * reports no `unlockedSeconds` and a machine with no fee, which leaves the SPEC formula.
 */
export function sessionCharge(runningSeconds: number, pricing: Pricing, idleSeconds = 0): number {
  const minutes = Math.ceil(Math.max(0, runningSeconds) / 60);
  const idleMinutes = Math.ceil(Math.max(0, idleSeconds) / 60);
  const idlePrice = pricing.idlePricePerMinuteCents ?? pricing.pricePerMinuteCents;
  const variable =
    (pricing.sessionFeeCents ?? 0) + minutes * pricing.pricePerMinuteCents + idleMinutes * idlePrice;
  return Math.max(pricing.minimumChargeCents, variable);
}

export interface MeterState {
  /** greatest runningSeconds seen so far */
  runningSeconds: number;
  /**
   * greatest idle time (unlockedSeconds − runningSeconds of one event) seen so far: both
   * only grow during a session, so the greatest of each is the latest, in any order.
   */
  idleSeconds?: number;
  /** total debited so far */
  chargedCents: number;
}

export interface MeterStep {
  runningSeconds: number;
  idleSeconds: number;
  /** what the formula says the session owes */
  dueCents: number;
  /** the debit to post now (never negative) */
  debitCents: number;
  /** true when the card's floor stopped the debit short of what is due */
  exhausted: boolean;
}

/**
 * Applies one runtime/end observation. `availableCents` is balance + overdraft limit: the
 * most that may be debited now without crossing the floor.
 */
export function meter(
  state: MeterState,
  observedSeconds: number,
  pricing: Pricing,
  availableCents: number,
  observedIdleSeconds = 0,
): MeterStep {
  const runningSeconds = Math.max(state.runningSeconds, observedSeconds);
  const idleSeconds = Math.max(state.idleSeconds ?? 0, observedIdleSeconds);
  const dueCents = sessionCharge(runningSeconds, pricing, idleSeconds);
  const owed = Math.max(0, dueCents - state.chargedCents);
  const debitCents = Math.max(0, Math.min(owed, availableCents));
  return { runningSeconds, idleSeconds, dueCents, debitCents, exhausted: debitCents < owed };
}
