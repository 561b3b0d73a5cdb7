/**
 * The board's two clocks (issue #10). Durations — running and unlocked seconds, offline
 * deadlines, a lock's grace, the allow-list's remaining validity — are measured on the
 * MONOTONIC clock, which an NTP step cannot move; the WALL clock only stamps `at`/`startedAt`
 * and is read once when an allow-list arrives (controller/offline-list.ts). So a board that
 * booted offline with a wrong date and is then stepped by NTP neither bills the jump (forward)
 * nor loses time (backward).
 */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** ms since the epoch, for stamps only */
  wallMs(): number;
  /** ms on a clock that only moves forward at the rate of real time (origin arbitrary) */
  monoMs(): number;
}

export const systemClock: Clock = {
  wallMs: () => Date.now(),
  monoMs: () => performance.now(),
};

/** One function for both (the older `now` option of tests): wall and monotonic move together. */
export function clockFromNow(now: () => number): Clock {
  return { wallMs: now, monoMs: now };
}

/** A test clock: `advance` moves both clocks (time passes), `stepWall` only the wall (NTP). */
export class FakeClock implements Clock {
  wall: number;
  mono = 1_000_000;

  constructor(wall = Date.now()) {
    this.wall = wall;
  }

  wallMs(): number {
    return this.wall;
  }

  monoMs(): number {
    return this.mono;
  }

  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }

  stepWall(ms: number): void {
    this.wall += ms;
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
