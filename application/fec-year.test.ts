/**
 * Issue #11 item 6, "done when": the FEC of a financial year opens with the à-nouveaux,
 * numbers écritures uniquely, and its 4191 balance equals Σ member balances at the year's end.
 * Activity across three years; months closed or not; checked with the DGFiP-derived structural
 * checks of tests/support/fec-checks.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.ts';
import { closedPeriods } from '../db/schema.ts';
import { testDatabase } from '../tests/support/db.ts';
import { checkFec, type FecRecord, fecCents, memberNo, UUID } from '../tests/support/fec-checks.ts';
import {
  adjustment,
  insertMachine,
  insertMember,
  refund,
  reversal,
  topup,
  usage,
} from '../tests/support/ledger-fixtures.ts';
import { FecOptionsError, fecExport, fecYearExport } from './fec.ts';
import { ledgerCredit } from './ledger.ts';
import { monthBounds } from './periods.ts';
import { parseReportRange } from './report-range.ts';

const PARIS = 'Europe/Paris';
const at = (iso: string) => new Date(iso);
const now = at('2026-03-15T10:00:00Z');
const laser = { id: 'laser-1', kind: 'laser' as const };
const printer = { id: 'prusa-1', kind: 'printer-3d' as const };

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
let alice: string;
let bob: string;
let zoe: string;
let members: string[];

async function close(period: string, closedAt: string) {
  const { from, to } = monthBounds(period, PARIS);
  await db.insert(closedPeriods).values({
    period,
    startsAt: from,
    endsAt: to,
    closedAt: at(closedAt),
    closedBy: 'test',
    report: {},
  });
}

const side = (records: FecRecord[], num: string) =>
  records
    .filter((r) => r.CompteNum === num)
    .reduce((s, r) => s + fecCents(r.Credit!) - fecCents(r.Debit!), 0);

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  alice = await insertMember(db, 'Alice Dupont');
  bob = await insertMember(db, 'Bob Martin');
  zoe = await insertMember(db, 'Zoë Œuvrard');
  members = [alice, bob, zoe];
  await insertMachine(db, laser.id, 'laser', 'Laser 60W');
  await insertMachine(db, printer.id, 'printer-3d', 'Prusa MK4');
  // 2024: its result (3,00 of machine use) is "report à nouveau" in 2026.
  await topup(db, alice, 1000, 'cash', at('2024-04-01T10:00:00Z'));
  await usage(db, alice, laser, 300, at('2024-05-01T10:00:00Z'));
  // 2025: last year's result (12,00 use − 1,50 goodwill) is 120 in 2026.
  await topup(db, alice, 5000, 'cash', at('2025-03-10T10:00:00Z'));
  await topup(db, bob, 3000, 'card', at('2025-06-01T10:00:00Z'));
  await topup(db, zoe, 2000, 'helloasso', at('2025-11-15T10:00:00Z'));
  await usage(db, alice, laser, 1200, at('2025-04-01T10:00:00Z'));
  await adjustment(db, bob, 150, at('2025-07-01T10:00:00Z'), 'geste — bienvenue');
  await refund(db, bob, 500, 'check', at('2025-12-20T10:00:00Z'));
  // 23:30 UTC on 31 December 2025 is 1 January 2026 in Paris: it belongs to 2026.
  await usage(db, zoe, printer, 100, at('2025-12-31T23:30:00Z'));
  // 2026
  const transfer = await topup(db, bob, 1000, 'transfer', at('2026-01-10T10:00:00Z'));
  await usage(db, zoe, printer, 700, at('2026-02-01T10:00:00Z'));
  await usage(db, alice, laser, 250, at('2026-02-03T10:00:00Z'));
  await adjustment(db, alice, -100, at('2026-02-05T10:00:00Z'));
  await reversal(db, transfer, at('2026-02-10T10:00:00Z'), 'virement rejeté');
  // 2027: outside.
  await topup(db, alice, 777, 'cash', at('2027-01-05T10:00:00Z'));
  await close('2025-12', '2026-01-05T09:00:00Z');
  await close('2026-01', '2026-02-03T10:00:00Z');
});

afterAll(async () => {
  await database.drop();
});

describe('fecYearExport', () => {
  it('passes the structural checks, named after the closing date', async () => {
    const file = await fecYearExport(db, 2026, '01-01', { siren: '123456789', timeZone: PARIS, now });
    expect(file.filename).toBe('123456789FEC20261231.txt');
    const { problems, records } = checkFec(file.bytes, file.filename);
    expect(problems).toEqual([]);
    expect(records.length).toBeGreaterThan(10);
  });

  it('opens with the à-nouveaux: balance-sheet accounts, per member on 4191, results on 120 and 110', async () => {
    const { bytes, filename } = await fecYearExport(db, 2026, '01-01', { timeZone: PARIS, now });
    const { records } = checkFec(bytes, filename);
    const an = records.filter((r) => r.JournalCode === 'AN');
    expect(records.slice(0, an.length)).toEqual(an);
    expect(new Set(an.map((r) => r.EcritureNum))).toEqual(new Set(['1']));
    expect(new Set(an.map((r) => r.EcritureDate))).toEqual(new Set(['20260101']));
    expect(an[0]!.JournalLib).toBe('A-nouveaux');
    const lines = an.map((r) => [r.CompteNum, r.CompAuxLib, r.Debit, r.Credit]);
    expect(lines).toEqual([
      ['110', '', '0,00', '3,00'],
      ['120', '', '0,00', '10,50'],
      ['4191', 'Alice Dupont', '0,00', '45,00'],
      ['4191', 'Bob Martin', '0,00', '26,50'],
      ['4191', 'Zoë Œuvrard', '0,00', '20,00'],
      ['4671', '', '20,00', '0,00'],
      ['5112', '', '0,00', '5,00'],
      ['5115', '', '30,00', '0,00'],
      ['530', '', '60,00', '0,00'],
    ]);
    // The month before the year was closed on 5 January: the à-nouveaux are validated then.
    expect(new Set(an.map((r) => r.ValidDate))).toEqual(new Set(['20260105']));
  });

  it('numbers écritures 1, 2, 3… once across the file, à-nouveaux first', async () => {
    const { bytes, filename } = await fecYearExport(db, 2026, '01-01', { timeZone: PARIS, now });
    const { records } = checkFec(bytes, filename);
    const nums = [...new Set(records.map((r) => r.EcritureNum))];
    expect(nums).toEqual(nums.map((_, i) => String(i + 1)));
    // 1 AN, the late-December use, the transfer, 2 uses, 1 adjustment, 1 reversal.
    expect(nums).toHaveLength(7);
  });

  it("has a 4191 balance equal to Σ member balances at the year's end", async () => {
    const { bytes, filename } = await fecYearExport(db, 2026, '01-01', { timeZone: PARIS, now });
    const { records } = checkFec(bytes, filename);
    // Issue #12: members by their number in the à-nouveaux and écritures, never their id.
    expect(new TextDecoder().decode(bytes)).not.toMatch(UUID);
    let balances = 0;
    for (const m of members) balances += await ledgerCredit(db, m);
    // Σ today less what 2027 brought.
    expect(side(records, '4191')).toBe(balances - 777);
    expect(side(records, '4191')).toBe(4500 + 2650 + 2000 - 100 - 700 - 250 - 100 + 1000 - 1000);
    // and per member, through the auxiliary account
    const aliceSide = records
      .filter((r) => r.CompAuxNum === memberNo(alice))
      .reduce((s, r) => s + fecCents(r.Credit!) - fecCents(r.Debit!), 0);
    expect(aliceSide).toBe((await ledgerCredit(db, alice)) - 777);
  });

  it('dates ValidDate by the month close, else the export date (provisional)', async () => {
    const file = await fecYearExport(db, 2026, '01-01', { timeZone: PARIS, now });
    expect(file.provisional).toBe(true);
    const { records } = checkFec(file.bytes, file.filename);
    const byDate = new Map(records.map((r) => [r.EcritureDate, r.ValidDate]));
    expect(byDate.get('20260101')).toBe('20260203'); // the use of 1 January: January closed on 3 February
    expect(byDate.get('20260110')).toBe('20260203');
    expect(byDate.get('20260201')).toBe('20260315'); // February not closed: the export date
    const range = parseReportRange('2026-01-01', '2026-02-01', PARIS);
    expect((await fecExport(db, range, { timeZone: PARIS, now })).provisional).toBe(false);
  });

  it('follows the lab’s year start: 2025 runs from 1 September 2025 to 31 August 2026', async () => {
    const file = await fecYearExport(db, 2025, '09-01', { siren: '123456789', timeZone: PARIS, now });
    expect(file.filename).toBe('123456789FEC20260831.txt');
    const { problems, records } = checkFec(file.bytes, file.filename);
    expect(problems).toEqual([]);
    const an = records.filter((r) => r.JournalCode === 'AN');
    expect(new Set(an.map((r) => r.EcritureDate))).toEqual(new Set(['20250901']));
    // Before 1 September 2025: Alice 10 − 3 + 50 − 12, Bob 30 + 1,50.
    expect(an.filter((r) => r.CompteNum === '4191').map((r) => [r.CompAuxLib, r.Credit])).toEqual([
      ['Alice Dupont', '45,00'],
      ['Bob Martin', '31,50'],
    ]);
    // The year 1 Sept 2024 – 31 Aug 2025 made 12,00 − 1,50; before it, 3,00.
    expect(an.filter((r) => /^1/.test(r.CompteNum!)).map((r) => [r.CompteNum, r.Credit])).toEqual([
      ['110', '3,00'],
      ['120', '10,50'],
    ]);
    const dates = records.filter((r) => r.JournalCode !== 'AN').map((r) => r.EcritureDate ?? '');
    expect(dates.every((d) => d >= '20250901' && d <= '20260831')).toBe(true);
    expect(dates).toContain('20251115');
  });

  it('has no à-nouveaux in a first year, and refuses a year out of bounds', async () => {
    const { bytes, filename } = await fecYearExport(db, 2024, '01-01', { timeZone: PARIS, now });
    const { problems, records } = checkFec(bytes, filename);
    expect(problems).toEqual([]);
    expect(records.some((r) => r.JournalCode === 'AN')).toBe(false);
    expect(records[0]!.EcritureNum).toBe('1');
    await expect(fecYearExport(db, 1969, '01-01')).rejects.toBeInstanceOf(FecOptionsError);
    await expect(fecYearExport(db, 2026, '02-29')).rejects.toBeInstanceOf(FecOptionsError);
  });

  it('writes ISO 8859-15 on request, every label fitted to it', async () => {
    const file = await fecYearExport(db, 2026, '01-01', { timeZone: PARIS, now, charset: 'iso-8859-15' });
    expect(file.charset).toBe('iso-8859-15');
    const { problems, records } = checkFec(file.bytes, file.filename, 'iso-8859-15');
    expect(problems).toEqual([]);
    const text = new TextDecoder('iso-8859-15').decode(file.bytes);
    expect(text).toBe(file.content);
    expect(text).not.toContain('—');
    expect(text).toContain('Zoë Œuvrard');
    expect(text).toContain("Résultat de l'exercice - excédent");
    expect(records.some((r) => r.EcritureLib === 'Régularisation carte machine - correction')).toBe(true);
    // Same amounts as the UTF-8 file.
    const utf8 = checkFec(
      (await fecYearExport(db, 2026, '01-01', { timeZone: PARIS, now })).bytes,
      file.filename,
    );
    expect(side(records, '4191')).toBe(side(utf8.records, '4191'));
    expect(records).toHaveLength(utf8.records.length);
  });
});
