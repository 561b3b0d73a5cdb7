/**
 * Password sign-in throttle (issue #9): per account (the email typed, whether or not such an
 * account exists, so that a 429 reveals nothing) and per client address, with a growing
 * back-off. Each attempt takes a point *before* the password is checked, so that a blocked
 * or parallel flood never spends an argon2 hash; a success gives the account its points back.
 *
 * After `accountAttempts` failures within `windowSeconds` the account is blocked for
 * `baseBlockSeconds`, then twice as long at each new block within a day, up to
 * `maxBlockSeconds`; the address likewise after `addressAttempts`. The genuine user's way
 * back in: the block ends by itself, and an admin can clear an account's state at once
 * (DELETE /api/v1/staff/{id}/sign-in-throttle, /members/{id}/sign-in-throttle). State is
 * kept in this process's memory (rate-limiter-flexible): a restart clears it.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface SignInThrottleOptions {
  accountAttempts: number;
  addressAttempts: number;
  windowSeconds: number;
  baseBlockSeconds: number;
  maxBlockSeconds: number;
}

export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottleOptions = {
  accountAttempts: 5,
  addressAttempts: 20,
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

  async giveBack(key: string): Promise<void> {
    await this.#attempts.reward(key, 1);
  }

  async clear(key: string): Promise<void> {
    await this.#attempts.delete(key);
    await this.#strikes.delete(key);
  }
}

export class SignInThrottle {
  readonly #account: GrowingBlock;
  readonly #address: GrowingBlock;

  constructor(opts: Partial<SignInThrottleOptions> = {}) {
    const full = { ...DEFAULT_SIGN_IN_THROTTLE, ...opts };
    this.#account = new GrowingBlock(full.accountAttempts, full);
    this.#address = new GrowingBlock(full.addressAttempts, full);
  }

  static accountKey(email: string): string {
    return email.trim().toLowerCase();
  }

  /** Throws SignInThrottled (no password check may follow) or lets the attempt through. */
  async attempt(email: string, address: string): Promise<void> {
    const byAddress = await this.#address.take(address);
    if (byAddress > 0) throw new SignInThrottled(byAddress, 'address');
    const byAccount = await this.#account.take(SignInThrottle.accountKey(email));
    if (byAccount > 0) throw new SignInThrottled(byAccount, 'account');
  }

  /** A right password: the account starts afresh, the address gets its attempt back. */
  async succeeded(email: string, address: string): Promise<void> {
    await this.#account.clear(SignInThrottle.accountKey(email));
    await this.#address.giveBack(address);
  }

  /** An admin's reset of one account (audited by the caller). */
  async reset(email: string): Promise<void> {
    await this.#account.clear(SignInThrottle.accountKey(email));
  }
}
