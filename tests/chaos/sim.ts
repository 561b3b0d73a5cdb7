/**
 * The deterministic simulation of the machine loop (issue #10): a seeded scheduler drives
 * simulated boards against the REAL handlers (badge, runtime, end, material, sweep) on the
 * REAL database with the committed migrations, and injects the faults a lab meets:
 * duplicates, reordering, lost acknowledgements, transactions that die before COMMIT (the
 * server killed, the database cut), boards offline for a while then replaying.
 *
 * A board behaves as the contract says (SPEC §2, docs/mqtt.md): it keeps every event in its
 * outbox until the server acknowledges it (the handler returned after its commit), then may
 * still replay it (ack lost). Invariants are checked after every step and at the end.
 * The same seed replays the same run.
 */
import { sql } from 'drizzle-orm';
import { postTransaction } from '../../application/ledger.ts';
import { handleBadge } from '../../application/machine-loop/access-service.ts';
import { handleMaterial } from '../../application/machine-loop/board-events.ts';
import {
  handleEnd,
  handleRuntime,
  sweepTimedOutSessions,
} from '../../application/machine-loop/metering-service.ts';
import { badgeHashes } from '../../application/security.ts';
import { topupPostings } from '../../core/ledger.ts';
import type { Db } from '../../db/client.ts';
import * as schema from '../../db/schema.ts';
import type { TestApp } from '../support/test-app.ts';
import { type FaultPlan, type FaultPoint, faultyDb, InjectedFault } from './faults.ts';

/** mulberry32: small, fast, good enough to drive a scheduler; the seed replays the run. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
  };
}
export type Rng = ReturnType<typeof rng>;

interface SimMachine {
  id: string;
  pricePerMinuteCents: number;
  minimumChargeCents: number;
  overdraftLimitCents: number;
}

type Pending =
  | { kind: 'runtime'; eventId: string; sessionId: string; seq: number; runningSeconds: number; at: string }
  | { kind: 'end'; eventId: string; sessionId: string; runningSeconds: number; reason: string; at: string }
  | {
      kind: 'material';
      eventId: string;
      sessionId: string;
      materialId: string;
      quantity: number;
      at: string;
    };

/** A board: relay state and its durable outbox (events kept until the server's ack). */
interface Board {
  machine: SimMachine;
  online: boolean;
  session: { id: string; runningSeconds: number; seq: number; badge: string } | null;
  outbox: Pending[];
  /** locks the server sent while the board was offline, delivered when it comes back */
  locks: string[];
}

export interface SimOptions {
  steps: number;
  /** probability that a transaction dies (half before it starts, half before COMMIT) */
  faultRate: number;
}

export interface SimReport {
  seed: number;
  steps: number;
  sessions: number;
  delivered: number;
  faults: number;
}

export class InvariantError extends Error {}

/** Everything one seed needs; the database and app are shared between seeds (fresh ids per seed). */
export interface SimContext {
  t: TestApp;
  materialId: string;
  /** distinguishes the ids of runs sharing a database (a seed replayed twice) */
  run: string;
}

export async function prepareContext(t: TestApp): Promise<SimContext> {
  const materialId = `sim-pla-${Date.now().toString(36)}`;
  const r = await t.call('POST', '/api/v1/materials', {
    body: { id: materialId, name: 'PLA', unit: 'g', pricePerUnitCents: 3 },
  });
  if (r.status !== 201) throw new Error(`material: ${r.status} ${r.text}`);
  return { t, materialId, run: Math.random().toString(36).slice(2, 6) };
}

export async function runSeed(ctx: SimContext, seed: number, opts: SimOptions): Promise<SimReport> {
  const { t } = ctx;
  const r = rng(seed);
  let faultsInjected = 0;
  let faultsArmed = true;
  const plan: FaultPlan = {
    next(): FaultPoint | null {
      if (!faultsArmed || !r.chance(opts.faultRate)) return null;
      faultsInjected++;
      return r.chance(0.5) ? 'before' : 'beforeCommit';
    },
  };
  const db: Db = faultyDb(t.db, () => plan);
  const tag = `s${seed.toString(36)}-${ctx.run}-${Math.floor(r.next() * 1e9).toString(36)}`;
  let clock = Date.parse('2026-03-02T08:00:00Z') + seed * 1000;
  const now = () => new Date(clock);

  // The lab: 2–3 machines with random pricing and floors, 2–4 members with random credit.
  // Written straight to the tables (the HTTP routes have their own tests): a seed is cheap.
  const machines: SimMachine[] = [];
  for (let i = 0, n = r.int(2, 3); i < n; i++) {
    machines.push({
      id: `${tag}-m${i}`,
      pricePerMinuteCents: r.pick([0, 10, 50, 75]),
      minimumChargeCents: r.pick([0, 50, 100]),
      overdraftLimitCents: r.pick([0, 0, 200]),
    });
  }
  await t.db.insert(schema.machines).values(
    machines.map((m) => ({
      id: m.id,
      name: m.id,
      kind: 'laser' as const,
      pricePerMinuteCents: m.pricePerMinuteCents,
      minimumChargeCents: m.minimumChargeCents,
      overdraftLimitCents: m.overdraftLimitCents,
      creditPolicy: r.pick(['lock', 'finish'] as const),
    })),
  );
  const badges: string[] = [];
  const memberIds: string[] = [];
  const members: { id: string; uid: string; credit: number }[] = [];
  for (let i = 0, n = r.int(2, 4); i < n; i++) {
    const id = crypto.randomUUID();
    const uid = crypto.randomUUID().replaceAll('-', '').slice(0, 14).toUpperCase();
    members.push({ id, uid, credit: r.pick([0, 150, 500, 2000]) });
    badges.push(uid);
    memberIds.push(id);
  }
  await t.db.transaction(async (tx) => {
    await tx
      .insert(schema.members)
      .values(members.map((m, i) => ({ id: m.id, name: `Sim ${tag} ${i}`, email: `${m.id}@example.org` })));
    await tx.insert(schema.badges).values(
      members.map((m) => ({
        id: crypto.randomUUID(),
        memberId: m.id,
        ...badgeHashes(t.keys.badgeKey, m.uid),
        uidLast4: m.uid.slice(-4),
      })),
    );
    for (const m of members) {
      if (m.credit === 0) continue;
      await postTransaction(
        tx,
        { kind: 'topup', memberId: m.id, method: 'cash', reference: tag, createdAt: now() },
        topupPostings(m.id, m.credit, 'cash'),
      );
    }
  });
  const boards: Board[] = machines.map((machine) => ({
    machine,
    online: true,
    session: null,
    outbox: [],
    locks: [],
  }));
  /** greatest runningSeconds each session's board ever emitted (all of it must be billed) */
  const emitted = new Map<string, number>();
  const sessionsSeen = new Set<string>();
  /** each material event the board emitted, and what the server did with it (once) */
  const materialOutcome = new Map<string, 'pending' | 'applied' | 'refused'>();
  const materialSession = new Map<string, string>();
  let delivered = 0;

  const isTransient = (err: unknown) => err instanceof InjectedFault;
  /** what happened, step by step: printed with a failure when replaying (`--seed N`) */
  const trace: string[] = [];
  const note = (line: string) => {
    if (process.env.SIM_TRACE) trace.push(`${new Date(clock).toISOString().slice(11, 19)} ${line}`);
  };

  const lockBoard = (b: Board, sessionId: string) => {
    note(`${b.machine.id} lock ${sessionId.slice(0, 8)}${b.online ? '' : ' (queued, offline)'}`);
    if (!b.online) {
      b.locks.push(sessionId);
      return;
    }
    if (b.session?.id !== sessionId) return; // a lock for a session the board no longer runs
    endSession(b, 'command');
  };

  const endSession = (b: Board, reason: string) => {
    const s = b.session;
    if (s === null) return;
    b.outbox.push({
      kind: 'end',
      eventId: crypto.randomUUID(),
      sessionId: s.id,
      runningSeconds: s.runningSeconds,
      reason,
      at: now().toISOString(),
    });
    b.session = null;
  };

  /** Delivers one outbox event to the server; keeps it unless acknowledged. */
  const deliver = async (b: Board, index: number) => {
    const ev = b.outbox[index];
    if (ev === undefined) return;
    try {
      let lock: string | null = null;
      if (ev.kind === 'runtime') {
        const { kind: _k, ...event } = ev;
        const o = await handleRuntime(db, b.machine.id, event, now());
        if (o.applied && o.lock) lock = o.sessionId;
      } else if (ev.kind === 'end') {
        const { kind: _k, ...event } = ev;
        await handleEnd(db, b.machine.id, { ...event, reason: event.reason as 'badge_out' }, now());
      } else {
        const { kind: _k, ...event } = ev;
        const o = await handleMaterial(db, b.machine.id, event, now());
        if (o.applied) materialOutcome.set(ev.eventId, 'applied');
        else if (o.refused !== undefined) materialOutcome.set(ev.eventId, 'refused');
      }
      delivered++;
      note(
        `${b.machine.id} delivered ${ev.kind} ${ev.sessionId.slice(0, 8)} ${'runningSeconds' in ev ? ev.runningSeconds : ''}${lock ? ' -> lock' : ''}`,
      );
      // Committed. The ack may still be lost (server killed before publishing it): then
      // the board keeps the event and replays it later, and it must change nothing.
      if (!r.chance(0.15)) b.outbox.splice(index, 1);
      if (lock !== null) lockBoard(b, lock);
    } catch (err) {
      if (!isTransient(err)) throw err;
      note(`${b.machine.id} ${ev.kind} failed: ${(err as Error).message}`);
    }
  };

  const badgeIn = async (b: Board, badge: string) => {
    if (!b.online) return; // offline decisions are covered by the offline tests
    try {
      const outcome = await handleBadge(
        db,
        t.keys.badgeKey,
        b.machine.id,
        { requestId: crypto.randomUUID(), badge, at: now().toISOString() },
        now(),
      );
      const d = outcome.decision;
      note(`${b.machine.id} badge ${badge.slice(-4)}: ${d?.reason} ${d?.sessionId?.slice(0, 8) ?? ''}`);
      // The decision may be lost after its commit: the session is then open on the server
      // only, and the sweep must close it (the board never closed its relay).
      if (r.chance(0.05)) return;
      if (d?.granted && d.sessionId) {
        b.session = { id: d.sessionId, runningSeconds: 0, seq: 0, badge };
        sessionsSeen.add(d.sessionId);
        emitted.set(d.sessionId, 0);
      }
    } catch (err) {
      if (!isTransient(err)) throw err;
    }
  };

  const step = async () => {
    const b = r.pick(boards);
    const roll = r.next();
    if (roll < 0.2) {
      if (b.session === null) await badgeIn(b, r.pick(badges));
      else endSession(b, 'badge_out');
    } else if (roll < 0.45) {
      // The machine runs for a while and the board reports it.
      clock += r.int(1, 40) * 1000;
      const s = b.session;
      if (s !== null) {
        s.runningSeconds += r.int(0, 40);
        s.seq++;
        emitted.set(s.id, Math.max(emitted.get(s.id) ?? 0, s.runningSeconds));
        b.outbox.push({
          kind: 'runtime',
          eventId: crypto.randomUUID(),
          sessionId: s.id,
          seq: s.seq,
          runningSeconds: s.runningSeconds,
          at: now().toISOString(),
        });
      }
    } else if (roll < 0.5) {
      const s = b.session;
      const eventId = crypto.randomUUID();
      if (s !== null) materialOutcome.set(eventId, 'pending');
      if (s !== null) materialSession.set(eventId, s.id);
      if (s !== null)
        b.outbox.push({
          kind: 'material',
          eventId,
          sessionId: s.id,
          materialId: ctx.materialId,
          quantity: r.int(1, 20),
          at: now().toISOString(),
        });
    } else if (roll < 0.8) {
      // Delivery: any event of the outbox (reordering), if the board is online.
      if (b.online && b.outbox.length > 0) await deliver(b, r.int(0, b.outbox.length - 1));
    } else if (roll < 0.88) {
      b.online = !b.online;
      note(`${b.machine.id} ${b.online ? 'online' : 'offline'}`);
      if (b.online) for (const sessionId of b.locks.splice(0)) lockBoard(b, sessionId);
    } else if (roll < 0.95) {
      clock += r.int(5, 120) * 1000;
      await sweep();
    } else {
      clock += r.int(1, 5) * 1000;
    }
  };

  const sweep = async () => {
    try {
      const closed = await sweepTimedOutSessions(db, now());
      note(`sweep closed ${closed.map((c) => c.sessionId.slice(0, 8)).join(',')}`);
      for (const s of closed) {
        const b = boards.find((x) => x.machine.id === s.machineId);
        if (b) lockBoard(b, s.sessionId);
      }
    } catch (err) {
      if (!isTransient(err)) throw err;
    }
  };

  const check = async (final: boolean, where: string) => {
    try {
      await check1(final, where);
    } catch (err) {
      if (err instanceof InvariantError && trace.length > 0)
        throw new InvariantError(`${err.message}\n  trace:\n    ${trace.slice(-25).join('\n    ')}`);
      throw err;
    }
  };
  const check1 = async (final: boolean, where: string) => {
    await checkInvariants(t.db, {
      memberIds,
      machines,
      boards,
      emitted: final ? emitted : null,
      materials: final ? { outcome: materialOutcome, session: materialSession } : null,
      where: `seed ${seed}, ${where}`,
    });
  };

  for (let i = 0; i < opts.steps; i++) {
    await step();
    await check(false, `after step ${i + 1}`);
  }

  // The end of the day: no more faults, every board comes back, ends its session and
  // replays its whole outbox; the sweep closes what the server alone knew about.
  faultsArmed = false;
  for (const b of boards) {
    b.online = true;
    for (const sessionId of b.locks.splice(0)) lockBoard(b, sessionId);
    endSession(b, 'badge_out');
  }
  for (let guard = 0; boards.some((b) => b.outbox.length > 0); guard++) {
    if (guard > 10_000) throw new InvariantError(`seed ${seed}: outboxes never drained`);
    for (const b of boards) if (b.outbox.length > 0) await deliver(b, 0);
  }
  clock += 3600_000;
  await sweep();
  await check(true, 'at the end');
  return { seed, steps: opts.steps, sessions: sessionsSeen.size, delivered, faults: faultsInjected };
}

interface InvariantScope {
  memberIds: string[];
  machines: SimMachine[];
  boards: Board[];
  /** at the end: every emitted runningSeconds must be billed */
  emitted: Map<string, number> | null;
  materials: { outcome: Map<string, string>; session: Map<string, string> } | null;
  where: string;
}

type Row = Record<string, unknown>;
const rowsOf = (res: unknown): Row[] => ((res as { rows?: Row[] }).rows ?? (res as Row[])) as Row[];
const num = (v: unknown) => Number(v);

async function checkInvariants(db: Db, scope: InvariantScope): Promise<void> {
  const fail = (what: string) => {
    throw new InvariantError(`${scope.where}: ${what}`);
  };
  const members = sql.join(
    scope.memberIds.map((id) => sql`${id}`),
    sql`, `,
  );
  // Every ledger transaction of these members balances.
  const unbalanced = rowsOf(
    await db.execute(sql`
      with mine as (select distinct transaction_id from ledger_entries
                    where account = 'member_cards' and member_id in (${members}))
      select e.transaction_id, sum(e.amount_cents) as total from ledger_entries e
      join mine using (transaction_id)
      group by e.transaction_id having sum(e.amount_cents) <> 0`),
  );
  if (unbalanced.length > 0) fail(`unbalanced ledger transaction ${JSON.stringify(unbalanced[0])}`);
  // Cached balance = −Σ member_cards entries; never below the lowest floor of the lab.
  const lowestFloor = -Math.max(...scope.machines.map((m) => m.overdraftLimitCents));
  const balances = rowsOf(
    await db.execute(sql`
      select m.id, m.balance_cents as cached,
        -coalesce((select sum(e.amount_cents) from ledger_entries e
                   where e.account = 'member_cards' and e.member_id = m.id), 0) as derived
      from members m where m.id in (${members})`),
  );
  for (const b of balances) {
    if (num(b.cached) !== num(b.derived)) fail(`member ${b.id}: cached ${b.cached} ≠ Σ entries ${b.derived}`);
    if (num(b.cached) < lowestFloor)
      fail(`member ${b.id}: balance ${b.cached} below the floor ${lowestFloor}`);
  }
  // Each session's debits = its charge (machine use + materials), never more than due.
  const sessions = rowsOf(
    await db.execute(sql`
      select s.id, s.machine_id, s.member_id, s.ended_at, s.running_seconds, s.due_cents,
        s.charged_cents, s.materials_cents,
        coalesce((select sum(e.amount_cents) from ledger_transactions t
                  join ledger_entries e on e.transaction_id = t.id
                  where t.session_id = s.id and e.account = 'machine_revenue'), 0) as machine_credits,
        coalesce((select sum(e.amount_cents) from ledger_transactions t
                  join ledger_entries e on e.transaction_id = t.id
                  where t.session_id = s.id and e.account = 'member_cards'), 0) as card_debits
      from machine_sessions s where s.member_id in (${members})`),
  );
  const open = new Map<string, Row>();
  for (const s of sessions) {
    if (-num(s.machine_credits) !== num(s.charged_cents))
      fail(`session ${s.id}: machine revenue ${-num(s.machine_credits)} ≠ chargedCents ${s.charged_cents}`);
    if (num(s.card_debits) !== num(s.charged_cents) + num(s.materials_cents))
      fail(
        `session ${s.id}: card debits ${s.card_debits} ≠ charged ${s.charged_cents} + materials ${s.materials_cents}`,
      );
    if (num(s.charged_cents) > num(s.due_cents)) fail(`session ${s.id}: charged more than due`);
    if (s.ended_at === null) open.set(String(s.machine_id), s);
  }
  // No machine left unlocked without its open session (boards that can hear the server).
  for (const b of scope.boards) {
    if (b.session === null || !b.online) continue;
    const s = open.get(b.machine.id);
    if (s === undefined || s.id !== b.session.id)
      fail(
        `machine ${b.machine.id}: relay closed for ${b.session.id} but the server has no such open session`,
      );
  }
  if (scope.emitted === null) return;
  // At the end: nothing open, nothing lost, nothing billed twice.
  if (open.size > 0) fail(`sessions still open: ${[...open.keys()].join(', ')}`);
  for (const s of sessions) {
    const want = scope.emitted.get(String(s.id)) ?? 0;
    if (num(s.running_seconds) !== want)
      fail(`session ${s.id}: billed ${s.running_seconds} s, the board reported ${want} s`);
    const m = scope.machines.find((x) => x.id === s.machine_id);
    if (m === undefined) continue;
    const formula = Math.max(m.minimumChargeCents, Math.ceil(want / 60) * m.pricePerMinuteCents);
    if (num(s.due_cents) !== formula) fail(`session ${s.id}: due ${s.due_cents}, formula says ${formula}`);
  }
  // Every material event the board sent was charged once or refused once (card empty).
  const mats = scope.materials;
  if (mats === null) return;
  const applied = new Map<string, number>();
  for (const [eventId, outcome] of mats.outcome) {
    if (outcome === 'pending') fail(`material event ${eventId} acknowledged but never charged nor refused`);
    const sessionId = mats.session.get(eventId) ?? '';
    if (outcome === 'applied') applied.set(sessionId, (applied.get(sessionId) ?? 0) + 1);
  }
  const uses = rowsOf(
    await db.execute(sql`
      select s.id, (select count(*) from material_uses u where u.session_id = s.id) as uses
      from machine_sessions s where s.member_id in (${members})`),
  );
  for (const u of uses)
    if (num(u.uses) !== (applied.get(String(u.id)) ?? 0))
      fail(`session ${u.id}: ${u.uses} material uses recorded, ${applied.get(String(u.id)) ?? 0} applied`);
}
