/**
 * Idempotent writes (SPEC §3 top-ups): the first request with a key does the work and stores
 * its answer; the same key and body again get that answer and change nothing; the same key
 * with another body is a conflict. Claiming the key is an insert on its primary key inside
 * the write's transaction, so a concurrent twin waits for the first to commit (or roll back)
 * and then replays its answer: two identical requests at once make one write.
 */
import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { idempotencyKeys } from '../db/schema.ts';
import { withTransaction } from '../db/transaction.ts';
import { conflict } from './errors.ts';
import { sha256 } from './security.ts';

/** JSON with object keys sorted, so that key order does not change a request's hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface StoredAnswer {
  status: number;
  body: unknown;
  replayed: boolean;
}

export async function idempotent(
  db: Db,
  scope: string,
  key: string,
  request: unknown,
  run: (tx: Tx) => Promise<{ status: number; body: unknown }>,
): Promise<StoredAnswer> {
  const requestHash = sha256(canonicalJson(request));
  // Retried whole on a deadlock or serialization failure (the claim is rolled back too).
  return withTransaction(db, async (tx) => {
    const claimed = await tx
      .insert(idempotencyKeys)
      .values({ scope, key, requestHash, status: 0, body: {} })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length === 0) {
      const [stored] = await tx
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
      if (stored === undefined || stored.requestHash !== requestHash) {
        throw conflict(
          'This Idempotency-Key was already used with another body; use a new key for a new request, or resend the original body to get its answer.',
        );
      }
      return { status: stored.status, body: stored.body, replayed: true };
    }
    const answer = await run(tx);
    // Stored as JSON exactly as it will be sent, so a replay is byte-for-byte the same.
    const body = JSON.parse(JSON.stringify(answer.body)) as unknown;
    await tx
      .update(idempotencyKeys)
      .set({ status: answer.status, body })
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    return { status: answer.status, body, replayed: false };
  });
}
