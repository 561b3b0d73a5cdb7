/**
 * Issue #11 item 4 in the FEC: one écriture per session (its minute debits summed), the
 * per-minute detail as an option, the same totals per account either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.ts';
import { testDatabase } from '../tests/support/db.ts';
import { checkFec, type FecRecord, fecCents, sessionRef } from '../tests/support/fec-checks.ts';
import {
  insertMachine,
  insertMember,
  insertSession,
  topup,
  usage,
} from '../tests/support/ledger-fixtures.ts';
import { fecExport, fecYearExport } from './fec.ts';
import { parseReportRange } from './report-range.ts';

const PARIS = 'Europe/Paris';
const at = (iso: string) => new Date(iso);
const now = at('2026-04-15T10:00:00Z');
const march = parseReportRange('2026-03-01', '2026-04-01', PARIS);
const laser = { id: 'laser-1', kind: 'laser' as const };

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
let session: string;

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  const alice = await insertMember(db, 'Alice Dupont');
  await insertMachine(db, laser.id, 'laser', 'Laser 60W');
  await topup(db, alice, 5000, 'cash', at('2026-03-01T09:00:00Z'));
  session = await insertSession(db, {
    machineId: laser.id,
    memberId: alice,
    startedAt: at('2026-03-02T10:00:00Z'),
    endedAt: at('2026-03-02T10:04:00Z'),
    runningSeconds: 240,
    chargedCents: 200,
  });
  // Live metering: the minimum charge, then one debit per billed minute.
  await usage(db, alice, laser, 100, at('2026-03-02T10:00:05Z'), session);
  await usage(db, alice, laser, 50, at('2026-03-02T10:03:00Z'), session);
  await usage(db, alice, laser, 50, at('2026-03-02T10:04:00Z'), session);
});

afterAll(async () => {
  await database.drop();
});

function totals(records: FecRecord[]) {
  const out: Record<string, [number, number]> = {};
  for (const r of records) {
    const t = out[r.CompteNum!] ?? [0, 0];
    out[r.CompteNum!] = t;
    t[0] += fecCents(r.Debit!);
    t[1] += fecCents(r.Credit!);
  }
  return out;
}

describe('FEC detail', () => {
  it('books a session as one écriture by default, each debit with detail=minute, same totals', async () => {
    const event = await fecExport(db, march, { timeZone: PARIS, now });
    const minute = await fecExport(db, march, { timeZone: PARIS, now, detail: 'minute' });
    const e = checkFec(event.bytes, event.filename);
    const m = checkFec(minute.bytes, minute.filename);
    expect(e.problems).toEqual([]);
    expect(m.problems).toEqual([]);
    const sessionLines = e.records.filter((r) => r.PieceRef === sessionRef(session));
    expect(sessionLines.map((r) => [r.EcritureNum, r.EcritureDate, r.CompteNum, r.Debit, r.Credit])).toEqual([
      ['2', '20260302', '4191', '2,00', '0,00'],
      ['2', '20260302', '706', '0,00', '2,00'],
    ]);
    expect(new Set(e.records.map((r) => r.EcritureNum)).size).toBe(2);
    expect(new Set(m.records.map((r) => r.EcritureNum)).size).toBe(4);
    expect(totals(e.records)).toEqual(totals(m.records));
    expect(totals(e.records)['706']).toEqual([0, 200]);
  });

  it('keeps the detail in the year mode too', async () => {
    const event = await fecYearExport(db, 2026, '01-01', { timeZone: PARIS, now });
    const minute = await fecYearExport(db, 2026, '01-01', { timeZone: PARIS, now, detail: 'minute' });
    expect(totals(checkFec(event.bytes, event.filename).records)).toEqual(
      totals(checkFec(minute.bytes, minute.filename).records),
    );
  });
});
