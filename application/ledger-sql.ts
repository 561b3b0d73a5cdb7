/**
 * SQL helpers shared by the treasurer's reports and exports: raw rows from either driver,
 * a consistent read snapshot, and the "effective kind" of ledger transactions.
 */
import { type SQL, sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { DbOrTx, Tx } from '../db/client.ts';

/** Rows of a raw query: node-postgres and PGlite both answer `{ rows }`. */
export async function rowsOf<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** bigint/numeric columns arrive as strings (node-postgres) or bigint (PGlite): cents fit a double. */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}

export function ts(date: Date): SQL {
  return sql`${date.toISOString()}::timestamptz`;
}

/**
 * Runs `fn` on one read-only REPEATABLE READ snapshot, so figures read by several queries
 * agree even while sessions post debits. Inside a caller's transaction, uses it as is.
 */
export async function inSnapshot<T>(db: DbOrTx, fn: (tx: DbOrTx) => Promise<T>): Promise<T> {
  if (db instanceof PgTransaction) return fn(db);
  return db.transaction((tx: Tx) => fn(tx), { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

/**
 * CTE body (after `with recursive`) naming `eff(tx_id, kind, root_id)`: for each transaction
 * selected by `base` (on alias `t`), the kind it counts as. A reversal counts as the kind of
 * the transaction it reverses, following chains (a reversal of a reversal of a top-up is a
 * top-up), so a reversed top-up lowers top-ups instead of appearing as a fifth flow.
 * `root_id` is that original transaction (its method says which till the money moved
 * through). A reversal whose original cannot be found counts as an adjustment. The
 * `o.id < c.cur_id` guard keeps a corrupt cycle from recursing forever: originals always
 * come first. Kinds are read through recordedKind, so materials posted before the `material`
 * kind existed count as materials.
 */
export function effectiveKinds(base: SQL): SQL {
  return sql`chain(tx_id, cur_id, cur_kind, cur_reverses) as (
      select t.id, t.id, ${recordedKind(sql`t`)}, t.reverses_id from ledger_transactions t where ${base}
      union all
      select c.tx_id, o.id, ${recordedKind(sql`o`)}, o.reverses_id
      from chain c join ledger_transactions o on o.id = c.cur_reverses and o.id < c.cur_id
      where c.cur_kind = 'reversal'
    ),
    eff as (
      select tx_id,
        coalesce(max(cur_kind) filter (where cur_kind <> 'reversal'), 'adjustment') as kind,
        max(cur_id) filter (where cur_kind <> 'reversal') as root_id
      from chain group by tx_id
    )`;
}

/**
 * The kind of the ledger transaction aliased `t`, reading old data as it is meant (issue #11):
 * before the `material` kind existed, materials were posted as `usage` whose card debit is
 * credited to `material_revenue` (application/lab-practices.ts). Such a transaction is a
 * material sale; a machine-use posting never touches that account.
 */
export function recordedKind(t: SQL): SQL {
  return sql`(case when ${t}.kind = 'usage' and exists (
      select 1 from ledger_entries mx where mx.transaction_id = ${t}.id and mx.account = 'material_revenue'
    ) then 'material' else ${t}.kind end)`;
}
