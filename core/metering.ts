/**
 * Metering (SPEC §3 "Charge of a session"): the charge is a function of the greatest
 * runningSeconds seen; live debits are the difference between that charge and what the
 * session has already been debited, capped by the card's floor.
 */
import type { Pricing } from './domain.ts';

export function sessionCharge(runningSeconds: number, pricing: Pricing): number {
  const minutes = Math.ceil(Math.max(0, runningSeconds) / 60);
  return Math.max(pricing.minimumChargeCents, minutes * pricing.pricePerMinuteCents);
}

export interface MeterState {
  /** greatest runningSeconds seen so far */
  runningSeconds: number;
  /** total debited so far */
  chargedCents: number;
}

export interface MeterStep {
  runningSeconds: number;
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
): MeterStep {
  const runningSeconds = Math.max(state.runningSeconds, observedSeconds);
  const dueCents = sessionCharge(runningSeconds, pricing);
  const owed = Math.max(0, dueCents - state.chargedCents);
  const debitCents = Math.max(0, Math.min(owed, availableCents));
  return { runningSeconds, dueCents, debitCents, exhausted: debitCents < owed };
}
