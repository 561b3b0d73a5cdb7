/** Issue #9: every published list is recorded compactly, and pruned 90 days after it expired. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AllowListBody } from '../../core/mqtt-contract.ts';
import type { Db } from '../../db/client.ts';
import { allowlistEntrySets, allowlistIssues } from '../../db/schema.ts';
import { testDatabase } from '../../tests/support/db.ts';
import { ALLOWLIST_VALIDITY_MS, recordAllowList } from './allowlist.ts';

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
});
afterAll(async () => database.drop());

const DAY = 86_400_000;
const salt = 'ab'.repeat(32);
const hashes = ['11', '22', '33'].map((h) => h.repeat(32));

function list(issued: number, credit: number, certEnd = issued + DAY): AllowListBody {
  const validUntil = new Date(issued + ALLOWLIST_VALIDITY_MS).toISOString();
  return {
    version: 1,
    machineId: 'laser-rec',
    issuedAt: new Date(issued).toISOString(),
    validUntil,
    maxOfflineSessionSeconds: 3600,
    pricePerMinuteCents: 50,
    minimumChargeCents: 100,
    salt,
    entries: hashes.map((badge, i) => ({
      badge,
      name: `M${i}`,
      until: i === 0 ? new Date(certEnd).toISOString() : validUntil,
      creditCents: credit + i,
    })),
  };
}

describe('recordAllowList', () => {
  it('stores the entries once while only credit and validity move, and prunes after 90 days', async () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const certEnd = t0 + DAY; // before validUntil (72 h): kept; later ones are stored as null
    for (let k = 0; k < 5; k++) await recordAllowList(db, list(t0 + k * 60_000, 1000 - k * 50, certEnd));
    await recordAllowList(db, list(t0 + 5 * 60_000, 1000)); // the same again: recorded once
    await recordAllowList(db, list(t0 + 5 * 60_000, 1000));
    expect(await db.select().from(allowlistIssues)).toHaveLength(6);
    const sets = await db.select().from(allowlistEntrySets);
    expect(sets).toHaveLength(2);
    expect(sets.map((x) => x.entries)).toContainEqual([
      ['1'.repeat(32), Math.floor(certEnd / 1000)],
      ['2'.repeat(32), null],
      ['3'.repeat(32), null],
    ]);
    // 100 days later: the January lists and their entry sets go, the new one stays.
    const later = t0 + 100 * DAY;
    await recordAllowList(db, list(later, 10, later + DAY));
    const left = await db.select().from(allowlistIssues);
    expect(left.map((r) => r.issuedAt.getTime())).toEqual([later]);
    expect(await db.select().from(allowlistEntrySets)).toHaveLength(1);
  });
});
