/**
 * The treasurer's figures by month (issue #4 charts): top-ups, usage, materials (issue #11),
 * refunds and adjustments per calendar month of the lab (LAB_TIMEZONE), and the members' credit at each
 * month's end. Kinds follow the card report (reversals count as what they reverse), so the
 * months add up to cardReport's totals over the same range.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { effectiveKinds, inSnapshot, num, rowsOf, ts } from './ledger-sql.ts';
import type { ReportRange } from './report-range.ts';

export interface MonthFigures {
  /** YYYY-MM */
  month: string;
  topupsCents: number;
  usageCents: number;
  /** materials sold in sessions (issue #11), apart from machine use */
  materialsCents: number;
  refundsCents: number;
  adjustmentsCents: number;
  /** what members held at the end of the month (or of the range, if earlier) */
  closingLiabilityCents: number;
}

export async function monthlyFigures(
  db: DbOrTx,
  range: ReportRange,
  timeZone: string,
): Promise<MonthFigures[]> {
  return inSnapshot(db, async (tx) => {
    const [opening] = await rowsOf<{ total: unknown }>(
      tx,
      sql`select coalesce(sum(e.amount_cents), 0) as total
          from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
          where e.account = 'member_cards' and t.created_at < ${ts(range.from)}`,
    );
    const rows = await rowsOf<{ month: string; kind: string; total: unknown }>(
      tx,
      sql`with recursive ${effectiveKinds(sql`t.created_at >= ${ts(range.from)} and t.created_at < ${ts(range.to)}`)}
          select to_char(t.created_at at time zone ${timeZone}, 'YYYY-MM') as month, eff.kind,
            sum(e.amount_cents) as total
          from eff
            join ledger_transactions t on t.id = eff.tx_id
            join ledger_entries e on e.transaction_id = eff.tx_id
          where e.account = 'member_cards'
          group by 1, 2 order by 1`,
    );
    const months = new Map<string, MonthFigures>();
    for (const month of monthsOf(range, timeZone)) {
      months.set(month, {
        month,
        topupsCents: 0,
        usageCents: 0,
        materialsCents: 0,
        refundsCents: 0,
        adjustmentsCents: 0,
        closingLiabilityCents: 0,
      });
    }
    for (const r of rows) {
      const m = months.get(r.month);
      if (m === undefined) continue;
      // member_cards is a liability: credits (negative) add to what members hold.
      const total = num(r.total);
      if (r.kind === 'topup') m.topupsCents -= total;
      else if (r.kind === 'usage') m.usageCents += total;
      else if (r.kind === 'material') m.materialsCents += total;
      else if (r.kind === 'refund') m.refundsCents += total;
      else m.adjustmentsCents -= total;
    }
    let liability = 0 - num(opening?.total);
    for (const m of months.values()) {
      liability += m.topupsCents - m.usageCents - m.materialsCents - m.refundsCents + m.adjustmentsCents;
      m.closingLiabilityCents = liability;
    }
    return [...months.values()];
  });
}

/** Every YYYY-MM the range touches, in the lab's time zone (at most 120). */
export function monthsOf(range: ReportRange, timeZone: string): string[] {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' });
  const key = (d: Date) => fmt.format(d).slice(0, 7);
  const first = key(range.from);
  const last = key(new Date(range.to.getTime() - 1));
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number) as [number, number];
  for (let i = 0; i < 120; i++) {
    const k = `${y}-${String(m).padStart(2, '0')}`;
    out.push(k);
    if (k >= last) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}
