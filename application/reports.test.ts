import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineKind, TopupMethod } from '../core/domain.ts';
import type { Db } from '../db/client.ts';
import { ledgerEntries, ledgerTransactions, machineSessions, members } from '../db/schema.ts';
import { testDatabase } from '../tests/support/db.ts';
import {
  adjustment,
  insertMachine,
  insertMember,
  insertSession,
  refund,
  reversal,
  topup,
  usage,
} from '../tests/support/ledger-fixtures.ts';
import { parseReportRange } from './report-range.ts';
import { type CardReport, cardReport, MAX_LISTED } from './reports.ts';

const PARIS = 'Europe/Paris';
const at = (iso: string) => new Date(iso);

function identity(r: CardReport): number {
  return (
    r.openingLiabilityCents +
    r.topupsCents -
    r.usageCents -
    r.materialsCents -
    r.refundsCents +
    r.adjustmentsCents
  );
}

describe('cardReport on a worked month', () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let db: Db;
  const laser = { id: 'laser-1', kind: 'laser' as MachineKind };
  const cnc = { id: 'cnc-1', kind: 'cnc' as MachineKind };
  let alice: string;
  let bob: string;
  let s1: string;
  let s2: string;
  let s3: string;
  let door: string;
  const march = parseReportRange('2026-03-01', '2026-04-01', PARIS);

  beforeAll(async () => {
    database = await testDatabase();
    db = database.db;
    alice = await insertMember(db, 'Alice');
    bob = await insertMember(db, 'Bob');
    await insertMachine(db, laser.id, 'laser');
    await insertMachine(db, cnc.id, 'cnc');
    door = await insertMachine(db, 'door', 'door');

    // February: opening credit, and a session started before March but billed on March 1st.
    await topup(db, alice, 5000, 'cash', at('2026-02-10T10:00:00Z'));
    const sFeb = await insertSession(db, {
      machineId: cnc.id,
      memberId: alice,
      startedAt: at('2026-02-28T22:30:00Z'),
      endedAt: at('2026-02-28T23:30:00Z'),
      runningSeconds: 3600,
      chargedCents: 150,
    });
    // 23:10 UTC on Feb 28 is already March 1st in Paris: inside the March report.
    await usage(db, alice, cnc, 150, at('2026-02-28T23:10:00Z'), sFeb);

    // March.
    await topup(db, bob, 2000, 'card', at('2026-03-02T09:00:00Z'));
    s1 = await insertSession(db, {
      machineId: laser.id,
      memberId: alice,
      startedAt: at('2026-03-03T14:00:00Z'),
      endedAt: at('2026-03-03T14:10:00Z'),
      runningSeconds: 590,
      chargedCents: 300,
    });
    await usage(db, alice, laser, 300, at('2026-03-03T14:10:00Z'), s1);
    s2 = await insertSession(db, {
      machineId: cnc.id,
      memberId: bob,
      startedAt: at('2026-03-04T14:00:00Z'),
      endedAt: at('2026-03-04T14:05:00Z'),
      runningSeconds: 240,
      chargedCents: 200,
    });
    await usage(db, bob, cnc, 120, at('2026-03-04T14:01:00Z'), s2);
    await usage(db, bob, cnc, 80, at('2026-03-04T14:05:00Z'), s2);
    // A usage reversed (machine fault): the session charged nothing in the end.
    s3 = await insertSession(db, {
      machineId: cnc.id,
      memberId: bob,
      startedAt: at('2026-03-05T14:00:00Z'),
      endedAt: at('2026-03-05T14:01:00Z'),
      runningSeconds: 30,
      chargedCents: 0,
    });
    const u3 = await usage(db, bob, cnc, 70, at('2026-03-05T14:01:00Z'), s3);
    await reversal(db, u3, at('2026-03-06T10:00:00Z'));
    // A free door opening: a session, no money.
    await insertSession(db, {
      machineId: door,
      memberId: bob,
      startedAt: at('2026-03-07T08:00:00Z'),
      endedAt: at('2026-03-07T08:00:05Z'),
      runningSeconds: 5,
    });
    // A running session: counted, not checked.
    await insertSession(db, { machineId: laser.id, memberId: bob, startedAt: at('2026-03-31T21:00:00Z') });
    await refund(db, bob, 500, 'transfer', at('2026-03-10T10:00:00Z'));
    await adjustment(db, alice, 100, at('2026-03-11T10:00:00Z'));
    await adjustment(db, bob, -50, at('2026-03-12T10:00:00Z'));
    // A HelloAsso top-up entered twice by mistake, the duplicate reversed; and an
    // adjustment reversed, then that reversal reversed again (it stands after all).
    await topup(db, alice, 1000, 'helloasso', at('2026-03-13T10:00:00Z'));
    const dup = await topup(db, alice, 1000, 'helloasso', at('2026-03-13T10:01:00Z'));
    await reversal(db, dup, at('2026-03-14T10:00:00Z'));
    const adj = await adjustment(db, bob, 25, at('2026-03-15T10:00:00Z'));
    const rev = await reversal(db, adj, at('2026-03-16T10:00:00Z'));
    await reversal(db, rev, at('2026-03-17T10:00:00Z'));

    // April (22:30 UTC on March 31 is April 1st in Paris): outside.
    await usage(db, alice, laser, 400, at('2026-03-31T22:30:00Z'));
    await topup(db, bob, 900, 'cash', at('2026-04-02T10:00:00Z'));
  });

  afterAll(async () => {
    await database.drop();
  });

  it('sums each flow and ties opening to closing', async () => {
    const r = await cardReport(db, march);
    expect(r.from).toBe('2026-02-28T23:00:00.000Z');
    expect(r.to).toBe('2026-03-31T22:00:00.000Z');
    expect(r.openingLiabilityCents).toBe(5000);
    expect(r.topupsCents).toBe(2000 + 1000 + 1000 - 1000);
    expect(r.usageCents).toBe(150 + 300 + 120 + 80 + 70 - 70);
    expect(r.refundsCents).toBe(500);
    expect(r.adjustmentsCents).toBe(100 - 50 + 25 - 25 + 25);
    expect(r.closingLiabilityCents).toBe(5000 + 3000 - 650 - 500 + 75);
    expect(identity(r)).toBe(r.closingLiabilityCents);
  });

  it('closing liability is what the members hold, minus what came after', async () => {
    const r = await cardReport(db, march);
    const [row] = await db.select({ total: sql<string>`sum(${members.balanceCents})` }).from(members);
    expect(r.closingLiabilityCents).toBe(Number(row?.total) + 400 - 900);
  });

  it('splits usage by machine and counts the sessions started in the period', async () => {
    const r = await cardReport(db, march);
    expect(r.byMachine).toEqual([
      {
        machineId: 'cnc-1',
        machineKind: 'cnc',
        usageCents: 150 + 200,
        materialsCents: 0,
        runningSeconds: 270,
        sessions: 2,
      },
      {
        machineId: 'door',
        machineKind: 'door',
        usageCents: 0,
        materialsCents: 0,
        runningSeconds: 5,
        sessions: 1,
      },
      {
        machineId: 'laser-1',
        machineKind: 'laser',
        usageCents: 300,
        materialsCents: 0,
        runningSeconds: 590,
        sessions: 2,
      },
    ]);
    expect(r.byMachine.reduce((s, m) => s + m.usageCents, 0)).toBe(r.usageCents);
  });

  it('splits top-ups and refunds by payment method', async () => {
    const r = await cardReport(db, march);
    expect(r.byMethod).toEqual([
      { method: 'card', topupsCents: 2000, refundsCents: 0 },
      { method: 'transfer', topupsCents: 0, refundsCents: 500 },
      { method: 'helloasso', topupsCents: 1000, refundsCents: 0 },
    ]);
  });

  it('finds the books sound', async () => {
    const r = await cardReport(db, march);
    expect(r.checks).toEqual({
      balanced: true,
      liabilityMatchesBalances: true,
      sessionsMatchDebits: true,
      materialsMatchSales: true,
      discrepancies: [],
    });
  });

  it('a period with nothing in it carries the liability over', async () => {
    const r = await cardReport(db, parseReportRange('2025-01-01', '2025-02-01', PARIS));
    expect(r).toMatchObject({
      openingLiabilityCents: 0,
      closingLiabilityCents: 0,
      byMachine: [],
      byMethod: [],
    });
    const june = await cardReport(db, parseReportRange('2026-06-01', '2026-07-01', PARIS));
    expect(june.openingLiabilityCents).toBe(june.closingLiabilityCents);
    expect(june.topupsCents + june.usageCents + june.refundsCents + june.adjustmentsCents).toBe(0);
  });

  it('reads one snapshot inside a caller transaction too', async () => {
    const r = await db.transaction((tx) => cardReport(tx, march));
    expect(identity(r)).toBe(r.closingLiabilityCents);
  });

  it('each session that bills the members still matches its debits', async () => {
    const debits = await db
      .select({
        sessionId: ledgerTransactions.sessionId,
        total: sql<string>`sum(${ledgerEntries.amountCents})`,
      })
      .from(ledgerEntries)
      .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, ledgerEntries.transactionId))
      .where(eq(ledgerEntries.account, 'member_cards'))
      .groupBy(ledgerTransactions.sessionId);
    const bySession = new Map(debits.map((d) => [d.sessionId, Number(d.total)]));
    expect([bySession.get(s1), bySession.get(s2), bySession.get(s3)]).toEqual([300, 200, 0]);
  });
});

describe('cardReport checks', () => {
  it('reports unbalanced transactions, stale balances and sessions billed wrong', async () => {
    const database = await testDatabase();
    const db = database.db;
    try {
      const m = await insertMember(db, 'Dana');
      await insertMachine(db, 'laser-1', 'laser');
      await topup(db, m, 1000, 'cash', at('2026-03-02T10:00:00Z'));
      const s = await insertSession(db, {
        machineId: 'laser-1',
        memberId: m,
        startedAt: at('2026-03-03T10:00:00Z'),
        endedAt: at('2026-03-03T10:05:00Z'),
        runningSeconds: 300,
        chargedCents: 250,
      });
      await usage(db, m, { id: 'laser-1', kind: 'laser' }, 200, at('2026-03-03T10:05:00Z'), s);
      // Written around postTransaction, as a bug or a hand edit would.
      const [bad] = await db
        .insert(ledgerTransactions)
        .values({ kind: 'adjustment', memberId: m, createdAt: at('2026-03-04T10:00:00Z') })
        .returning({ id: ledgerTransactions.id });
      await db
        .insert(ledgerEntries)
        .values({ transactionId: bad!.id, account: 'adjustments', amountCents: 42 });
      await db.update(members).set({ balanceCents: 9999 }).where(eq(members.id, m));
      const orphan = await insertMember(db, 'Eve');
      await db
        .insert(ledgerEntries)
        .values({ transactionId: bad!.id, account: 'member_cards', amountCents: 5, memberId: null });

      const r = await cardReport(db, parseReportRange('2026-03-01', '2026-04-01', PARIS));
      expect(r.checks.balanced).toBe(false);
      expect(r.checks.liabilityMatchesBalances).toBe(false);
      expect(r.checks.sessionsMatchDebits).toBe(false);
      expect(r.checks.discrepancies).toEqual([
        {
          kind: 'unbalanced_transaction',
          detail: `transaction ${bad!.id} (adjustment): its entries sum to 47 cents instead of 0`,
          ids: [String(bad!.id)],
        },
        {
          kind: 'balance_mismatch',
          detail: 'card entries without a member hold -5 cents of credit',
          ids: [],
        },
        {
          kind: 'balance_mismatch',
          detail: `member ${m}: cached balance 9999 cents, ledger entries 800 cents`,
          ids: [m],
        },
        {
          kind: 'session_charge_mismatch',
          detail: `session ${s}: chargedCents 250, card debits 200 cents`,
          ids: [s],
        },
      ]);
      expect(orphan).toBeTruthy();
      // Figures stay coherent even on damaged books.
      expect(identity(r)).toBe(r.closingLiabilityCents);
    } finally {
      await database.drop();
    }
  });

  it('lists at most MAX_LISTED offenders per kind, then says how many more', async () => {
    const database = await testDatabase();
    const db = database.db;
    try {
      const m = await insertMember(db);
      await insertMachine(db, 'printer-1', 'printer-3d');
      const base = Date.parse('2026-05-01T10:00:00Z');
      await db.insert(machineSessions).values(
        Array.from({ length: MAX_LISTED + 5 }, (_, i) => ({
          id: `s-${String(i).padStart(3, '0')}`,
          machineId: 'printer-1',
          memberId: m,
          requestId: `r-${i}`,
          startedAt: new Date(base + i * 60_000),
          endedAt: new Date(base + i * 60_000 + 30_000),
          lastEventAt: new Date(base + i * 60_000 + 30_000),
          runningSeconds: 30,
          chargedCents: 1,
        })),
      );
      const r = await cardReport(db, parseReportRange('2026-05-01', '2026-06-01', PARIS));
      expect(r.checks.discrepancies).toHaveLength(MAX_LISTED + 1);
      expect(r.checks.discrepancies.at(-1)).toEqual({
        kind: 'session_charge_mismatch',
        detail: '… and 5 more',
        ids: [],
      });
      expect(r.byMachine).toEqual([
        {
          machineId: 'printer-1',
          machineKind: 'printer-3d',
          usageCents: 0,
          materialsCents: 0,
          runningSeconds: 30 * 105,
          sessions: 105,
        },
      ]);
    } finally {
      await database.drop();
    }
  });
});

// Random books, random periods: the report must agree with a model kept in memory, and
// opening + topups − usage − refunds + adjustments = closing, always.
describe('cardReport against a model', () => {
  type Flow = 'topup' | 'usage' | 'refund' | 'adjustment';
  interface Booked {
    id: number;
    flow: Flow;
    /** change of the members' credit */
    credit: number;
    at: number;
    machineId?: string;
    method?: TopupMethod;
  }
  const METHODS: TopupMethod[] = ['cash', 'card', 'transfer', 'check', 'helloasso', 'other'];
  const YEAR_START = Date.parse('2026-01-01T00:00:00Z');
  const YEAR_MS = 365 * 86_400_000;

  const op = fc.oneof(
    fc.record({
      type: fc.constant('topup' as const),
      amount: fc.integer({ min: 1, max: 50_000 }),
      method: fc.constantFrom(...METHODS),
    }),
    fc.record({
      type: fc.constant('refund' as const),
      amount: fc.integer({ min: 1, max: 5_000 }),
      method: fc.constantFrom(...METHODS),
    }),
    fc.record({
      type: fc.constant('usage' as const),
      amount: fc.integer({ min: 1, max: 5_000 }),
      machine: fc.integer({ min: 0, max: 2 }),
    }),
    fc.record({
      type: fc.constant('adjustment' as const),
      amount: fc.integer({ min: -3_000, max: 3_000 }).filter((n) => n !== 0),
    }),
    fc.record({ type: fc.constant('reversal' as const), pick: fc.nat() }),
  );
  const scenario = fc.record({
    ops: fc.array(
      fc.record({ op, member: fc.integer({ min: 0, max: 2 }), at: fc.integer({ min: 0, max: YEAR_MS - 1 }) }),
      {
        minLength: 1,
        maxLength: 12,
      },
    ),
    bounds: fc.tuple(fc.integer({ min: -86_400_000, max: YEAR_MS }), fc.integer({ min: 1, max: YEAR_MS })),
  });

  it('agrees on every figure', async () => {
    const database = await testDatabase();
    const db = database.db;
    try {
      const machinesList = [
        { id: 'laser-1', kind: 'laser' as MachineKind },
        { id: 'cnc-1', kind: 'cnc' as MachineKind },
        { id: 'printer-1', kind: 'printer-3d' as MachineKind },
      ];
      for (const m of machinesList) await insertMachine(db, m.id, m.kind);
      const people = [await insertMember(db, 'A'), await insertMember(db, 'B'), await insertMember(db, 'C')];
      const booked: Booked[] = [];
      const reversed = new Set<number>();

      await fc.assert(
        fc.asyncProperty(scenario, async ({ ops, bounds }) => {
          for (const { op: o, member, at: offset } of ops) {
            const memberId = people[member]!;
            const when = new Date(YEAR_START + offset);
            switch (o.type) {
              case 'topup': {
                const id = await topup(db, memberId, o.amount, o.method, when);
                booked.push({ id, flow: 'topup', credit: o.amount, at: when.getTime(), method: o.method });
                break;
              }
              case 'refund': {
                const id = await refund(db, memberId, o.amount, o.method, when);
                booked.push({ id, flow: 'refund', credit: -o.amount, at: when.getTime(), method: o.method });
                break;
              }
              case 'usage': {
                const machine = machinesList[o.machine]!;
                const id = await usage(db, memberId, machine, o.amount, when);
                booked.push({
                  id,
                  flow: 'usage',
                  credit: -o.amount,
                  at: when.getTime(),
                  machineId: machine.id,
                });
                break;
              }
              case 'adjustment': {
                const id = await adjustment(db, memberId, o.amount, when);
                booked.push({ id, flow: 'adjustment', credit: o.amount, at: when.getTime() });
                break;
              }
              case 'reversal': {
                const candidates = booked.filter((b) => !reversed.has(b.id));
                if (candidates.length === 0) break;
                const original = candidates[o.pick % candidates.length]!;
                // A reversal comes after what it reverses.
                const revAt = Math.max(when.getTime(), original.at);
                const id = await reversal(db, original.id, new Date(revAt));
                reversed.add(original.id);
                booked.push({ ...original, id, credit: -original.credit, at: revAt });
                break;
              }
            }
          }

          const from = YEAR_START + Math.min(bounds[0], bounds[1] - 1);
          const to = YEAR_START + bounds[1];
          const r = await cardReport(db, { from: new Date(from), to: new Date(to) });
          const inRange = booked.filter((b) => b.at >= from && b.at < to);
          const sum = (list: Booked[]) => list.reduce((s, b) => s + b.credit, 0);
          const flow = (f: Flow) => sum(inRange.filter((b) => b.flow === f));
          expect(r.openingLiabilityCents).toBe(sum(booked.filter((b) => b.at < from)));
          expect(r.closingLiabilityCents).toBe(sum(booked.filter((b) => b.at < to)));
          expect(r.topupsCents).toBe(flow('topup'));
          expect(r.usageCents).toBe(0 - flow('usage'));
          expect(r.refundsCents).toBe(0 - flow('refund'));
          expect(r.adjustmentsCents).toBe(flow('adjustment'));
          expect(identity(r)).toBe(r.closingLiabilityCents);
          for (const m of machinesList) {
            const expected = 0 - sum(inRange.filter((b) => b.flow === 'usage' && b.machineId === m.id));
            expect(r.byMachine.find((x) => x.machineId === m.id)?.usageCents ?? 0).toBe(expected);
          }
          for (const method of METHODS) {
            const row = r.byMethod.find((x) => x.method === method);
            const inMethod = inRange.filter((b) => b.method === method);
            expect(row?.topupsCents ?? 0).toBe(sum(inMethod.filter((b) => b.flow === 'topup')));
            expect(row?.refundsCents ?? 0).toBe(0 - sum(inMethod.filter((b) => b.flow === 'refund')));
          }
          expect(r.checks).toMatchObject({
            balanced: true,
            liabilityMatchesBalances: true,
            sessionsMatchDebits: true,
            materialsMatchSales: true,
          });
        }),
        // A fixed seed (FC_SEED to explore others) and a budget for a loaded 2-core machine.
        { numRuns: 40, seed: Number(process.env.FC_SEED ?? 20_261_130) },
      );
    } finally {
      await database.drop();
    }
  }, 240_000);
});
