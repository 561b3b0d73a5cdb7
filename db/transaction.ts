/**
 * One database transaction, retried whole when PostgreSQL aborts it for a deadlock (40P01)
 * or a serialization failure (40001). Such an abort rolls everything back, so running the
 * callback again from the start is safe; anything else is rethrown at once. The callback
 * must therefore do nothing outside the database that it would regret doing twice (send
 * MQTT messages after the commit, from what it returns).
 */
import { metrics } from '../logging/metrics.ts';
import type { Db, Tx } from './client.ts';

/** SQLSTATEs after which the whole transaction may simply be run again. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(['40P01', '40001']);

export interface RetryOptions {
  /** attempts in all, the first included (default 8) */
  attempts?: number;
  /** first back-off in ms, doubled each time, with full jitter (default 5) */
  baseDelayMs?: number;
  /** longest back-off in ms (default 500) */
  maxDelayMs?: number;
  /** called before each retry (metrics, logs) */
  onRetry?: (info: { attempt: number; code: string; delayMs: number }) => void;
  /** for tests: the random source of the jitter */
  random?: () => number;
  /** passed to db.transaction (e.g. `{ isolationLevel: 'serializable' }`) */
  config?: Parameters<Db['transaction']>[1];
}

const retries = new Map<string, number>();
const retriesTotal = metrics.counter(
  'sesame_transaction_retries_total',
  'Database transactions run again after a deadlock (40P01) or serialization failure (40001), by SQLSTATE',
);

/** Retries made since the process started, by SQLSTATE (for /metrics and tests). */
export function retryStats(): Record<string, number> {
  return Object.fromEntries(retries);
}

/** The SQLSTATE of a database error, looking through drizzle's wrapper (`cause`). */
export function sqlState(err: unknown): string | null {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

export function isRetryableTransactionError(err: unknown): boolean {
  const code = sqlState(err);
  return code !== null && RETRYABLE_SQLSTATES.has(code);
}

/** Full-jitter exponential back-off: a random delay in [0, min(max, base × 2^(attempt−1))]. */
export function backoffMs(attempt: number, opts: RetryOptions = {}): number {
  const base = opts.baseDelayMs ?? 5;
  const max = opts.maxDelayMs ?? 500;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round((opts.random ?? Math.random)() * ceiling);
}

/**
 * `db.transaction(fn)`, run again on 40P01/40001 with a jittered back-off. The last error is
 * rethrown when the attempts are spent.
 */
export async function withTransaction<T>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  opts: RetryOptions = {},
): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 8);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn, opts.config);
    } catch (err) {
      if (attempt >= attempts || !isRetryableTransactionError(err)) throw err;
      const delayMs = backoffMs(attempt, opts);
      const code = sqlState(err) ?? '';
      retries.set(code, (retries.get(code) ?? 0) + 1);
      retriesTotal.inc({ code });
      opts.onRetry?.({ attempt, code, delayMs });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
