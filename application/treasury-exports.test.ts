import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../core/csv.ts';
import type { MachineKind } from '../core/domain.ts';
import type { Db } from '../db/client.ts';
import { testDatabase } from '../tests/support/db.ts';
import {
  insertMachine,
  insertMember,
  insertSession,
  refund,
  reversal,
  topup,
  usage,
} from '../tests/support/ledger-fixtures.ts';
import { sessionsCsv, topupsCsv } from './csv-exports.ts';
import { PAHEKO_COLUMNS, pahekoExport } from './paheko.ts';
import { PeriodClosedError } from './period-guard.ts';
import { ChecksFailedError, closePeriod, listClosedPeriods, monthBounds } from './periods.ts';
import { parseReportRange } from './report-range.ts';
import { cardReport } from './reports.ts';
import { accountingSettings, updateAccountingSettings } from './treasury-settings.ts';

const PARIS = 'Europe/Paris';
const at = (iso: string) => new Date(iso);
const march = parseReportRange('2026-03-01', '2026-04-01', PARIS);
const laser = { id: 'laser-1', kind: 'laser' as MachineKind };

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
let alice: string;
let bob: string;
let usageTx: number;

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  alice = await insertMember(db, 'Alice Durand');
  bob = await insertMember(db, 'Bob; "le dev"');
  await insertMachine(db, laser.id, 'laser');
  await insertMachine(db, 'cnc-1', 'cnc');
  await topup(db, alice, 5000, 'cash', at('2026-03-02T10:00:00Z'), 'reçu 12');
  await topup(db, bob, 2000, 'helloasso', at('2026-03-03T10:00:00Z'));
  const s = await insertSession(db, {
    machineId: laser.id,
    memberId: alice,
    startedAt: at('2026-03-05T13:00:00Z'),
    endedAt: at('2026-03-05T13:10:00Z'),
    runningSeconds: 600,
    chargedCents: 500,
  });
  usageTx = await usage(db, alice, laser, 500, at('2026-03-05T13:10:00Z'), s);
  await refund(db, bob, 300, 'helloasso', at('2026-03-20T09:00:00Z'));
  const wrong = await topup(db, bob, 999, 'check', at('2026-03-21T09:00:00Z'));
  await reversal(db, wrong, at('2026-03-22T09:00:00Z'));
  // April: outside the range
  await topup(db, alice, 700, 'card', at('2026-04-02T09:00:00Z'));
});
afterAll(async () => {
  await database.drop();
});

describe('cardReport by machine kind', () => {
  it('sums byMachine per kind', async () => {
    const r = await cardReport(db, march);
    expect(r.byMachineKind).toEqual([
      { machineKind: 'laser', usageCents: 500, runningSeconds: 600, sessions: 1, machines: 1 },
    ]);
  });
});

describe('pahekoExport', () => {
  it('writes one debit/credit line per transaction in the simple format', async () => {
    const file = await pahekoExport(db, march, { timeZone: PARIS });
    expect(file.filename).toBe('paheko-2026-03-01_2026-03-31.csv');
    expect(file.content.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(file.content);
    expect(rows[0]!.fields).toEqual([...PAHEKO_COLUMNS]);
    const lines = rows.slice(1).map((r) => r.fields);
    expect(lines).toHaveLength(6);
    const [cash, online, use, refundLine, check, reversed] = lines;
    expect(cash).toEqual([
      '',
      '02/03/2026',
      'Avancé',
      '530',
      '4191',
      '50,00',
      'Recharge carte machine — Alice Durand',
      expect.any(String),
      'reçu 12',
      '',
    ]);
    expect(online!.slice(3, 6)).toEqual(['467', '4191', '20,00']);
    expect(use!.slice(3, 6)).toEqual(['4191', '7061', '5,00']);
    expect(use![7]).toBe(String(usageTx));
    expect(use![9]).toMatch(/exonérée/);
    expect(refundLine!.slice(3, 6)).toEqual(['4191', '467', '3,00']);
    expect(check!.slice(3, 6)).toEqual(['512', '4191', '9,99']);
    expect(reversed!.slice(3, 6)).toEqual(['4191', '512', '9,99']);
    expect(lines.every((l) => l[0] === '')).toBe(true);
  });

  it('uses the configured account numbers and VAT codes', async () => {
    const database2 = await testDatabase();
    try {
      const db2 = database2.db;
      const m = await insertMember(db2);
      await insertMachine(db2, 'laser-2', 'laser');
      await topup(db2, m, 1000, 'cash', at('2026-03-02T10:00:00Z'));
      await usage(db2, m, { id: 'laser-2', kind: 'laser' }, 200, at('2026-03-02T11:00:00Z'));
      await updateAccountingSettings(db2, {
        cash: '5310',
        machineRevenue: { laser: '706100' },
        vat: { laser: 'tva-20' },
      });
      expect((await accountingSettings(db2)).bank).toBe('512');
      const lines = parseCsv((await pahekoExport(db2, march, { timeZone: PARIS })).content).slice(1);
      expect(lines[0]!.fields[3]).toBe('5310');
      expect(lines[1]!.fields[4]).toBe('706100');
      expect(lines[1]!.fields[9]).toBe('TVA : 20 %');
      await expect(updateAccountingSettings(db2, { bank: 'not a number!' })).rejects.toThrow();
    } finally {
      await database2.drop();
    }
  });
});

describe('sessions and top-ups CSV', () => {
  it('lists the sessions started in the range with French dates and amounts', async () => {
    const file = await sessionsCsv(db, march, { timeZone: PARIS });
    const rows = parseCsv(file.content);
    expect(rows).toHaveLength(2);
    const [row] = rows.slice(1).map((r) => r.fields);
    // Words first, ids last (issue #12 item 4).
    expect(row![2]).toBe('Découpe laser');
    expect(row!.at(-2)).toBe('laser-1');
    expect(row![4]).toBe('05/03/2026 14:00:00');
    expect(row!.slice(6, 10)).toEqual(['600', '10', '5,00', '500']);
    const en = parseCsv((await sessionsCsv(db, march, { timeZone: PARIS, lang: 'en' })).content);
    expect(en[0]!.fields[2]).toBe('Machine type');
    expect(en[1]!.fields[2]).toBe('Laser cutter');
  });

  it('lists top-ups and refunds, reversals as negative amounts, quoting awkward names', async () => {
    const file = await topupsCsv(db, march, { timeZone: PARIS });
    expect(file.content).toContain('"Bob; ""le dev"""');
    const lines = parseCsv(file.content)
      .slice(1)
      .map((r) => r.fields);
    expect(lines.map((l) => [l[2], l[6]])).toEqual([
      ['recharge', '5000'],
      ['recharge', '2000'],
      ['remboursement', '300'],
      ['recharge', '999'],
      ['recharge', '-999'],
    ]);
    const report = await cardReport(db, march);
    const sum = (type: string) => lines.filter((l) => l[2] === type).reduce((s, l) => s + Number(l[6]), 0);
    // Words, not codes (issue #12 item 4): the payment method and who entered it.
    expect(lines[0]![4]).toBe('Espèces');
    expect(sum('recharge')).toBe(report.topupsCents);
    expect(sum('remboursement')).toBe(report.refundsCents);
  });
});

describe('period close', () => {
  const now = at('2026-05-10T10:00:00Z');

  it('refuses a month that is not over', async () => {
    await expect(closePeriod(db, 'staff:t', { period: '2026-05' }, { timeZone: PARIS, now })).rejects.toThrow(
      /not over/,
    );
    await expect(closePeriod(db, 'staff:t', { period: '2026-13' }, { timeZone: PARIS, now })).rejects.toThrow(
      /YYYY-MM/,
    );
  });

  it('closes a balanced month, then refuses anything dated in it; reversals go in an open period', async () => {
    const closed = await closePeriod(db, 'staff:t', { period: '2026-03' }, { timeZone: PARIS, now });
    expect(closed).toMatchObject({
      period: '2026-03',
      forced: false,
      closingLiabilityCents: 5000 - 500 + 2000 - 300,
    });
    expect(closed.from.toISOString()).toBe(monthBounds('2026-03', PARIS).from.toISOString());
    await expect(topup(db, alice, 100, 'cash', at('2026-03-15T10:00:00Z'))).rejects.toBeInstanceOf(
      PeriodClosedError,
    );
    await expect(reversal(db, usageTx, at('2026-03-31T21:59:00Z'))).rejects.toBeInstanceOf(PeriodClosedError);
    // 22:00 UTC on March 31st is April 1st in Paris: open.
    await reversal(db, usageTx, at('2026-03-31T22:00:00Z'));
    await expect(closePeriod(db, 'staff:t', { period: '2026-03' }, { timeZone: PARIS, now })).rejects.toThrow(
      /already closed/,
    );
    expect((await listClosedPeriods(db)).map((p) => p.period)).toEqual(['2026-03']);
    // The March report is unchanged by the April correction.
    expect((await cardReport(db, march)).closingLiabilityCents).toBe(closed.closingLiabilityCents);
  });

  it('refuses a month whose checks fail unless forced with a reason', async () => {
    const s = await insertSession(db, {
      machineId: laser.id,
      memberId: bob,
      startedAt: at('2026-02-05T13:00:00Z'),
      endedAt: at('2026-02-05T13:10:00Z'),
      runningSeconds: 600,
      chargedCents: 500,
    });
    expect(s).toBeTruthy();
    await expect(
      closePeriod(db, 'staff:t', { period: '2026-02' }, { timeZone: PARIS, now }),
    ).rejects.toBeInstanceOf(ChecksFailedError);
    await expect(
      closePeriod(db, 'staff:t', { period: '2026-02', force: true }, { timeZone: PARIS, now }),
    ).rejects.toThrow(/reason/);
    const forced = await closePeriod(
      db,
      'staff:t',
      { period: '2026-02', force: true, reason: 'séance de test sans débit' },
      { timeZone: PARIS, now },
    );
    expect(forced).toMatchObject({ forced: true, reason: 'séance de test sans débit' });
  });
});
