/**
 * Plain CSV exports for spreadsheets (issue #5): machine sessions and card top-ups.
 * Chosen format: UTF-8 with a BOM, ';' separators, CRLF, decimal commas and DD/MM/YYYY
 * HH:MM:SS local times, which is what Excel and LibreOffice open directly in a French locale.
 * Amounts are euros (`12,50`), with the cents also given as integers for scripts.
 */
import { sql } from 'drizzle-orm';
import { formatCsv, frenchAmount } from '../core/csv.ts';
import type { DbOrTx } from '../db/client.ts';
import { actorNames } from './actor-names.ts';
import { asDate, frenchDateTime, rangeSlug } from './export-format.ts';
import { effectiveKinds, num, rowsOf, ts } from './ledger-sql.ts';
import { kindOf, VAT_LABELS } from './paheko.ts';
import type { ReportRange } from './report-range.ts';
import { findSessions, type SessionFilter } from './session-history.ts';
import { type AccountingSettings, accountingSettings } from './treasury-settings.ts';
import { endReasonWords, KIND_WORDS, methodWords, type WordsLang } from './words.ts';

export interface CsvFile {
  filename: string;
  content: string;
  rows: number;
}

/** Ids last, for scripts; everything before them is words (issue #12 item 4). */
export const SESSION_COLUMNS: Record<WordsLang, readonly string[]> = {
  fr: [
    'Session',
    'Machine',
    'Type de machine',
    'Membre',
    'Début',
    'Fin',
    'Durée de marche (s)',
    'Minutes facturables',
    'Montant débité (€)',
    'Montant débité (centimes)',
    'Code TVA',
    'Motif de fin',
    'Hors ligne',
    'Machine (id)',
    'Membre (id)',
  ],
  en: [
    'Session',
    'Machine',
    'Machine type',
    'Member',
    'Start',
    'End',
    'Running time (s)',
    'Billable minutes',
    'Charged (€)',
    'Charged (cents)',
    'VAT code',
    'End reason',
    'Offline',
    'Machine (id)',
    'Member (id)',
  ],
};

/**
 * Sessions that STARTED in the range (as the card report counts them), open ones included;
 * the sessions history narrows them further (member, machine, end reason) and may leave the
 * dates open.
 */
export async function sessionsCsv(
  db: DbOrTx,
  range: ReportRange | null,
  options: {
    timeZone: string;
    accounts?: AccountingSettings;
    lang?: WordsLang;
    filter?: Omit<SessionFilter, 'from' | 'to'>;
  },
): Promise<CsvFile> {
  const accounts = options.accounts ?? (await accountingSettings(db));
  const lang = options.lang ?? 'fr';
  const rows = await findSessions(
    db,
    { ...options.filter, ...(range ? { from: range.from, to: range.to } : {}) },
    null,
    'oldest',
  );
  const tz = options.timeZone;
  const yes = lang === 'fr' ? 'oui' : 'yes';
  const no = lang === 'fr' ? 'non' : 'no';
  const lines = rows.map((r) => {
    const kind = kindOf(r.machineKind);
    return [
      r.id,
      r.machineName,
      KIND_WORDS[lang][r.machineKind ?? ''] ?? kind,
      r.memberName,
      frenchDateTime(r.startedAt, tz),
      r.endedAt === null ? '' : frenchDateTime(r.endedAt, tz),
      r.runningSeconds,
      Math.ceil(r.runningSeconds / 60),
      frenchAmount(r.chargedCents),
      r.chargedCents,
      VAT_LABELS[accounts.vat[kind]] ?? accounts.vat[kind],
      endReasonWords(lang, r.endReason, r.endedAt === null),
      r.offline ? yes : no,
      r.machineId,
      r.memberId,
    ];
  });
  return {
    filename: range ? `sessions-${rangeSlug(range, tz)}.csv` : 'sessions.csv',
    content: formatCsv(SESSION_COLUMNS[lang], lines),
    rows: lines.length,
  };
}

export const TOPUP_COLUMNS: Record<WordsLang, readonly string[]> = {
  fr: [
    'Opération',
    'Date',
    'Type',
    'Membre',
    'Moyen de paiement',
    'Montant (€)',
    'Montant (centimes)',
    'Référence',
    'Motif',
    'Annule',
    'Saisi par',
    'Membre (id)',
  ],
  en: [
    'Operation',
    'Date',
    'Type',
    'Member',
    'Payment method',
    'Amount (€)',
    'Amount (cents)',
    'Reference',
    'Reason',
    'Reverses',
    'Entered by',
    'Member (id)',
  ],
};

const TYPE_LABELS: Record<WordsLang, Record<string, string>> = {
  fr: { topup: 'Recharge', refund: 'Remboursement' },
  en: { topup: 'Top-up', refund: 'Refund' },
};

/**
 * Top-ups and refunds dated in the range, and reversals of them (as negative amounts of the
 * kind they reverse, like the card report), so the column sums to the report's figures:
 * Σ recharge = topupsCents, Σ remboursement = refundsCents.
 */
export async function topupsCsv(
  db: DbOrTx,
  range: ReportRange,
  options: { timeZone: string; lang?: WordsLang },
): Promise<CsvFile> {
  const lang = options.lang ?? 'fr';
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
  const who = await actorNames(
    db,
    rows.flatMap((r) => (r.created_by ? [r.created_by] : [])),
    lang,
  );
  const lines = rows.map((r) => {
    // A top-up adds credit; a refund takes it away: both shown as the money's amount.
    const amount = r.eff_kind === 'refund' ? -num(r.credit) : num(r.credit);
    return [
      String(r.id),
      frenchDateTime(asDate(r.created_at), tz),
      TYPE_LABELS[lang][r.eff_kind] ?? r.eff_kind,
      r.name ?? '',
      methodWords(lang, r.method),
      frenchAmount(amount),
      amount,
      r.reference ?? '',
      r.reason ?? '',
      r.reverses_id === null ? '' : String(r.reverses_id),
      r.created_by ? (who.get(r.created_by) ?? r.created_by) : '',
      r.member_id ?? '',
    ];
  });
  return {
    filename: `recharges-${rangeSlug(range, tz)}.csv`,
    content: formatCsv(TOPUP_COLUMNS[lang], lines),
    rows: lines.length,
  };
}
