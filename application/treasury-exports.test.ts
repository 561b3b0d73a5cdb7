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
import { PeriodClosedError } from './period-guard.ts';
import { ChecksFailedError, closePeriod, listClosedPeriods, monthBounds } from './periods.ts';
import { parseReportRange } from './report-range.ts';
import { cardReport } from './reports.ts';

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
      {
        machineKind: 'laser',
        usageCents: 500,
        materialsCents: 0,
        runningSeconds: 600,
        sessions: 1,
        machines: 1,
      },
    ]);
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
      ['Recharge', '5000'],
      ['Recharge', '2000'],
      ['Remboursement', '300'],
      ['Recharge', '999'],
      ['Recharge', '-999'],
    ]);
    const report = await cardReport(db, march);
    const sum = (type: string) => lines.filter((l) => l[2] === type).reduce((s, l) => s + Number(l[6]), 0);
    // Words, not codes (issue #12 item 4): the payment method and who entered it.
    expect(lines[0]![4]).toBe('Espèces');
    expect(sum('Recharge')).toBe(report.topupsCents);
    expect(sum('Remboursement')).toBe(report.refundsCents);
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
