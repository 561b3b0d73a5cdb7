/**
 * Which failures of the machine loop are worth retrying (issue #10): the database went away
 * or aborted the transaction for concurrency. Everything else is a fault of the event or of
 * the code, and retrying it would only repeat it.
 */
import { isRetryableTransactionError, backoffMs as transactionBackoffMs } from '../db/transaction.ts';

/** SQLSTATEs: serialization failure, deadlock, lock not available, too many connections, shutdowns. */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '53300', '57P01', '57P02', '57P03']);
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const TRANSIENT_MESSAGES =
  /connection terminated|connection ended|terminating connection|timeout exceeded when trying to connect|not queryable|connection error|server closed the connection|Connection refused/i;

/** True for an error (or one in its `cause` chain) that a later attempt may not meet. */
export function isTransient(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && e !== undefined && depth < 6; depth++) {
    if (typeof e !== 'object') return false;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_CODES.has(code) || code.startsWith('08')) return true;
    }
    if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return true;
    if (e instanceof AggregateError && e.errors.some(isTransient)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Exponential back-off with jitter: 100 ms, 200 ms, … up to `maxMs`. */
export function backoffMs(attempt: number, maxMs = 5000): number {
  const base = Math.min(maxMs, 100 * 2 ** Math.min(attempt, 10));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/**
 * The wait before the next attempt: a transaction aborted for concurrency (deadlock,
 * serialization) is retried almost at once (5 ms doubling to 500 ms, with jitter); a
 * database that is away is given time (100 ms doubling to 5 s).
 */
export function retryDelayMs(err: unknown, attempt: number): number {
  if (isRetryableTransactionError(err)) return transactionBackoffMs(Math.min(attempt, 10) + 1);
  return backoffMs(attempt);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
