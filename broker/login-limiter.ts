/**
 * Failed-login throttling for the broker (SPEC §2: wrong credentials are refused and logged;
 * a device secret must not be guessable by hammering CONNECT). Pure bookkeeping with an
 * injected clock: no timers, no I/O.
 *
 * Each key (`ip:1.2.3.4`, `user:dev-42`) keeps the times of its recent failures. Once a key has
 * `maxFailures` failures within `windowMs`, it is blocked for `blockMs`, and the broker refuses
 * logins on it without asking the credential store.
 */

export interface LoginLimits {
  maxFailures: number;
  windowMs: number;
  blockMs: number;
  /** Bound on tracked keys, so a flood of distinct usernames cannot grow memory without limit. */
  maxKeys: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  maxFailures: 5,
  windowMs: 60_000,
  blockMs: 60_000,
  maxKeys: 10_000,
};

interface KeyState {
  failures: number[];
  blockedUntil: number;
}

export class LoginLimiter {
  readonly #limits: LoginLimits;
  readonly #now: () => number;
  // A Map keeps insertion order: the first entries are the oldest, evicted first.
  readonly #keys = new Map<string, KeyState>();

  constructor(limits: Partial<LoginLimits> = {}, now: () => number = Date.now) {
    this.#limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.#now = now;
  }

  /** The first of `keys` that is blocked now, or null when a login attempt may proceed. */
  blocked(keys: readonly string[]): string | null {
    const now = this.#now();
    for (const key of keys) {
      const state = this.#keys.get(key);
      if (state && state.blockedUntil > now) return key;
    }
    return null;
  }

  recordFailure(keys: readonly string[]): void {
    const now = this.#now();
    const { maxFailures, windowMs, blockMs } = this.#limits;
    for (const key of keys) {
      const state = this.#keys.get(key) ?? { failures: [], blockedUntil: 0 };
      this.#keys.delete(key); // re-insert below: most recently touched goes last
      state.failures = state.failures.filter((t) => t > now - windowMs);
      state.failures.push(now);
      if (state.failures.length >= maxFailures) {
        state.blockedUntil = now + blockMs;
        state.failures = [];
      }
      this.#keys.set(key, state);
    }
    this.#evict();
  }

  /** A good login clears the key's failures (a device that mistyped nothing is not penalised). */
  recordSuccess(keys: readonly string[]): void {
    const now = this.#now();
    for (const key of keys) {
      const state = this.#keys.get(key);
      if (state && state.blockedUntil <= now) this.#keys.delete(key);
    }
  }

  get size(): number {
    return this.#keys.size;
  }

  #evict(): void {
    // Over the bound, drop the least recently failed keys, blocked or not: memory is the harder limit.
    for (const key of this.#keys.keys()) {
      if (this.#keys.size <= this.#limits.maxKeys) break;
      this.#keys.delete(key);
    }
  }
}
