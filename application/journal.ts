/**
 * The ledger lines of a period as the exports' accounting entries (issue #11 item 4): reads
 * the rows, then groups them with core/journal-entries.ts (one entry per session, top-up,
 * refund, adjustment; `detail: 'minute'` keeps one per ledger transaction). Shared by the
 * Paheko and FEC exports so both book the same entries.
 */
import { sql } from 'drizzle-orm';
import {
  type EntryDetail,
  type JournalEntry,
  journalEntries,
  type LedgerLine,
} from '../core/journal-entries.ts';
import type { DbOrTx } from '../db/client.ts';
import { effectiveKinds, num, rowsOf, ts } from './ledger-sql.ts';
import type { ReportRange } from './report-range.ts';

interface Row {
  tx_id: unknown;
  kind: string;
  method: string | null;
  reference: string | null;
  reason: string | null;
  session_id: string | null;
  reverses_id: unknown;
  reverses_kind: string | null;
  at_ms: unknown;
  account: string;
  amount_cents: unknown;
  member_id: string | null;
  member_name: string | null;
  machine_id: string | null;
  machine_kind: string | null;
  machine_name: string | null;
}

/**
 * Every entry of the transactions dated in the range, in ledger order. A reversal carries the
 * payment method of the transaction it (finally) reverses, so its money leaves the account the
 * original booked it to (a reversed cheque top-up goes back through 5112, not 512).
 */
export async function ledgerLines(db: DbOrTx, range: ReportRange): Promise<LedgerLine[]> {
  const inRange = sql`t.created_at >= ${ts(range.from)} and t.created_at < ${ts(range.to)}`;
  const rows = await rowsOf<Row>(
    db,
    sql`with recursive ${effectiveKinds(inRange)}
        select t.id as tx_id, t.kind, coalesce(t.method, root.method) as method, t.reference, t.reason,
            t.session_id, t.reverses_id, o.kind as reverses_kind,
            (extract(epoch from t.created_at) * 1000)::float8 as at_ms,
            e.account, e.amount_cents, e.member_id, mb.name as member_name,
            e.machine_id, coalesce(e.machine_kind, mc.kind) as machine_kind, mc.name as machine_name
          from ledger_transactions t
            join ledger_entries e on e.transaction_id = t.id
            left join eff on eff.tx_id = t.id
            left join ledger_transactions root on root.id = eff.root_id
            left join ledger_transactions o on o.id = t.reverses_id
            left join members mb on mb.id = e.member_id
            left join machines mc on mc.id = e.machine_id
          where ${inRange}
          order by t.created_at, t.id, e.id`,
  );
  return rows.map((r) => ({
    txId: String(r.tx_id),
    kind: r.kind,
    method: r.method,
    reference: r.reference,
    reason: r.reason,
    sessionId: r.session_id,
    reversesId: r.reverses_id === null ? null : String(r.reverses_id),
    reversesKind: r.reverses_kind,
    atMs: Math.floor(num(r.at_ms)),
    account: r.account,
    amountCents: num(r.amount_cents),
    memberId: r.member_id,
    memberName: r.member_name,
    machineId: r.machine_id,
    machineKind: r.machine_kind,
    machineName: r.machine_name,
  }));
}

/** The period's accounting entries (see core/journal-entries.ts). */
export async function journal(
  db: DbOrTx,
  range: ReportRange,
  detail: EntryDetail = 'event',
): Promise<JournalEntry[]> {
  return journalEntries(await ledgerLines(db, range), detail);
}
