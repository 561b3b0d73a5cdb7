/**
 * Issue #11, attendance for funders: visitors by gender and by place of residence (inside or
 * outside the named agglomeration, and per commune) with the same small-count suppression as
 * the other breakdowns; door entries called visits in the CSV; older stored figures without
 * these fields count as "not specified".
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../core/csv.ts';
import type { Db } from '../db/client.ts';
import { attendanceAggregates, machineEvents, members } from '../db/schema.ts';
import { testDatabase } from '../tests/support/db.ts';
import { insertMachine, insertSession } from '../tests/support/ledger-fixtures.ts';
import { attendanceReport } from './attendance.ts';
import { attendanceCsv } from './attendance-csv.ts';
import { saveAttendanceSettings } from './attendance-settings.ts';
import { parseReportRange } from './report-range.ts';
import type { UseCaseContext } from './use-case.ts';

const PARIS = 'Europe/Paris';
const april = parseReportRange('2026-04-01', '2026-05-01', PARIS);

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;

type Gender = 'woman' | 'man' | 'other' | null;
type Area = 'inside' | 'outside' | null;

async function visitor(i: number, gender: Gender, commune: string | null, area: Area, day = '2026-04-07') {
  const id = `v-${i}-${randomUUID()}`;
  await db.insert(members).values({
    id,
    name: `V ${i}`,
    email: `${id}@example.org`,
    gender,
    residenceCommune: commune,
    residenceArea: area,
  });
  await db.insert(machineEvents).values({
    id: randomUUID(),
    machineId: 'door',
    kind: 'badge',
    memberId: id,
    granted: true,
    receivedAt: new Date(`${day}T09:00:00Z`),
  });
  return id;
}

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  await insertMachine(db, 'door', 'door');
  // 9 visitors: 6 women, 1 man, 2 not specified; 5 in Amiens (however typed), 3 in Camon,
  // 1 without a commune; 5 inside the agglomeration, 3 outside, 1 not specified.
  const v = [
    await visitor(0, 'woman', 'Amiens', 'inside'),
    await visitor(1, 'woman', 'amiens ', 'inside'),
    await visitor(2, 'woman', 'AMIENS', 'inside'),
    await visitor(3, 'woman', 'Amiens', 'inside'),
    await visitor(4, 'woman', ' Amiens', 'inside'),
    await visitor(5, 'woman', 'Camon', 'outside'),
    await visitor(6, 'man', 'Camon', 'outside'),
    await visitor(7, null, 'Camon', 'outside'),
    await visitor(8, null, null, null),
  ];
  // Door entries (sessions on the door) are counted as visits in the CSV.
  for (const id of v.slice(0, 6)) {
    await insertSession(db, {
      machineId: 'door',
      memberId: id,
      startedAt: new Date('2026-04-07T09:00:00Z'),
      endedAt: new Date('2026-04-07T09:00:05Z'),
    });
  }
  const ctx = { db, actor: { kind: 'staff', id: 'admin', roles: ['admin'] } } as unknown as UseCaseContext;
  await saveAttendanceSettings(ctx, { agglomeration: 'Amiens Métropole' });
});
afterAll(async () => {
  await database.drop();
});

describe('attendance by gender and residence (issue #11)', () => {
  it('counts exact figures below the threshold when asked with minimumCount 1', async () => {
    const r = await attendanceReport(db, april, { timeZone: PARIS, minimumCount: 1 });
    expect(r.agglomeration).toBe('Amiens Métropole');
    expect(r.total.visitors).toBe(9);
    expect(r.total.byGender).toEqual({ woman: 6, man: 1, other: 0, unknown: 2 });
    expect(r.total.byResidence).toEqual({ inside: 5, outside: 3, unknown: 1 });
    expect(r.total.byCommune).toEqual([
      { commune: 'Amiens', visitors: 5 },
      { commune: 'Camon', visitors: 3 },
      { commune: null, visitors: 1 },
    ]);
  });

  it('suppresses small counts like the other breakdowns (5 by default)', async () => {
    const r = await attendanceReport(db, april, { timeZone: PARIS });
    expect(r.minimumCount).toBe(5);
    // 1 and 2 are hidden; zero stays visible (it reveals nobody).
    expect(r.total.byGender).toEqual({ woman: 6, man: null, other: 0, unknown: null });
    expect(r.total.byResidence).toEqual({ inside: 5, outside: null, unknown: null });
    expect(r.total.byCommune).toEqual([
      { commune: 'Amiens', visitors: 5 },
      { commune: 'Camon', visitors: null },
      { commune: null, visitors: null },
    ]);
    expect(r.months[0]?.byGender).toEqual(r.total.byGender);
  });

  it('hides a second cell when only one would be hidden (no recovery by subtraction)', async () => {
    // Threshold 2: only man (1) is small; alone it could be recovered from the total, so the
    // next smallest non-zero cell (unknown, 2) is hidden too. Same for the communes.
    const r = await attendanceReport(db, april, { timeZone: PARIS, minimumCount: 2 });
    expect(r.total.byGender).toEqual({ woman: 6, man: null, other: 0, unknown: null });
    expect(r.total.byCommune).toEqual([
      { commune: 'Amiens', visitors: 5 },
      { commune: 'Camon', visitors: null },
      { commune: null, visitors: null },
    ]);
  });

  it('writes gender and residence columns, names the agglomeration, and calls door entries visits', async () => {
    const file = await attendanceCsv(db, april, { timeZone: PARIS, minimumCount: 1 });
    const [header, ...rows] = parseCsv(file.content);
    const cols = header!.fields;
    const total = rows.at(-1)!.fields;
    const cell = (name: string) => total[cols.indexOf(name)];
    expect(cell('Femmes')).toBe('6');
    expect(cell('Hommes')).toBe('1');
    expect(cell('Genre non précisé')).toBe('2');
    expect(cell("Dans l'agglomération (Amiens Métropole)")).toBe('5');
    expect(cell('Hors agglomération (Amiens Métropole)')).toBe('3');
    expect(cell('Visites (entrées par la porte)')).toBe('6');
    expect(cols.some((c) => /^Sessions door/.test(c))).toBe(false);

    const communes = await attendanceCsv(db, april, { timeZone: PARIS, per: 'commune' });
    expect(communes.filename).toMatch(/^frequentation-communes-/);
    expect(parseCsv(communes.content).map((r) => r.fields)).toEqual([
      ['Commune', 'Visiteurs uniques (vide = moins de 5)'],
      ['Amiens', '5'],
      ['Camon', ''],
      ['Non précisée', ''],
    ]);
  });

  it('reads figures stored before issue #11 as "not specified"', async () => {
    await db.insert(attendanceAggregates).values({
      period: '2026-01',
      figures: { visitors: 7, visits: 9, byCategory: {}, byAgeBand: {} },
    });
    const r = await attendanceReport(db, parseReportRange('2026-01-01', '2026-02-01', PARIS), {
      timeZone: PARIS,
    });
    expect(r.months[0]).toMatchObject({
      source: 'stored',
      byGender: { woman: 0, man: 0, other: 0, unknown: 7 },
      byResidence: { inside: 0, outside: 0, unknown: 7 },
      byCommune: [{ commune: null, visitors: 7 }],
    });
  });
});
