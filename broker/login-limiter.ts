/**
 * Failed-login throttling for the broker (SPEC §2: "Failed logins are throttled, but a client
 * that presents its right secret is never refused because of other clients' failures").
 * Pure bookkeeping with an injected clock: no timers, no I/O.
 *
 * Two mechanisms, neither of which ever turns a right secret away:
 *
 * - Failures are slowed down, not blocked. Failures are counted per address + username pair
 *   (and, more loosely, per address); past a few free ones, the CONNACK refusal of each further
 *   failure is held back by a delay that doubles up to a cap. A right secret is checked and
 *   accepted at once whatever the counts say, so a board is never locked out by someone trying
 *   its name from elsewhere, nor by a misconfigured neighbour behind the same NAT address.
 * - Credential checks are budgeted per address (a token bucket: a burst, then a steady rate).
 *   An attempt over the budget waits its turn instead of being refused, so a flood of bad
 *   logins from one address costs the server at most `verifyPerSecond` checks a second. Only
 *   when an address has queued more than `maxVerifyWaitMs` of checks is the attempt answered
 *   "server unavailable" (CONNACK 3): that is load shedding, which no failure count triggers.
 */

export interface LoginLimits {
  /** failures of one address + username pair refused without delay; later ones are slowed */
  freePairFailures: number;
  /** failures from one address (any usernames) refused without delay */
  freeAddressFailures: number;
  /** delay of the first slowed refusal, doubled at each further failure */
  baseDelayMs: number;
  /** longest delay of a refusal */
  maxDelayMs: number;
  /** a pair or address with no failure for this long starts afresh */
  windowMs: number;
  /** credential checks one address may have at once, before the steady rate applies */
  verifyBurst: number;
  /** credential checks per second one address may have, steadily */
  verifyPerSecond: number;
  /** an attempt that would wait longer than this for its check is answered CONNACK 3 */
  maxVerifyWaitMs: number;
  /** bound on tracked pairs and addresses, so a flood of distinct names cannot grow memory */
  maxKeys: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  freePairFailures: 3,
  freeAddressFailures: 20,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  windowMs: 10 * 60_000,
  verifyBurst: 50,
  verifyPerSecond: 20,
  maxVerifyWaitMs: 10_000,
  maxKeys: 10_000,
};

interface Failures {
  count: number;
  last: number;
}

export class LoginLimiter {
  readonly #limits: LoginLimits;
  readonly #now: () => number;
  // Maps keep insertion order: the first entries are the least recently touched, evicted first.
  readonly #pairs = new Map<string, Failures>();
  readonly #addresses = new Map<string, Failures>();
  /** per address: the theoretical arrival time of the next check (GCRA token bucket) */
  readonly #budgets = new Map<string, number>();

  constructor(limits: Partial<LoginLimits> = {}, now: () => number = Date.now) {
    this.#limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.#now = now;
  }

  /**
   * Reserves a credential check for an attempt from `address`: how many ms to wait before
   * checking (0: now), or null when the address has too many checks queued (refuse, code 3).
   */
  reserveCheck(address: string): number | null {
    const now = this.#now();
    const interval = 1000 / this.#limits.verifyPerSecond;
    const tolerance = (this.#limits.verifyBurst - 1) * interval;
    const tat = Math.max(this.#budgets.get(address) ?? now, now);
    const wait = Math.max(0, tat - tolerance - now);
    if (wait > this.#limits.maxVerifyWaitMs) return null;
    touch(this.#budgets, address, tat + interval);
    this.#evict(this.#budgets);
    return wait;
  }

  /** Records a failed login and returns how long to hold its refusal back (ms). */
  recordFailure(address: string, username: string): number {
    const now = this.#now();
    const pair = this.#bump(this.#pairs, pairKey(address, username), now);
    const addr = this.#bump(this.#addresses, address, now);
    const { freePairFailures, freeAddressFailures } = this.#limits;
    return Math.max(this.#delay(pair - freePairFailures), this.#delay(addr - freeAddressFailures));
  }

  /** A right secret clears its pair's failures (the address's stay: others may share it). */
  recordSuccess(address: string, username: string): void {
    this.#pairs.delete(pairKey(address, username));
  }

  /** Failures currently counted for a pair (tests, logs). */
  pairFailures(address: string, username: string): number {
    const f = this.#pairs.get(pairKey(address, username));
    return f && this.#now() - f.last <= this.#limits.windowMs ? f.count : 0;
  }

  get size(): number {
    return this.#pairs.size + this.#addresses.size + this.#budgets.size;
  }

  #bump(map: Map<string, Failures>, key: string, now: number): number {
    const previous = map.get(key);
    const count = previous && now - previous.last <= this.#limits.windowMs ? previous.count + 1 : 1;
    touch(map, key, { count, last: now });
    this.#evict(map);
    return count;
  }

  /** 0 for the free failures, then baseDelayMs doubled per failure, capped. */
  #delay(over: number): number {
    if (over <= 0) return 0;
    const { baseDelayMs, maxDelayMs } = this.#limits;
    return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(over - 1, 30));
  }

  #evict<V>(map: Map<string, V>): void {
    // Over the bound, forget the least recently touched keys: memory is the harder limit.
    for (const key of map.keys()) {
      if (map.size <= this.#limits.maxKeys) break;
      map.delete(key);
    }
  }
}

function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key); // re-insert: most recently touched goes last
  map.set(key, value);
}

/** A newline cannot appear in an address, so the pair key is unambiguous. */
function pairKey(address: string, username: string): string {
  return `${address}\n${username}`;
}
