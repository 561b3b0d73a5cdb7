/**
 * The deterministic simulation in `npm test` (issue #10): a few hundred seeds of boards,
 * members and faults over the real handlers and the real database. `npm run chaos` runs
 * thousands; a failing seed replays with `npm run chaos -- --seed N`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../support/test-app.ts';
import { prepareContext, runSeed, type SimContext } from './sim.ts';

const SEEDS = Number(process.env.SIM_SEEDS ?? 200);
let t: TestApp;
let ctx: SimContext;

beforeAll(async () => {
  t = await testApp();
  ctx = await prepareContext(t);
});
afterAll(async () => {
  await t?.close();
});

describe('deterministic simulation of the machine loop', () => {
  it(`keeps every invariant over ${SEEDS} seeds`, { timeout: 600_000 }, async () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SEEDS && failures.length === 0; seed++) {
      try {
        await runSeed(ctx, seed, { steps: 40, faultRate: 0.15 });
      } catch (err) {
        failures.push(`${(err as Error).message} (replay: npm run chaos -- --seed ${seed})`);
      }
    }
    expect(failures).toEqual([]);
  });
});
