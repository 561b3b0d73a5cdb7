/**
 * The machine-card report (SPEC §3 `GET /api/v1/reports/cards`): how the prepaid money the
 * members hold moved over a period, per flow, per machine and per payment method, with the
 * integrity checks a treasurer needs before signing it off. Everything is summed in SQL.
 *
 * Figures follow the ledger's dates (`ledger_transactions.created_at`), from inclusive, to
 * exclusive, and always satisfy
 *   openingLiabilityCents + topupsCents − usageCents − refundsCents + adjustmentsCents
 *     = closingLiabilityCents.
 */
import { sql } from 'drizzle-orm';
import { MACHINE_KINDS, type MachineKind, TOPUP_METHODS } from '../core/domain.ts';
import type { DbOrTx } from '../db/client.ts';
import { effectiveKinds, inSnapshot, num, rowsOf, ts } from './ledger-sql.ts';
import type { ReportRange } from './report-range.ts';

export interface MachineUsage {
  machineId: string;
  machineKind: MachineKind;
  /** card credit consumed on this machine in the period (usage net of its reversals) */
  usageCents: number;
  /** Σ runningSeconds of the sessions that STARTED in the period (open ones included) */
  runningSeconds: number;
  /** how many sessions STARTED in the period */
  sessions: number;
}

/** byMachine summed per machine kind (the revenue accounts 706x follow the kind). */
export interface MachineKindUsage {
  machineKind: MachineKind;
  usageCents: number;
  runningSeconds: number;
  sessions: number;
  machines: number;
}

export interface MethodFlows {
  /** `cash`, `card`, … as recorded on the top-up or refund; `unknown` if none was */
  method: string;
  topupsCents: number;
  refundsCents: number;
}

export type DiscrepancyKind = 'unbalanced_transaction' | 'balance_mismatch' | 'session_charge_mismatch';

export interface Discrepancy {
  kind: DiscrepancyKind;
  detail: string;
  /** transaction, member or session ids concerned */
  ids: string[];
}

export interface CardReport {
  from: string;
  to: string;
  /** what members held (their credit, positive) at `from` */
  openingLiabilityCents: number;
  /** credit bought, net of reversed top-ups */
  topupsCents: number;
  /** credit consumed by machine use, net of reversed usage */
  usageCents: number;
  /** credit paid back to members, net of reversed refunds */
  refundsCents: number;
  /** signed: credit added minus credit removed by the treasurer's adjustments */
  adjustmentsCents: number;
  /** what members held at `to` */
  closingLiabilityCents: number;
  byMachine: MachineUsage[];
  byMachineKind: MachineKindUsage[];
  byMethod: MethodFlows[];
  checks: {
    /** every transaction dated before `to` sums to zero over at least two entries */
    balanced: boolean;
    /** now: every member's cached balance equals −Σ their card entries (hence the totals too) */
    liabilityMatchesBalances: boolean;
    /** each closed session started in the period: chargedCents = Σ its card debits, net of reversals */
    sessionsMatchDebits: boolean;
    /** at most MAX_LISTED per kind, then one line saying how many more */
    discrepancies: Discrepancy[];
  };
}

export const MAX_LISTED = 100;

export async function cardReport(db: DbOrTx, range: ReportRange): Promise<CardReport> {
  return inSnapshot(db, async (tx) => {
    const liability = await liabilities(tx, range);
    const flows = await flowsInRange(tx, range);
    const byMachine = await machineFigures(tx, range, flows.machineUsage);
    const unbalanced = await unbalancedTransactions(tx, range);
    const balances = await balanceMismatches(tx);
    const sessions = await sessionMismatches(tx, range);
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      openingLiabilityCents: liability.opening,
      topupsCents: flows.topups,
      usageCents: flows.usage,
      refundsCents: flows.refunds,
      adjustmentsCents: flows.adjustments,
      closingLiabilityCents: liability.closing,
      byMachine,
      byMachineKind: byKind(byMachine),
      byMethod: flows.byMethod,
      checks: {
        balanced: unbalanced.length === 0,
        liabilityMatchesBalances: balances.length === 0,
        sessionsMatchDebits: sessions.length === 0,
        discrepancies: [...unbalanced, ...balances, ...sessions],
      },
    };
  });
}

/** Members' credit = −Σ member_cards entries dated before each bound. */
async function liabilities(db: DbOrTx, range: ReportRange): Promise<{ opening: number; closing: number }> {
  const [row] = await rowsOf<{ opening: unknown; closing: unknown }>(
    db,
    sql`select
          coalesce(sum(e.amount_cents) filter (where t.created_at < ${ts(range.from)}), 0) as opening,
          coalesce(sum(e.amount_cents), 0) as closing
        from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
        where e.account = 'member_cards' and t.created_at < ${ts(range.to)}`,
  );
  // 0 − x, not −x: no −0 in the answer.
  return { opening: 0 - num(row?.opening), closing: 0 - num(row?.closing) };
}

interface Flows {
  topups: number;
  usage: number;
  refunds: number;
  adjustments: number;
  byMethod: MethodFlows[];
  machineUsage: Map<string, { kind: string | null; usageCents: number }>;
}

async function flowsInRange(db: DbOrTx, range: ReportRange): Promise<Flows> {
  const rows = await rowsOf<{
    kind: string;
    method: string | null;
    account: string;
    machine_id: string | null;
    machine_kind: string | null;
    total: unknown;
  }>(
    db,
    sql`with recursive ${effectiveKinds(sql`t.created_at >= ${ts(range.from)} and t.created_at < ${ts(range.to)}`)}
        select eff.kind, r.method, e.account, e.machine_id,
          coalesce(max(m.kind), max(e.machine_kind)) as machine_kind,
          sum(e.amount_cents) as total
        from eff
          join ledger_entries e on e.transaction_id = eff.tx_id
          left join ledger_transactions r on r.id = eff.root_id
          left join machines m on m.id = e.machine_id
        where e.account = 'member_cards' or (e.account = 'machine_revenue' and eff.kind = 'usage')
        group by eff.kind, r.method, e.account, e.machine_id`,
  );
  const flows: Flows = {
    topups: 0,
    usage: 0,
    refunds: 0,
    adjustments: 0,
    byMethod: [],
    machineUsage: new Map(),
  };
  const methods = new Map<string, MethodFlows>();
  const method = (name: string | null): MethodFlows => {
    const key = name ?? 'unknown';
    let m = methods.get(key);
    if (m === undefined) {
      m = { method: key, topupsCents: 0, refundsCents: 0 };
      methods.set(key, m);
    }
    return m;
  };
  for (const row of rows) {
    const total = num(row.total);
    if (row.account === 'machine_revenue') {
      // Revenue is credited (negative): usage on the machine is its opposite.
      const key = row.machine_id ?? 'unknown';
      const m = flows.machineUsage.get(key) ?? { kind: row.machine_kind, usageCents: 0 };
      m.usageCents -= total;
      flows.machineUsage.set(key, m);
      continue;
    }
    // member_cards: a debit (positive) takes credit away from members, a credit adds it.
    switch (row.kind) {
      case 'topup':
        flows.topups -= total;
        method(row.method).topupsCents -= total;
        break;
      case 'usage':
        flows.usage += total;
        break;
      case 'refund':
        flows.refunds += total;
        method(row.method).refundsCents += total;
        break;
      default:
        // adjustments, and reversals whose original is missing
        flows.adjustments -= total;
        break;
    }
  }
  const order = (m: string) => {
    const i = (TOPUP_METHODS as readonly string[]).indexOf(m);
    return i === -1 ? TOPUP_METHODS.length : i;
  };
  flows.byMethod = [...methods.values()]
    .filter((m) => m.topupsCents !== 0 || m.refundsCents !== 0)
    .sort((a, b) => order(a.method) - order(b.method) || a.method.localeCompare(b.method));
  return flows;
}

/**
 * Per machine: card usage from the ledger (dated like every other figure), and running time
 * and session count from the sessions that STARTED in the period. Counting by start puts a
 * session that spans midnight at the end of a month in one period only, and lets the
 * report for the current month include sessions still running; its debits, though, fall in
 * the periods they were posted in. A machine appears if it has usage or sessions.
 */
async function machineFigures(
  db: DbOrTx,
  range: ReportRange,
  usage: Flows['machineUsage'],
): Promise<MachineUsage[]> {
  const rows = await rowsOf<{ machine_id: string; kind: string | null; sessions: unknown; seconds: unknown }>(
    db,
    sql`select s.machine_id, max(m.kind) as kind, count(*) as sessions,
          coalesce(sum(s.running_seconds), 0) as seconds
        from machine_sessions s left join machines m on m.id = s.machine_id
        where s.started_at >= ${ts(range.from)} and s.started_at < ${ts(range.to)}
        group by s.machine_id`,
  );
  const byId = new Map<string, MachineUsage>();
  const entry = (machineId: string, kind: string | null): MachineUsage => {
    let m = byId.get(machineId);
    if (m === undefined) {
      m = { machineId, machineKind: machineKind(kind), usageCents: 0, runningSeconds: 0, sessions: 0 };
      byId.set(machineId, m);
    }
    return m;
  };
  for (const [machineId, u] of usage) {
    if (u.usageCents !== 0) entry(machineId, u.kind).usageCents = u.usageCents;
  }
  for (const row of rows) {
    const m = entry(row.machine_id, row.kind);
    m.runningSeconds = num(row.seconds);
    m.sessions = num(row.sessions);
  }
  return [...byId.values()].sort((a, b) =>
    a.machineId < b.machineId ? -1 : a.machineId > b.machineId ? 1 : 0,
  );
}

function byKind(byMachine: readonly MachineUsage[]): MachineKindUsage[] {
  const kinds = new Map<MachineKind, MachineKindUsage>();
  for (const m of byMachine) {
    const k = kinds.get(m.machineKind) ?? {
      machineKind: m.machineKind,
      usageCents: 0,
      runningSeconds: 0,
      sessions: 0,
      machines: 0,
    };
    k.usageCents += m.usageCents;
    k.runningSeconds += m.runningSeconds;
    k.sessions += m.sessions;
    k.machines += 1;
    kinds.set(m.machineKind, k);
  }
  return MACHINE_KINDS.flatMap((kind) => kinds.get(kind) ?? []);
}

function machineKind(kind: string | null): MachineKind {
  return (MACHINE_KINDS as readonly string[]).includes(kind ?? '') ? (kind as MachineKind) : 'other';
}

function capped(kind: DiscrepancyKind, total: number, listed: Discrepancy[]): Discrepancy[] {
  if (total <= listed.length) return listed;
  return [...listed, { kind, detail: `… and ${total - listed.length} more`, ids: [] }];
}

/** Every transaction the closing figure relies on must sum to zero (double entry). */
async function unbalancedTransactions(db: DbOrTx, range: ReportRange): Promise<Discrepancy[]> {
  const rows = await rowsOf<{
    id: unknown;
    kind: string;
    total: unknown;
    entries: unknown;
    offenders: unknown;
  }>(
    db,
    sql`select t.id, t.kind, coalesce(sum(e.amount_cents), 0) as total, count(e.id) as entries,
          count(*) over () as offenders
        from ledger_transactions t left join ledger_entries e on e.transaction_id = t.id
        where t.created_at < ${ts(range.to)}
        group by t.id, t.kind
        having coalesce(sum(e.amount_cents), 0) <> 0 or count(e.id) < 2
        order by t.id
        limit ${MAX_LISTED}`,
  );
  const listed = rows.map((r): Discrepancy => {
    const id = String(r.id);
    const total = num(r.total);
    return {
      kind: 'unbalanced_transaction',
      detail:
        total !== 0
          ? `transaction ${id} (${r.kind}): its entries sum to ${total} cents instead of 0`
          : `transaction ${id} (${r.kind}) has ${num(r.entries)} entries; double entry needs at least 2`,
      ids: [id],
    };
  });
  return capped('unbalanced_transaction', num(rows[0]?.offenders), listed);
}

/** The cached balances guard concurrency; the entries are the truth (STYLE: a test proves they agree). */
async function balanceMismatches(db: DbOrTx): Promise<Discrepancy[]> {
  const rows = await rowsOf<{
    member_id: string | null;
    cached: unknown;
    credit: unknown;
    offenders: unknown;
  }>(
    db,
    sql`select coalesce(m.id, c.member_id) as member_id,
          coalesce(m.balance_cents, 0) as cached,
          coalesce(-c.total, 0) as credit,
          count(*) over () as offenders
        from members m
          full outer join (
            select member_id, sum(amount_cents) as total
            from ledger_entries where account = 'member_cards' group by member_id
          ) c on c.member_id = m.id
        where coalesce(m.balance_cents, 0) <> coalesce(-c.total, 0)
        order by 1 nulls first
        limit ${MAX_LISTED}`,
  );
  const listed = rows.map(
    (r): Discrepancy =>
      r.member_id === null
        ? {
            kind: 'balance_mismatch',
            detail: `card entries without a member hold ${num(r.credit)} cents of credit`,
            ids: [],
          }
        : {
            kind: 'balance_mismatch',
            detail: `member ${r.member_id}: cached balance ${num(r.cached)} cents, ledger entries ${num(r.credit)} cents`,
            ids: [r.member_id],
          },
  );
  return capped('balance_mismatch', num(rows[0]?.offenders), listed);
}

/**
 * SPEC §3: "the session's chargedCents is what was actually debited". Checked for the
 * closed sessions started in the period (the ones byMachine counts); an open session is
 * still being debited.
 */
async function sessionMismatches(db: DbOrTx, range: ReportRange): Promise<Discrepancy[]> {
  const inRange = sql`s.ended_at is not null and s.started_at >= ${ts(range.from)} and s.started_at < ${ts(range.to)}`;
  const rows = await rowsOf<{ id: string; charged: unknown; debits: unknown; offenders: unknown }>(
    db,
    sql`with recursive ${effectiveKinds(sql`t.session_id in (select s.id from machine_sessions s where ${inRange})`)},
        debits as (
          select t.session_id, sum(e.amount_cents) as total
          from eff
            join ledger_transactions t on t.id = eff.tx_id
            join ledger_entries e on e.transaction_id = eff.tx_id
          where eff.kind = 'usage' and e.account = 'member_cards'
          group by t.session_id
        )
        select s.id, s.charged_cents as charged, coalesce(d.total, 0) as debits, count(*) over () as offenders
        from machine_sessions s left join debits d on d.session_id = s.id
        where ${inRange} and s.charged_cents <> coalesce(d.total, 0)
        order by s.started_at, s.id
        limit ${MAX_LISTED}`,
  );
  const listed = rows.map(
    (r): Discrepancy => ({
      kind: 'session_charge_mismatch',
      detail: `session ${r.id}: chargedCents ${num(r.charged)}, card debits ${num(r.debits)} cents`,
      ids: [r.id],
    }),
  );
  return capped('session_charge_mismatch', num(rows[0]?.offenders), listed);
}
