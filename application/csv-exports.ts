/**
 * Plain CSV exports for spreadsheets (issue #5): machine sessions and card top-ups.
 * Chosen format: UTF-8 with a BOM, ';' separators, CRLF, decimal commas and DD/MM/YYYY
 * HH:MM:SS local times, which is what Excel and LibreOffice open directly in a French locale.
 * Amounts are euros (`12,50`), with the cents also given as integers for scripts.
 */
import { sql } from 'drizzle-orm';
import { formatCsv, frenchAmount } from '../core/csv.ts';
import type { DbOrTx } from '../db/client.ts';
import { asDate, frenchDateTime, rangeSlug } from './export-format.ts';
import { effectiveKinds, num, rowsOf, ts } from './ledger-sql.ts';
import { kindOf, VAT_LABELS } from './paheko.ts';
import type { ReportRange } from './report-range.ts';
import { type AccountingSettings, accountingSettings } from './treasury-settings.ts';

export interface CsvFile {
  filename: string;
  content: string;
  rows: number;
}

export const SESSION_COLUMNS = [
  'Session',
  'Machine',
  'Type de machine',
  'Membre',
  'Nom',
  'Début',
  'Fin',
  'Durée de marche (s)',
  'Minutes facturables',
  'Montant débité (€)',
  'Montant débité (centimes)',
  'Code TVA',
  'Motif de fin',
  'Hors ligne',
] as const;

/** Sessions that STARTED in the range (as the card report counts them), open ones included. */
export async function sessionsCsv(
  db: DbOrTx,
  range: ReportRange,
  options: { timeZone: string; accounts?: AccountingSettings },
): Promise<CsvFile> {
  const accounts = options.accounts ?? (await accountingSettings(db));
  const rows = await rowsOf<{
    id: string;
    machine_id: string;
    kind: string | null;
    member_id: string;
    name: string | null;
    started_at: unknown;
    ended_at: unknown;
    running_seconds: unknown;
    charged_cents: unknown;
    end_reason: string | null;
    offline: boolean;
  }>(
    db,
    sql`select s.id, s.machine_id, m.kind, s.member_id, mb.name, s.started_at, s.ended_at,
          s.running_seconds, s.charged_cents, s.end_reason, s.offline
        from machine_sessions s
          left join machines m on m.id = s.machine_id
          left join members mb on mb.id = s.member_id
        where s.started_at >= ${ts(range.from)} and s.started_at < ${ts(range.to)}
        order by s.started_at, s.id`,
  );
  const tz = options.timeZone;
  const lines = rows.map((r) => {
    const kind = kindOf(r.kind);
    const charged = num(r.charged_cents);
    return [
      r.id,
      r.machine_id,
      kind,
      r.member_id,
      r.name ?? '',
      frenchDateTime(asDate(r.started_at), tz),
      r.ended_at === null ? '' : frenchDateTime(asDate(r.ended_at), tz),
      num(r.running_seconds),
      Math.ceil(num(r.running_seconds) / 60),
      frenchAmount(charged),
      charged,
      VAT_LABELS[accounts.vat[kind]] ?? accounts.vat[kind],
      r.end_reason ?? (r.ended_at === null ? 'en cours' : ''),
      r.offline ? 'oui' : 'non',
    ];
  });
  return {
    filename: `sessions-${rangeSlug(range, tz)}.csv`,
    content: formatCsv(SESSION_COLUMNS, lines),
    rows: lines.length,
  };
}

export const TOPUP_COLUMNS = [
  'Opération',
  'Date',
  'Type',
  'Membre',
  'Nom',
  'Moyen de paiement',
  'Montant (€)',
  'Montant (centimes)',
  'Référence',
  'Motif',
  'Annule',
  'Saisi par',
] as const;

const TYPE_LABELS: Record<string, string> = {
  topup: 'recharge',
  refund: 'remboursement',
};

/**
 * Top-ups and refunds dated in the range, and reversals of them (as negative amounts of the
 * kind they reverse, like the card report), so the column sums to the report's figures:
 * Σ recharge = topupsCents, Σ remboursement = refundsCents.
 */
export async function topupsCsv(
  db: DbOrTx,
  range: ReportRange,
  options: { timeZone: string },
): Promise<CsvFile> {
  const rows = await rowsOf<{
    id: unknown;
    kind: string;
    eff_kind: string;
    method: string | null;
    reference: string | null;
    reason: string | null;
    reverses_id: unknown;
    created_by: string | null;
    created_at: unknown;
    member_id: string | null;
    name: string | null;
    credit: unknown;
  }>(
    db,
    sql`with recursive ${effectiveKinds(sql`t.created_at >= ${ts(range.from)} and t.created_at < ${ts(range.to)}`)}
        select t.id, t.kind, eff.kind as eff_kind, coalesce(r.method, t.method) as method, t.reference, t.reason,
          t.reverses_id, t.created_by, t.created_at, e.member_id, mb.name, -sum(e.amount_cents) as credit
        from eff
          join ledger_transactions t on t.id = eff.tx_id
          left join ledger_transactions r on r.id = eff.root_id
          join ledger_entries e on e.transaction_id = t.id and e.account = 'member_cards'
          left join members mb on mb.id = e.member_id
        where eff.kind in ('topup', 'refund')
        group by t.id, eff.kind, r.method, e.member_id, mb.name
        order by t.created_at, t.id`,
  );
  const tz = options.timeZone;
  const lines = rows.map((r) => {
    // A top-up adds credit; a refund takes it away: both shown as the money's amount.
    const amount = r.eff_kind === 'refund' ? -num(r.credit) : num(r.credit);
    return [
      String(r.id),
      frenchDateTime(asDate(r.created_at), tz),
      TYPE_LABELS[r.eff_kind] ?? r.eff_kind,
      r.member_id ?? '',
      r.name ?? '',
      r.method ?? '',
      frenchAmount(amount),
      amount,
      r.reference ?? '',
      r.reason ?? '',
      r.reverses_id === null ? '' : String(r.reverses_id),
      r.created_by ?? '',
    ];
  });
  return {
    filename: `recharges-${rangeSlug(range, tz)}.csv`,
    content: formatCsv(TOPUP_COLUMNS, lines),
    rows: lines.length,
  };
}
