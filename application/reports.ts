/**
 * The machine-card report (SPEC §3 `GET /api/v1/reports/cards`): how the prepaid money the
 * members hold moved over a period, per flow, per machine and per payment method, with the
 * integrity checks a treasurer needs before signing it off. Everything is summed in SQL.
 *
 * Figures follow the ledger's dates (`ledger_transactions.created_at`), from inclusive, to
 * exclusive, and always satisfy
 *   openingLiabilityCents + topupsCents − usageCents − materialsCents − refundsCents
 *     + adjustmentsCents = closingLiabilityCents.
 * Materials are their own flow (issue #11), old ones posted as `usage` included
 * (ledger-sql.ts recordedKind); the checks are in report-checks.ts.
 */
import { sql } from 'drizzle-orm';
import { MACHINE_KINDS, type MachineKind, TOPUP_METHODS } from '../core/domain.ts';
import type { DbOrTx } from '../db/client.ts';
import { effectiveKinds, inSnapshot, num, rowsOf, ts } from './ledger-sql.ts';
import {
  balanceMismatches,
  type Discrepancy,
  materialMismatches,
  sessionMismatches,
  unbalancedTransactions,
} from './report-checks.ts';
import type { ReportRange } from './report-range.ts';

export { type Discrepancy, type DiscrepancyKind, MAX_LISTED } from './report-checks.ts';

export interface MachineUsage {
  machineId: string;
  machineKind: MachineKind;
  /** card credit consumed by machine use on this machine in the period (net of reversals) */
  usageCents: number;
  /** materials sold in this machine's sessions in the period (net of reversals; issue #11) */
  materialsCents: number;
  /** Σ runningSeconds of the sessions that STARTED in the period (open ones included) */
  runningSeconds: number;
  /** how many sessions STARTED in the period */
  sessions: number;
}

/** byMachine summed per machine kind (the revenue accounts 706x follow the kind). */
export interface MachineKindUsage {
  machineKind: MachineKind;
  usageCents: number;
  materialsCents: number;
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

export interface CardReport {
  from: string;
  to: string;
  /** what members held (their credit, positive) at `from` */
  openingLiabilityCents: number;
  /** credit bought, net of reversed top-ups */
  topupsCents: number;
  /** credit consumed by machine use, net of reversed usage */
  usageCents: number;
  /** credit spent on materials (consumables) in sessions, net of reversals (issue #11) */
  materialsCents: number;
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
    /** each closed session started in the period: chargedCents = Σ its machine-use card debits, net of reversals */
    sessionsMatchDebits: boolean;
    /** the same sessions: materialsCents = Σ their recorded material sales = Σ their material debits (issue #11) */
    materialsMatchSales: boolean;
    /** at most MAX_LISTED per kind, then one line saying how many more */
    discrepancies: Discrepancy[];
  };
}

export async function cardReport(db: DbOrTx, range: ReportRange): Promise<CardReport> {
  return inSnapshot(db, async (tx) => {
    const liability = await liabilities(tx, range);
    const flows = await flowsInRange(tx, range);
    const byMachine = await machineFigures(tx, range, flows.machineUsage);
    const unbalanced = await unbalancedTransactions(tx, range);
    const balances = await balanceMismatches(tx);
    const sessions = await sessionMismatches(tx, range);
    const materials = await materialMismatches(tx, range);
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      openingLiabilityCents: liability.opening,
      topupsCents: flows.topups,
      usageCents: flows.usage,
      materialsCents: flows.materials,
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
        materialsMatchSales: materials.length === 0,
        discrepancies: [...unbalanced, ...balances, ...sessions, ...materials] satisfies Discrepancy[],
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
  materials: number;
  refunds: number;
  adjustments: number;
  byMethod: MethodFlows[];
  machineUsage: Map<string, { kind: string | null; usageCents: number; materialsCents: number }>;
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
        where e.account = 'member_cards'
          or (e.account = 'machine_revenue' and eff.kind = 'usage')
          or (e.account = 'material_revenue' and eff.kind = 'material')
        group by eff.kind, r.method, e.account, e.machine_id`,
  );
  const flows: Flows = {
    topups: 0,
    usage: 0,
    materials: 0,
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
    if (row.account === 'machine_revenue' || row.account === 'material_revenue') {
      // Revenue is credited (negative): usage on the machine is its opposite.
      const key = row.machine_id ?? 'unknown';
      const m = flows.machineUsage.get(key) ?? { kind: row.machine_kind, usageCents: 0, materialsCents: 0 };
      if (row.account === 'machine_revenue') m.usageCents -= total;
      else m.materialsCents -= total;
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
      case 'material':
        flows.materials += total;
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
      m = {
        machineId,
        machineKind: machineKind(kind),
        usageCents: 0,
        materialsCents: 0,
        runningSeconds: 0,
        sessions: 0,
      };
      byId.set(machineId, m);
    }
    return m;
  };
  for (const [machineId, u] of usage) {
    if (u.usageCents === 0 && u.materialsCents === 0) continue;
    const m = entry(machineId, u.kind);
    m.usageCents = u.usageCents;
    m.materialsCents = u.materialsCents;
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
      materialsCents: 0,
      runningSeconds: 0,
      sessions: 0,
      machines: 0,
    };
    k.usageCents += m.usageCents;
    k.materialsCents += m.materialsCents;
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
