/**
 * Cumulative running time of one session (SPEC §2 `runningSeconds`): the time the machine
 * actually ran, not the time it was unlocked. Fed with the running input's transitions and
 * the clock; pure.
 */
export class RunningMeter {
  #accumulatedMs = 0;
  #runningSinceMs: number | null = null;

  constructor(running: boolean, nowMs: number) {
    if (running) this.#runningSinceMs = nowMs;
  }

  set(running: boolean, nowMs: number): void {
    if (running && this.#runningSinceMs === null) this.#runningSinceMs = nowMs;
    if (!running && this.#runningSinceMs !== null) {
      this.#accumulatedMs += Math.max(0, nowMs - this.#runningSinceMs);
      this.#runningSinceMs = null;
    }
  }

  get running(): boolean {
    return this.#runningSinceMs !== null;
  }

  /** Whole seconds run so far (floored: the server rounds the bill up to the minute). */
  seconds(nowMs: number): number {
    const live = this.#runningSinceMs === null ? 0 : Math.max(0, nowMs - this.#runningSinceMs);
    return Math.floor((this.#accumulatedMs + live) / 1000);
  }
}
