/**
 * Issue #9: what recording every published allow-list costs in the database.
 *
 *   npx tsx tests/bench/allowlist-storage.ts                      # PGlite in memory
 *   DATABASE_URL=postgres://… npx tsx tests/bench/allowlist-storage.ts
 *   BENCH_ENTRIES=500 BENCH_PUBLICATIONS=1000 npx tsx tests/bench/allowlist-storage.ts
 *
 * A list is republished after every debit (its credits change), so most publications carry
 * the same badges: their entries are stored once.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { recordAllowList } from '../../application/machine-loop/allowlist.ts';
import { testDatabase } from '../support/db.ts';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 200);
const PUBLICATIONS = Number(process.env.BENCH_PUBLICATIONS ?? 500);

const database = await testDatabase();
const salt = randomBytes(32).toString('hex');
const badges = Array.from({ length: ENTRIES }, () => randomBytes(32).toString('hex'));
const t0 = Date.now();
const started = performance.now();
for (let k = 0; k < PUBLICATIONS; k++) {
  const issued = t0 + k * 60_000;
  const validUntil = new Date(issued + 72 * 3600e3).toISOString();
  await recordAllowList(database.db, {
    version: 1,
    machineId: 'laser',
    issuedAt: new Date(issued).toISOString(),
    validUntil,
    maxOfflineSessionSeconds: 14400,
    pricePerMinuteCents: 50,
    minimumChargeCents: 100,
    salt,
    // credits move at every publication; a quarter of the entries end before validUntil
    entries: badges.map((badge, i) => ({
      badge,
      name: `M ${i}`,
      until: i % 4 === 0 ? new Date(t0 + 86400e3).toISOString() : validUntil,
      creditCents: 1000 + k * i,
    })),
  });
}
const ms = performance.now() - started;
const result = await database.db.execute(sql`select
  (select count(*) from allowlist_issues)::int as issues,
  (select count(*) from allowlist_entry_sets)::int as sets,
  (select sum(pg_column_size(t.*)) from allowlist_issues t)::int as issue_bytes,
  (select sum(pg_column_size(s.*)) from allowlist_entry_sets s)::int as set_bytes`);
const row = ((result as { rows?: unknown[] }).rows ?? (result as unknown as unknown[]))[0];
console.log(
  JSON.stringify({
    entries: ENTRIES,
    publications: PUBLICATIONS,
    msPerRecord: +(ms / PUBLICATIONS).toFixed(2),
    ...(row as object),
  }),
);
await database.drop();
