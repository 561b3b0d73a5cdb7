/**
 * Issue #11 item 3: materials are their own ledger kind, their own line in the card report and
 * the monthly figures, checked against their recorded sales, and a month with materials passes
 * its checks. Materials posted before the kind existed (as `usage` with a `material_revenue`
 * entry) still reconcile: old-shape fixture below, written as the old code wrote it.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materialPostings } from '../core/ledger.ts';
import type { Db } from '../db/client.ts';
import { ledgerTransactions, materials } from '../db/schema.ts';
import { testDatabase } from '../tests/support/db.ts';
import {
  insertMachine,
  insertMember,
  insertSession,
  post,
  reversal,
  topup,
  usage,
} from '../tests/support/ledger-fixtures.ts';
import { oldShapeMaterial } from '../tests/support/material-fixtures.ts';
import { recordMaterialUse } from './lab-practices.ts';
import { handleMaterial } from './machine-loop/board-events.ts';
import { monthlyFigures } from './monthly-figures.ts';
import { parseReportRange } from './report-range.ts';
import { type CardReport, cardReport } from './reports.ts';

const PARIS = 'Europe/Paris';
const at = (iso: string) => new Date(iso);
const laser = { id: 'laser-m', kind: 'laser' as const };

function closing(r: CardReport): number {
  return (
    r.openingLiabilityCents +
    r.topupsCents -
    r.usageCents -
    r.materialsCents -
    r.refundsCents +
    r.adjustmentsCents
  );
}

async function sumOfBalances(db: Db): Promise<number> {
  const res = (await db.execute(
    sql`select coalesce(sum(balance_cents), 0) as s from members`,
  )) as unknown as {
    rows: { s: unknown }[];
  };
  return Number(res.rows[0]?.s);
}

describe('materials in the card report (issue #11)', () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let db: Db;
  let member: string;
  let fromBoard: string;
  let fromDesk: string;
  const may = parseReportRange('2025-05-01', '2025-06-01', PARIS);
  const june = parseReportRange('2025-06-01', '2025-07-01', PARIS);
  const july = parseReportRange('2025-07-01', '2025-08-01', PARIS);

  beforeAll(async () => {
    database = await testDatabase();
    db = database.db;
    member = await insertMember(db, 'Awa');
    await insertMachine(db, laser.id, laser.kind, 'Découpe laser');
    await db.insert(materials).values({ id: 'pla', name: 'PLA', unit: 'g', pricePerUnitCents: 5 });
    await topup(db, member, 5000, 'cash', at('2025-05-02T09:00:00Z'));

    // May: a session billed 150 for machine use, with 50 of PLA recorded at the board (the
    // machine loop's handler) and 100 at the front desk (the API's use case).
    fromBoard = await insertSession(db, {
      machineId: laser.id,
      memberId: member,
      startedAt: at('2025-05-05T10:00:00Z'),
      endedAt: at('2025-05-05T10:10:00Z'),
      runningSeconds: 600,
      chargedCents: 150,
    });
    await usage(db, member, laser, 150, at('2025-05-05T10:10:00Z'), fromBoard);
    const applied = await handleMaterial(
      db,
      laser.id,
      {
        eventId: '2b1f8a52-6b7e-4b7a-9a4e-6f1b8e3c2d10',
        sessionId: fromBoard,
        materialId: 'pla',
        quantity: 10,
        at: '2025-05-05T10:05:00.000Z',
      },
      at('2025-05-05T10:05:00Z'),
    );
    expect(applied).toEqual({ applied: true });
    fromDesk = await insertSession(db, {
      machineId: laser.id,
      memberId: member,
      startedAt: at('2025-05-06T10:00:00Z'),
      endedAt: at('2025-05-06T10:01:00Z'),
      runningSeconds: 60,
    });
    await db.transaction((tx) =>
      recordMaterialUse(
        tx,
        'staff:desk',
        { sessionId: fromDesk, materialId: 'pla', quantity: 20 },
        at('2025-05-06T10:02:00Z'),
      ),
    );

    // June: the OLD shape — machine use 200 and 40 of materials posted as `usage`.
    const old = await insertSession(db, {
      machineId: laser.id,
      memberId: member,
      startedAt: at('2025-06-03T10:00:00Z'),
      endedAt: at('2025-06-03T10:20:00Z'),
      runningSeconds: 1200,
      chargedCents: 200,
    });
    await usage(db, member, laser, 200, at('2025-06-03T10:20:00Z'), old);
    await oldShapeMaterial(
      db,
      { sessionId: old, memberId: member, machineId: laser.id, materialId: 'pla' },
      40,
      at('2025-06-03T10:15:00Z'),
    );

    // July: an old-shape material reversed counts as a material, not an adjustment
    // (the session is still open, so not checked).
    const open = await insertSession(db, {
      machineId: laser.id,
      memberId: member,
      startedAt: at('2025-07-03T10:00:00Z'),
    });
    const wrong = await oldShapeMaterial(
      db,
      { sessionId: open, memberId: member, machineId: laser.id, materialId: 'pla' },
      60,
      at('2025-07-03T10:05:00Z'),
    );
    await reversal(db, wrong, at('2025-07-04T10:00:00Z'));
  });
  afterAll(async () => {
    await database.drop();
  });

  it('posts materials with their own kind, from the board and from the desk', async () => {
    const rows = await db
      .select({ kind: ledgerTransactions.kind, sessionId: ledgerTransactions.sessionId })
      .from(ledgerTransactions)
      .where(sql`${ledgerTransactions.sessionId} in (${fromBoard}, ${fromDesk})`);
    expect(rows.filter((r) => r.kind === 'material').map((r) => r.sessionId)).toEqual([fromBoard, fromDesk]);
    expect(rows.filter((r) => r.kind === 'usage').map((r) => r.sessionId)).toEqual([fromBoard]);
  });

  it('a month with materials: its own line, the machine line, and every check passes', async () => {
    const r = await cardReport(db, may);
    expect(r.checks.discrepancies).toEqual([]);
    expect(r.checks).toMatchObject({ sessionsMatchDebits: true, materialsMatchSales: true });
    expect(r).toMatchObject({ topupsCents: 5000, usageCents: 150, materialsCents: 150 });
    expect(r.byMachine).toEqual([
      {
        machineId: laser.id,
        machineKind: 'laser',
        usageCents: 150,
        materialsCents: 150,
        runningSeconds: 660,
        sessions: 2,
      },
    ]);
    expect(r.byMachineKind[0]).toMatchObject({ machineKind: 'laser', usageCents: 150, materialsCents: 150 });
    // Machine use is the sum of the machine lines again (issue #11: 200 vs 150).
    expect(r.byMachine.reduce((s, m) => s + m.usageCents, 0)).toBe(r.usageCents);
    expect(closing(r)).toBe(r.closingLiabilityCents);
    expect(r.closingLiabilityCents).toBe(5000 - 150 - 150);
  });

  it('old-shape materials (posted as usage) reconcile as materials', async () => {
    const r = await cardReport(db, june);
    expect(r.checks.discrepancies).toEqual([]);
    expect(r).toMatchObject({ usageCents: 200, materialsCents: 40, adjustmentsCents: 0 });
    expect(r.byMachine[0]).toMatchObject({ usageCents: 200, materialsCents: 40 });
    expect(closing(r)).toBe(r.closingLiabilityCents);
  });

  it('a reversed old-shape material nets out of materials', async () => {
    const r = await cardReport(db, july);
    expect(r).toMatchObject({ usageCents: 0, materialsCents: 0, adjustmentsCents: 0 });
    expect(closing(r)).toBe(r.closingLiabilityCents);
    expect(r.closingLiabilityCents).toBe(await sumOfBalances(db));
  });

  it('monthly figures carry materials and add up to the report', async () => {
    const months = await monthlyFigures(db, parseReportRange('2025-05-01', '2025-08-01', PARIS), PARIS);
    expect(months.map((m) => [m.month, m.usageCents, m.materialsCents])).toEqual([
      ['2025-05', 150, 150],
      ['2025-06', 200, 40],
      ['2025-07', 0, 0],
    ]);
    expect(months.at(-1)?.closingLiabilityCents).toBe(await sumOfBalances(db));
  });

  it('flags a session whose materials differ from its sales or its debits', async () => {
    const s = await insertSession(db, {
      machineId: laser.id,
      memberId: member,
      startedAt: at('2025-08-05T10:00:00Z'),
      endedAt: at('2025-08-05T10:01:00Z'),
    });
    // A material debit with no recorded sale behind it.
    await post(
      db,
      { kind: 'material', memberId: member, sessionId: s, createdAt: at('2025-08-05T10:01:00Z') },
      materialPostings(member, laser.id, 30),
    );
    const r = await cardReport(db, parseReportRange('2025-08-01', '2025-09-01', PARIS));
    expect(r.checks.sessionsMatchDebits).toBe(true);
    expect(r.checks.materialsMatchSales).toBe(false);
    expect(r.checks.discrepancies).toEqual([
      {
        kind: 'material_charge_mismatch',
        detail: `session ${s}: materialsCents 0, material sales 0 cents, card debits 30 cents`,
        ids: [s],
      },
    ]);
    expect(r.materialsCents).toBe(30);
  });
});
