/**
 * Issue #10 item 2, on real PostgreSQL (PGlite runs one query at a time and cannot show it):
 * badge, runtime, end, the sweep, a material (board and API) and dashboard actions (top-up,
 * machine PATCH) run at once on ONE machine, for many rounds. No deadlock or serialization
 * error escapes (one lock order, db/lock-order.ts; whole-transaction retry,
 * db/transaction.ts), and the money invariants hold after every round.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../application/errors.ts';
import { idempotent } from '../application/idempotency.ts';
import { recordMaterialUse } from '../application/lab-practices.ts';
import { handleBadge } from '../application/machine-loop/access-service.ts';
import { handleMaterial } from '../application/machine-loop/board-events.ts';
import {
  handleEnd,
  handleRuntime,
  sweepTimedOutSessions,
} from '../application/machine-loop/metering-service.ts';
import { updateMachine } from '../application/machines.ts';
import { moveMoney } from '../application/money.ts';
import type { Db } from '../db/client.ts';
import { materials } from '../db/schema.ts';
import { isRetryableTransactionError, retryStats, sqlState } from '../db/transaction.ts';
import { onPostgres, testDatabase } from './support/db.ts';
import { addMachine, addMember, TEST_BADGE_KEY } from './support/fixtures.ts';

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
}, 120_000);
afterAll(async () => database?.drop(), 120_000);

const MACHINE = 'm-race';
const OVERDRAFT = 300;
const ROUNDS = 40;

/** Every invariant of the ledger and the sessions, read straight from the tables. */
async function checkInvariants(): Promise<void> {
  const q = async <T>(text: ReturnType<typeof sql>) =>
    ((await db.execute(text)) as unknown as { rows: T[] }).rows;
  // cached balance = Σ member_cards entries (as credit), for every member
  const drift = await q<{ id: string }>(sql`
    select m.id from members m
    left join ledger_entries e on e.member_id = m.id and e.account = 'member_cards'
    group by m.id, m.balance_cents
    having m.balance_cents <> -coalesce(sum(e.amount_cents), 0)`);
  expect(drift).toEqual([]);
  // every ledger transaction balanced
  const unbalanced = await q<{ id: number }>(sql`
    select transaction_id as id from ledger_entries group by transaction_id having sum(amount_cents) <> 0`);
  expect(unbalanced).toEqual([]);
  // each session's machine-time debits = its charge; its material debits = its materials
  const sessionDrift = await q<{ id: string }>(sql`
    select s.id from machine_sessions s
    left join ledger_transactions t on t.session_id = s.id
    left join ledger_entries e on e.transaction_id = t.id
    group by s.id, s.charged_cents, s.materials_cents
    having s.charged_cents <> -coalesce(sum(e.amount_cents) filter (where e.account = 'machine_revenue'), 0)
        or s.materials_cents <> -coalesce(sum(e.amount_cents) filter (where e.account = 'material_revenue'), 0)`);
  expect(sessionDrift).toEqual([]);
  // no balance below its floor (the machine's overdraft is the only floor here)
  const below = await q<{ id: string }>(sql`select id from members where balance_cents < ${-OVERDRAFT}`);
  expect(below).toEqual([]);
  // at most one open session per machine
  const doubled = await q<{ machine_id: string }>(sql`
    select machine_id from machine_sessions where ended_at is null group by machine_id having count(*) > 1`);
  expect(doubled).toEqual([]);
}

async function addRaceMachine(id: string) {
  await addMachine(db, id, {
    pricePerMinuteCents: 50,
    minimumChargeCents: 100,
    sessionFeeCents: 200,
    idlePricePerMinuteCents: 10,
    overdraftLimitCents: OVERDRAFT,
    heartbeatSeconds: 1,
    maintenanceEveryHours: 1000,
  });
}

interface Race {
  uids: string[];
  memberIds: string[];
  sessions: Map<string, string[]>;
  escaped: unknown[];
}

/** One round on one machine: a badge opens a session, then every path races on it. */
async function round(race: Race, machineId: string, n: number, t0: number): Promise<void> {
  const { uids, memberIds } = race;
  const seen = race.sessions.get(machineId) ?? [];
  race.sessions.set(machineId, seen);
  const now = new Date(t0 + n * 10_000);
  const open = await handleBadge(
    db,
    TEST_BADGE_KEY,
    machineId,
    { requestId: crypto.randomUUID(), badge: uids[n % 3]!, at: now.toISOString() },
    now,
  );
  if (open.decision?.sessionId) seen.push(open.decision.sessionId);
  const sessionId = open.decision?.sessionId ?? seen.at(-1) ?? 'none';
  const memberId = memberIds[n % 3]!;
  const later = (s: number) => new Date(now.getTime() + s * 1000);
  const work: Promise<unknown>[] = [
    // another member badges (busy, or a takeover of a session that stopped running)
    handleBadge(
      db,
      TEST_BADGE_KEY,
      machineId,
      { requestId: crypto.randomUUID(), badge: uids[(n + 1) % 3]!, at: now.toISOString() },
      later(70),
    ).then((o) => o.decision?.sessionId && seen.push(o.decision.sessionId)),
    ...[30, 90, 150, 61].map((sec) =>
      handleRuntime(
        db,
        machineId,
        {
          eventId: crypto.randomUUID(),
          sessionId,
          seq: sec,
          runningSeconds: sec,
          unlockedSeconds: sec + 20,
          at: now.toISOString(),
        },
        later(sec),
      ),
    ),
    handleEnd(
      db,
      machineId,
      {
        eventId: crypto.randomUUID(),
        sessionId,
        runningSeconds: 120 + (n % 5) * 60,
        reason: 'badge_out',
        at: now.toISOString(),
      },
      later(5),
    ),
    // the sweep, far enough ahead that every open session has timed out
    sweepTimedOutSessions(db, later(3600)),
    handleMaterial(
      db,
      machineId,
      { eventId: crypto.randomUUID(), sessionId, materialId: 'pla', quantity: 7, at: now.toISOString() },
      later(10),
    ),
    // the API's material route (Idempotency-Key path)
    idempotent(db, `material:${sessionId}`, crypto.randomUUID(), { n }, async (tx) => ({
      status: 201,
      body: await recordMaterialUse(
        tx,
        'staff:test',
        { sessionId, materialId: 'pla', quantity: 2 },
        later(11),
      ),
    })),
    // dashboard: a top-up of the member using the machine, and a PATCH of the machine
    idempotent(db, `topup:${memberId}`, crypto.randomUUID(), { n, machineId }, async (tx) => ({
      status: 201,
      body: await moveMoney(
        tx,
        'staff:test',
        'topup',
        memberId,
        { amountCents: 150, method: 'cash' },
        later(12),
      ),
    })),
    updateMachine(db, 'staff:test', machineId, { graceSeconds: n % 2 }, later(13)),
  ];
  for (const r of await Promise.allSettled(work)) {
    // Refusals are answers (409: a card that cannot pay); anything else is a failure.
    if (r.status === 'rejected' && !(r.reason instanceof ServiceError)) race.escaped.push(r.reason);
  }
}

function expectNothingEscaped(race: Race): void {
  for (const err of race.escaped) {
    // Fail with the error itself, and say whether it is the kind the retry should have absorbed.
    expect({
      retryable: isRetryableTransactionError(err),
      code: sqlState(err),
      message: String(err),
    }).toBeNull();
  }
  // Not a proof by itself, but shows how much the retry had to absorb (none, with one lock order).
  console.info('transaction retries so far:', JSON.stringify(retryStats()));
}

async function newRace(): Promise<Race> {
  const uids = Array.from({ length: 3 }, () => crypto.randomUUID().slice(0, 8).toUpperCase());
  const memberIds: string[] = [];
  for (const uid of uids) memberIds.push(await addMember(db, { uid, creditCents: 3000 }));
  return { uids, memberIds, sessions: new Map(), escaped: [] };
}

describe.skipIf(!onPostgres)('every path at once (real PostgreSQL)', () => {
  beforeAll(async () => {
    await db.insert(materials).values({ id: 'pla', name: 'PLA', unit: 'g', pricePerUnitCents: 3 });
  });

  it(`one machine, ${ROUNDS} rounds of badge, runtime, end, sweep, materials, top-up and machine PATCH: no deadlock escapes, invariants hold`, async () => {
    await addRaceMachine(MACHINE);
    const race = await newRace();
    const t0 = Date.now();
    for (let n = 0; n < ROUNDS; n++) {
      await round(race, MACHINE, n, t0);
      await checkInvariants();
    }
    expectNothingEscaped(race);
    expect(race.sessions.get(MACHINE)!.length).toBeGreaterThan(1);
  }, 300_000);

  it('two machines and the same three members, rounds racing on both at once', async () => {
    await addRaceMachine('m-race-a');
    await addRaceMachine('m-race-b');
    const race = await newRace();
    const t0 = Date.now();
    for (let n = 0; n < ROUNDS / 2; n++) {
      await Promise.all([round(race, 'm-race-a', n, t0), round(race, 'm-race-b', n + 1, t0)]);
      await checkInvariants();
    }
    expectNothingEscaped(race);
    expect(race.sessions.get('m-race-a')!.length).toBeGreaterThan(1);
    expect(race.sessions.get('m-race-b')!.length).toBeGreaterThan(1);
  }, 300_000);
});
