/**
 * Paheko "simplifié" CSV import (issue #5): one line per double entry, a debit account and a
 * credit account, the way Paheko (free accounting software of French associations) imports
 * transactions under Comptabilité › Import › « Format simplifié ».
 *
 * Format, from Paheko's import code (columns matched by header name):
 *   Numéro d'écriture;Date;Type;Compte de débit;Compte de crédit;Montant;Libellé;
 *   Numéro pièce comptable;Référence paiement;Remarques
 * - ';' separated, UTF-8 with BOM, CRLF; dates DD/MM/YYYY in the lab's time zone; amounts
 *   in euros with a decimal comma and no thousands separator, always positive.
 * - "Numéro d'écriture" is left EMPTY: Paheko reads a number there as "update that existing
 *   transaction" and refuses unknown ones. Our transaction id goes in "Numéro pièce comptable".
 * - Type is "Avancé" (Paheko's free form): Paheko's "Recette/Dépense/Virement" types constrain
 *   which account classes may be used, and card top-ups (512 → 4191) are none of those.
 * - The VAT code of a machine's use (exempt by default) is written in Remarques.
 * A ledger transaction has one debit and one credit entry (core/ledger.ts builders); one with
 * more is paired greedily into several lines sharing its Numéro pièce comptable.
 */
import { sql } from 'drizzle-orm';
import { formatCsv, frenchAmount } from '../core/csv.ts';
import { MACHINE_KINDS, type MachineKind } from '../core/domain.ts';
import type { DbOrTx } from '../db/client.ts';
import { asDate, frenchDate, rangeSlug } from './export-format.ts';
import { num, rowsOf, ts } from './ledger-sql.ts';
import type { ReportRange } from './report-range.ts';
import { type AccountingSettings, accountingSettings } from './treasury-settings.ts';

export const PAHEKO_COLUMNS = [
  "Numéro d'écriture",
  'Date',
  'Type',
  'Compte de débit',
  'Compte de crédit',
  'Montant',
  'Libellé',
  'Numéro pièce comptable',
  'Référence paiement',
  'Remarques',
] as const;

export const VAT_LABELS: Record<string, string> = {
  exonere: 'TVA : exonérée (art. 261-7-1° CGI)',
  'hors-champ': 'TVA : hors champ',
  'tva-20': 'TVA : 20 %',
  'tva-10': 'TVA : 10 %',
  'tva-5.5': 'TVA : 5,5 %',
};

export interface LedgerRow {
  tx_id: unknown;
  kind: string;
  method: string | null;
  reference: string | null;
  reason: string | null;
  reverses_id: unknown;
  created_at: unknown;
  account: string;
  amount_cents: unknown;
  member_id: string | null;
  member_name: string | null;
  machine_id: string | null;
  machine_kind: string | null;
}

/** Every entry of the transactions dated in the range, in ledger order. */
export async function ledgerRows(db: DbOrTx, range: ReportRange): Promise<LedgerRow[]> {
  return rowsOf<LedgerRow>(
    db,
    sql`select t.id as tx_id, t.kind, t.method, t.reference, t.reason, t.reverses_id, t.created_at,
          e.account, e.amount_cents, e.member_id, mb.name as member_name,
          e.machine_id, coalesce(e.machine_kind, mc.kind) as machine_kind
        from ledger_transactions t
          join ledger_entries e on e.transaction_id = t.id
          left join members mb on mb.id = e.member_id
          left join machines mc on mc.id = e.machine_id
        where t.created_at >= ${ts(range.from)} and t.created_at < ${ts(range.to)}
        order by t.created_at, t.id, e.id`,
  );
}

export function* byTransaction(rows: readonly LedgerRow[]): Generator<LedgerRow[]> {
  let current: LedgerRow[] = [];
  for (const row of rows) {
    if (current.length > 0 && String(current[0]!.tx_id) !== String(row.tx_id)) {
      yield current;
      current = [];
    }
    current.push(row);
  }
  if (current.length > 0) yield current;
}

export function kindOf(value: string | null): MachineKind {
  return (MACHINE_KINDS as readonly string[]).includes(value ?? '') ? (value as MachineKind) : 'other';
}

export function accountNumber(row: LedgerRow, amount: number, accounts: AccountingSettings): string {
  switch (row.account) {
    case 'member_cards':
      return accounts.memberCards;
    case 'machine_revenue':
      return accounts.machineRevenue[kindOf(row.machine_kind)];
    case 'bank':
      return accounts.bank;
    case 'cash':
      return accounts.cash;
    case 'online':
      return accounts.online;
    case 'material_revenue':
      return accounts.materials;
    default:
      return amount > 0 ? accounts.adjustmentsDebit : accounts.adjustmentsCredit;
  }
}

const KIND_LABELS: Record<string, string> = {
  topup: 'Recharge carte machine',
  usage: 'Utilisation machine',
  refund: 'Remboursement carte machine',
  adjustment: 'Régularisation carte machine',
  reversal: 'Annulation',
};

function label(entries: readonly LedgerRow[]): string {
  const head = entries[0]!;
  const who = entries.find((e) => e.member_name)?.member_name;
  const machine = entries.find((e) => e.account === 'machine_revenue')?.machine_id;
  let text = KIND_LABELS[head.kind] ?? head.kind;
  if (head.kind === 'reversal' && head.reverses_id !== null)
    text += ` de l'opération ${String(head.reverses_id)}`;
  if (machine) text += ` ${machine}`;
  if (who) text += ` — ${who}`;
  return text;
}

function remarks(entries: readonly LedgerRow[], accounts: AccountingSettings): string {
  const head = entries[0]!;
  const parts: string[] = [];
  const revenue = entries.find((e) => e.account === 'machine_revenue');
  if (revenue) parts.push(VAT_LABELS[accounts.vat[kindOf(revenue.machine_kind)]] ?? '');
  if (head.reason) parts.push(head.reason);
  return parts.filter(Boolean).join(' — ');
}

/** Pairs a transaction's debits with its credits: one line per pair, amounts positive. */
export function pairEntries(
  entries: readonly LedgerRow[],
): { debit: LedgerRow; credit: LedgerRow; amountCents: number }[] {
  const debits = entries
    .filter((e) => num(e.amount_cents) > 0)
    .map((e) => ({ e, left: num(e.amount_cents) }));
  const credits = entries
    .filter((e) => num(e.amount_cents) < 0)
    .map((e) => ({ e, left: -num(e.amount_cents) }));
  const out: { debit: LedgerRow; credit: LedgerRow; amountCents: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < debits.length && j < credits.length) {
    const d = debits[i]!;
    const c = credits[j]!;
    const amount = Math.min(d.left, c.left);
    out.push({ debit: d.e, credit: c.e, amountCents: amount });
    d.left -= amount;
    c.left -= amount;
    if (d.left === 0) i++;
    if (c.left === 0) j++;
  }
  return out;
}

export async function pahekoExport(
  db: DbOrTx,
  range: ReportRange,
  options: { timeZone: string; accounts?: AccountingSettings },
): Promise<{ filename: string; content: string; lines: number }> {
  const accounts = options.accounts ?? (await accountingSettings(db));
  const rows = await ledgerRows(db, range);
  const lines: string[][] = [];
  for (const entries of byTransaction(rows)) {
    const head = entries[0]!;
    const date = frenchDate(asDate(head.created_at), options.timeZone);
    for (const pair of pairEntries(entries)) {
      lines.push([
        '',
        date,
        'Avancé',
        accountNumber(pair.debit, num(pair.debit.amount_cents), accounts),
        accountNumber(pair.credit, num(pair.credit.amount_cents), accounts),
        frenchAmount(pair.amountCents),
        label(entries),
        String(head.tx_id),
        head.reference ?? '',
        remarks(entries, accounts),
      ]);
    }
  }
  return {
    filename: `paheko-${rangeSlug(range, options.timeZone)}.csv`,
    content: formatCsv(PAHEKO_COLUMNS, lines),
    lines: lines.length,
  };
}
