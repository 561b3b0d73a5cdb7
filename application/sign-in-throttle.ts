/**
 * Password sign-in throttle (issue #9): per account (the email typed, whether or not such an
 * account exists, so that a 429 reveals nothing) and per client address, with a growing
 * back-off. Only real password checks that fail count; an attempt refused by the throttle
 * checks no password and counts for nothing.
 *
 * - Account: an attempt reserves one point *before* the password is checked (so that a
 *   parallel flood spends at most `accountAttempts` argon2 hashes); a success gives the
 *   account a fresh start. After `accountAttempts` failures within `windowSeconds` the
 *   account is blocked for `baseBlockSeconds`, then twice as long at each new block within a
 *   day, up to `maxBlockSeconds`. A right password is refused too while it lasts.
 * - Address: counts the DIFFERENT accounts that failed from it within `windowSeconds`
 *   (password spraying), not the attempts: one account's brute force blocks that account,
 *   never everyone behind the lab's NAT. After failures on `addressAccounts` different
 *   accounts, the next new account tried from that address is refused, with the same
 *   growing back-off.
 *
 * The genuine user's way back in: the block ends by itself, and an admin's reset of an
 * account (DELETE /api/v1/staff/{id}/sign-in-throttle, /members/{id}/sign-in-throttle)
 * clears that account's block and takes its failures out of every address's count (which
 * lifts an address block they caused); DELETE /api/v1/auth/sign-in-throttle clears all.
 * State is kept in this process's memory (rate-limiter-flexible): a restart clears it.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface SignInThrottleOptions {
  accountAttempts: number;
  /** different accounts failing from one address within the window before it is blocked */
  addressAccounts: number;
  windowSeconds: number;
  baseBlockSeconds: number;
  maxBlockSeconds: number;
}

export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottleOptions = {
  accountAttempts: 5,
  addressAccounts: 10,
  windowSeconds: 15 * 60,
  baseBlockSeconds: 30,
  maxBlockSeconds: 60 * 60,
};

/** A sign-in refused without checking the password: retry after `retryAfterSeconds`. */
export class SignInThrottled extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly scope: 'account' | 'address',
  ) {
    super(`sign-in throttled (${scope}) for ${retryAfterSeconds} s`);
  }
}

class GrowingBlock {
  readonly #attempts: RateLimiterMemory;
  // how many blocks this key has had in the last day: the next one lasts twice as long
  readonly #strikes: RateLimiterMemory;

  constructor(
    readonly points: number,
    private readonly opts: SignInThrottleOptions,
  ) {
    this.#attempts = new RateLimiterMemory({ points, duration: opts.windowSeconds });
    this.#strikes = new RateLimiterMemory({ points: 1_000_000, duration: 24 * 3600 });
  }

  /** Takes one attempt; the seconds to wait when the key is (now) blocked, else 0. */
  async take(key: string): Promise<number> {
    try {
      await this.#attempts.consume(key);
      return 0;
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      if (e.consumedPoints !== this.points + 1) return Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      // First attempt over the limit: block, longer at each strike.
      const strike = await this.#strikes.consume(key);
      const seconds = Math.min(
        this.opts.baseBlockSeconds * 2 ** Math.min(strike.consumedPoints - 1, 30),
        this.opts.maxBlockSeconds,
      );
      await this.#attempts.block(key, seconds);
      return seconds;
    }
  }

  /** The seconds left when the key is blocked, else 0 (takes nothing). */
  async blockedFor(key: string): Promise<number> {
    const r = await this.#attempts.get(key);
    if (r === null || r.consumedPoints <= this.points) return 0;
    return Math.max(1, Math.ceil(r.msBeforeNext / 1000));
  }

  /** Gives one point back; returns the points still consumed. */
  async giveBack(key: string): Promise<number> {
    return (await this.#attempts.reward(key, 1)).consumedPoints;
  }

  async clear(key: string): Promise<void> {
    await this.#attempts.delete(key);
    await this.#strikes.delete(key);
  }

  /**
   * Takes one counted attempt back. A blocked key (its count past `points`, the refused
   * attempt that started the block included) is unblocked with `points - 1` counted.
   */
  async release(key: string): Promise<void> {
    const r = await this.#attempts.get(key);
    if (r === null) return;
    if (r.consumedPoints <= this.points) await this.#attempts.reward(key, 1);
    else await this.#attempts.set(key, this.points - 1, Math.max(1, Math.ceil(r.msBeforeNext / 1000)));
  }
}

/** An attempt let through: report a right password with `succeeded`. */
export interface SignInTicket {
  readonly account: string;
  readonly address: string;
}

// Bound on the account -> addresses index (only an admin's reset needs it).
const MAX_INDEXED_ACCOUNTS = 100_000;

export class SignInThrottle {
  readonly #opts: SignInThrottleOptions;
  #account!: GrowingBlock;
  #address!: GrowingBlock;
  // one entry per (address, account) pair tried within the window: its first attempt is
  // what the address counts
  #pairs!: RateLimiterMemory;
  // account -> the addresses it counts against (for an admin's reset)
  readonly #addressesOf = new Map<string, Set<string>>();

  constructor(opts: Partial<SignInThrottleOptions> = {}) {
    this.#opts = { ...DEFAULT_SIGN_IN_THROTTLE, ...opts };
    this.#fresh();
  }

  #fresh(): void {
    const o = this.#opts;
    this.#account = new GrowingBlock(o.accountAttempts, o);
    this.#address = new GrowingBlock(o.addressAccounts, o);
    this.#pairs = new RateLimiterMemory({ points: 1_000_000, duration: o.windowSeconds });
    this.#addressesOf.clear();
  }

  static accountKey(email: string): string {
    return email.trim().toLowerCase();
  }

  static #pairKey(address: string, account: string): string {
    return `${address}\u0000${account}`;
  }

  /**
   * Throws SignInThrottled (no password may be checked; the refused attempt counts for
   * nothing) or lets the attempt through, which counts as a failure for the account and
   * the address until `succeeded` says the password was right. Counting before the check
   * bounds the argon2 work of a parallel flood.
   */
  async attempt(email: string, address: string): Promise<SignInTicket> {
    const account = SignInThrottle.accountKey(email);
    const pairKey = SignInThrottle.#pairKey(address, account);
    const knownPair = (await this.#pairs.get(pairKey)) !== null;
    // A blocked address still lets an account that already counts for it be tried (its own
    // limit applies): only new accounts sprayed from there are refused.
    const byAddress = knownPair ? 0 : await this.#address.blockedFor(address);
    if (byAddress > 0) throw new SignInThrottled(byAddress, 'address');
    const byAccount = await this.#account.take(account);
    if (byAccount > 0) throw new SignInThrottled(byAccount, 'account');
    if ((await this.#pairs.consume(pairKey)).consumedPoints === 1) {
      // a new account for this address: the one past the limit is refused and starts the
      // block, and counts for nothing (neither for the account nor as a known pair)
      const byNewAccount = await this.#address.take(address);
      if (byNewAccount > 0) {
        await this.#account.giveBack(account);
        await this.#pairs.delete(pairKey);
        throw new SignInThrottled(byNewAccount, 'address');
      }
      this.#index(account, address);
    }
    return { account, address };
  }

  /** A right password: the account starts afresh and no longer counts for the address. */
  async succeeded(ticket: SignInTicket): Promise<void> {
    await this.#account.clear(ticket.account);
    await this.#forgetPair(ticket.account, ticket.address);
  }

  /**
   * An admin's reset of one account (audited by the caller): ends its block and takes it
   * out of every address's count, which lifts an address block it caused.
   */
  async reset(email: string): Promise<void> {
    const account = SignInThrottle.accountKey(email);
    await this.#account.clear(account);
    for (const address of [...(this.#addressesOf.get(account) ?? [])]) {
      await this.#forgetPair(account, address);
    }
    this.#addressesOf.delete(account);
  }

  /** Clears every block and count (an admin's reset of all sign-in throttling). */
  resetAll(): void {
    this.#fresh();
  }

  #index(account: string, address: string): void {
    if (this.#addressesOf.size >= MAX_INDEXED_ACCOUNTS && !this.#addressesOf.has(account)) {
      this.#addressesOf.clear();
    }
    const set = this.#addressesOf.get(account) ?? new Set<string>();
    set.add(address);
    this.#addressesOf.set(account, set);
  }

  async #forgetPair(account: string, address: string): Promise<void> {
    const key = SignInThrottle.#pairKey(address, account);
    if ((await this.#pairs.get(key)) === null) return;
    await this.#pairs.delete(key);
    this.#addressesOf.get(account)?.delete(address);
    // One account fewer for this address: below the limit again, its block (if any) ends.
    await this.#address.release(address);
  }
}
