import { randomUUID } from 'node:crypto';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../core/csv.ts';
import type { Db } from '../db/client.ts';
import { attendanceAggregates, machineEvents, members } from '../db/schema.ts';
import { testDatabase } from '../tests/support/db.ts';
import { insertMachine, insertSession } from '../tests/support/ledger-fixtures.ts';
import { attendanceReport } from './attendance.ts';
import { attendanceCsv } from './attendance-csv.ts';
import { parseReportRange } from './report-range.ts';
import { purgeBadgeEvents, purgeCutoff } from './retention.ts';

const PARIS = 'Europe/Paris';
const march = parseReportRange('2026-03-01', '2026-04-01', PARIS);

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;

async function member(i: number, category: string | null, birthYear: number | null, createdAt: string) {
  const id = `m-${i}-${randomUUID()}`;
  await db.insert(members).values({
    id,
    name: `M ${i}`,
    email: `${id}@example.org`,
    category,
    birthYear,
    createdAt: new Date(createdAt),
  });
  return id;
}

async function badge(memberId: string | null, machineId: string, at: string, granted = true) {
  await db.insert(machineEvents).values({
    id: randomUUID(),
    machineId,
    kind: 'badge',
    memberId,
    granted,
    receivedAt: new Date(at),
  });
}

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  await insertMachine(db, 'door', 'door');
  await insertMachine(db, 'laser-1', 'laser');
  // 6 students (old members, 20 years old in 2026), 2 retirees (new in March), 1 without data.
  const students = [];
  for (let i = 0; i < 6; i++) students.push(await member(i, 'Étudiant', 2006, '2025-09-01T10:00:00Z'));
  const retirees = [
    await member(10, 'retiree', 1950, '2026-03-02T10:00:00Z'),
    await member(11, 'Retraité', 1955, '2026-03-03T10:00:00Z'),
  ];
  const anon = await member(20, null, null, '2024-01-01T10:00:00Z');
  // March 2nd: every student at the door, twice for some (counted once).
  for (const s of students) await badge(s, 'door', '2026-03-02T09:00:00Z');
  await badge(students[0]!, 'laser-1', '2026-03-02T10:00:00Z', false);
  // 23:30 UTC on March 2nd is March 3rd in Paris.
  await badge(students[0]!, 'door', '2026-03-02T23:30:00Z');
  for (const r of retirees) await badge(r, 'door', '2026-03-10T09:00:00Z');
  await badge(anon, 'door', '2026-03-10T09:00:00Z');
  // Unknown badges (no member) do not count.
  await badge(null, 'door', '2026-03-10T09:00:00Z', false);
  // February and April: outside.
  await badge(students[1]!, 'door', '2026-02-27T09:00:00Z');
  await badge(students[1]!, 'door', '2026-04-01T09:00:00Z');
  for (let i = 0; i < 5; i++) {
    await insertSession(db, {
      machineId: 'laser-1',
      memberId: students[i]!,
      startedAt: new Date(`2026-03-0${i + 2}T10:00:00Z`),
      endedAt: new Date(`2026-03-0${i + 2}T11:00:00Z`),
      runningSeconds: 60,
    });
  }
});
afterAll(async () => {
  await database.drop();
});

describe('attendanceReport', () => {
  it('counts distinct visitors per month and day, by category, age band, new vs returning', async () => {
    const r = await attendanceReport(db, march, { timeZone: PARIS, minimumCount: 1 });
    expect(r.total).toMatchObject({
      visitors: 9,
      visits: 10,
      byCategory: { student: 6, retiree: 2, unknown: 1, teacher: 0 },
      byAgeBand: { '18-25': 6, 'over-25': 2, unknown: 1, minor: 0 },
      newMembers: 2,
      returningMembers: 7,
      sessionsByMachineKind: { laser: 5, door: 0 },
    });
    expect(r.months).toHaveLength(1);
    expect(r.months[0]).toMatchObject({ month: '2026-03', source: 'events', partial: false, visitors: 9 });
    expect(r.days).toHaveLength(31);
    const day = (d: string) => r.days.find((x) => x.date === d)?.visitors;
    expect([day('2026-03-02'), day('2026-03-03'), day('2026-03-10'), day('2026-03-11')]).toEqual([
      6, 1, 3, 0,
    ]);
    expect(r.complete).toBe(true);
  });

  it('suppresses small counts in the published figures', async () => {
    const r = await attendanceReport(db, march, { timeZone: PARIS });
    expect(r.minimumCount).toBe(5);
    expect(r.total.visitors).toBe(9);
    // retiree 2 and unknown 1 hidden; zeros shown.
    expect(r.total.byCategory).toMatchObject({ student: 6, retiree: null, unknown: null, teacher: 0 });
    // new 2 hidden, so returning 7 is hidden too (else 9 − 7 gives it away).
    expect(r.total).toMatchObject({ newMembers: null, returningMembers: null });
    expect(r.days.find((x) => x.date === '2026-03-10')?.visitors).toBeNull();
  });

  it('exports CSV per month and per day', async () => {
    const months = parseCsv((await attendanceCsv(db, march, { timeZone: PARIS })).content);
    expect(months[0]!.fields[0]).toBe('Mois');
    expect(months.map((r) => r.fields[0])).toEqual(['Mois', '2026-03', 'Total période']);
    expect(months[1]!.fields[1]).toBe('9');
    const days = parseCsv((await attendanceCsv(db, march, { timeZone: PARIS, per: 'day' })).content);
    expect(days).toHaveLength(32);
    expect(days.find((d) => d.fields[0] === '2026-03-03')!.fields[1]).toBe('');
  });
});

describe('retention purge', () => {
  it('never cuts into the current month', () => {
    const now = new Date('2026-06-15T10:00:00Z');
    expect(purgeCutoff(now, 90, PARIS).toISOString()).toBe('2026-03-16T23:00:00.000Z');
    expect(purgeCutoff(now, 7, PARIS).toISOString()).toBe('2026-05-31T22:00:00.000Z');
  });

  it('stores the figures of what it purges, deletes the events, and the report keeps its numbers', async () => {
    const before = await attendanceReport(db, march, { timeZone: PARIS, minimumCount: 1 });
    // On May 15 with 60 days: the cut-off is March 16 (Paris), so March 1–15 is purged.
    const result = await purgeBadgeEvents(db, {
      now: new Date('2026-05-15T10:00:00Z'),
      timeZone: PARIS,
      days: 60,
    });
    expect(result).toMatchObject({ retentionDays: 60, storedMonths: 2, storedDays: 4 });
    expect(result.deletedEvents).toBe(13);
    const [left] = await db.select({ n: count() }).from(machineEvents);
    expect(left?.n).toBe(1);
    const stored = await db.select().from(attendanceAggregates);
    expect(stored.map((s) => s.period).sort()).toEqual([
      '2026-02',
      '2026-02-27',
      '2026-03',
      '2026-03-02',
      '2026-03-03',
      '2026-03-10',
    ]);
    const after = await attendanceReport(db, march, { timeZone: PARIS, minimumCount: 1 });
    expect(after.months[0]).toMatchObject({ source: 'stored', visitors: 9 });
    expect(after.months[0]!.byCategory).toEqual(before.months[0]!.byCategory);
    expect(after.days).toEqual(
      before.days.map((d) =>
        ['2026-03-02', '2026-03-03', '2026-03-10'].includes(d.date) ? { ...d, source: 'stored' } : d,
      ),
    );
    expect(after.complete).toBe(false);
    // Idempotent: a second run deletes and stores nothing more.
    const again = await purgeBadgeEvents(db, {
      now: new Date('2026-05-15T10:00:00Z'),
      timeZone: PARIS,
      days: 60,
    });
    expect(again).toMatchObject({ deletedEvents: 0, storedDays: 0, storedMonths: 0 });
  });
});
