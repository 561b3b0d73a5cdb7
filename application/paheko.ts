/**
 * Paheko "simplifié" CSV import (issues #5, #11): the way Paheko (free accounting software of
 * French associations) imports transactions under Comptabilité › Import › « Simplifié ».
 *
 * Format, from Paheko's code (github.com/paheko/paheko, src/include/lib/Paheko/Accounting/
 * Export.php COLUMNS[SIMPLE] and Import.php import()):
 *   Numéro d'écriture;Date;Type;Compte de débit;Compte de crédit;Montant;Libellé;
 *   Numéro pièce comptable;Référence paiement;Remarques
 * - columns matched by header name; ';' separated, UTF-8 with BOM, CRLF; dates DD/MM/YYYY in
 *   the lab's time zone; amounts in euros with a decimal comma, always positive (Line.php reads
 *   them with Utils::moneyToInteger, "Exemple de format accepté : 142,02").
 * - each CSV line is one Paheko transaction of two lines, debit and credit (Import.php saves
 *   after every line of the simple format).
 * - "Numéro d'écriture" is left EMPTY: Import.php reads a number there as "update that existing
 *   transaction" (`l'écriture #%d est introuvable` otherwise). The entry's own reference (the
 *   session, or the ledger transaction) goes in "Numéro pièce comptable".
 * - Type is "Avancé" (Transaction::TYPES_NAMES[0], the free form): "Recette/Dépense/Virement"
 *   constrain which account types may be used, and card top-ups (530 → 4191) are none of those.
 * - every account must exist in the association's Paheko chart: Import.php
 *   getOrCreateAccountId refuses `le compte "…" n'existe pas dans le plan comptable` unless
 *   accounts are created on the fly, which we never rely on (settings are checked against the
 *   chart: application/accounting-settings.ts).
 * - the VAT code of a machine's use (exempt by default) is written in Remarques.
 * Entries are those of core/journal-entries.ts: one per session (its minute debits summed),
 * top-up, refund, adjustment, reversal; `detail: 'minute'` writes one per ledger transaction.
 * An entry with more than one debit or credit account (a session with materials) is paired
 * into several lines sharing its Numéro pièce comptable.
 */
import { bookAccount, machineKindOf } from '../core/book-accounts.ts';
import { formatCsv, frenchAmount } from '../core/csv.ts';
import type { MachineKind, TopupMethod } from '../core/domain.ts';
import { pieceRefs, transactionRef } from '../core/export-refs.ts';
import { type EntryDetail, type JournalEntry, pairLines } from '../core/journal-entries.ts';
import type { DbOrTx } from '../db/client.ts';
import { frenchDate, rangeSlug } from './export-format.ts';
import { journal } from './journal.ts';
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

/** A machine kind from a stored value (unknown kinds count as `other`). */
export function kindOf(value: string | null): MachineKind {
  return machineKindOf(value);
}

const METHOD_LABELS: Record<TopupMethod, string> = {
  cash: 'espèces',
  card: 'carte bancaire',
  transfer: 'virement',
  check: 'chèque',
  helloasso: 'HelloAsso',
  other: 'autre moyen',
};

const KIND_LABELS: Record<string, string> = {
  topup: 'Recharge carte machine',
  usage: 'Utilisation',
  material: 'Matières',
  refund: 'Remboursement carte machine',
  adjustment: 'Régularisation carte machine',
  reversal: 'Annulation',
};

function methodLabel(method: string | null): string | undefined {
  return method !== null && Object.hasOwn(METHOD_LABELS, method)
    ? METHOD_LABELS[method as TopupMethod]
    : undefined;
}

/** Words, not ids (issue #11 item 4): the machine's and the member's names. */
export function entryLabel(entry: JournalEntry): string {
  const who = entry.lines.find((l) => l.memberName)?.memberName;
  const machineLine = entry.lines.find(
    (l) => l.account === 'machine_revenue' || l.account === 'material_revenue',
  );
  const machine = machineLine?.machineName ?? machineLine?.machineId ?? undefined;
  let text = Object.hasOwn(KIND_LABELS, entry.kind) ? KIND_LABELS[entry.kind]! : entry.kind;
  if (entry.kind === 'usage' || entry.kind === 'material') {
    const withMaterials = entry.lines.some((l) => l.account === 'material_revenue');
    const withUse = entry.lines.some((l) => l.account === 'machine_revenue');
    text = withUse ? (withMaterials ? 'Utilisation et matières' : 'Utilisation') : 'Matières';
    text += machine ? ` ${machine}` : ' machine';
  } else if (entry.kind === 'topup' || entry.kind === 'refund') {
    const method = methodLabel(entry.method);
    if (method) text += ` (${method})`;
  } else if (entry.kind === 'reversal') {
    const original = entry.reversesKind && KIND_LABELS[entry.reversesKind];
    if (original) text += ` : ${original.toLowerCase()}`;
    if (entry.reversesId !== null) text += ` (${transactionRef(entry.reversesKind, entry.reversesId)})`;
  }
  if (who) text += ` — ${who}`;
  return text;
}

function remarks(entry: JournalEntry, accounts: AccountingSettings): string {
  const parts: string[] = [];
  const revenue = entry.lines.find((l) => l.account === 'machine_revenue');
  if (revenue) parts.push(VAT_LABELS[accounts.vat[machineKindOf(revenue.machineKind)]] ?? '');
  if (entry.transactionIds.length > 1)
    parts.push(`${entry.transactionIds.length} débits au fil de la session`);
  if (entry.reason) parts.push(entry.reason);
  return parts.filter(Boolean).join(' — ');
}

export async function pahekoExport(
  db: DbOrTx,
  range: ReportRange,
  options: { timeZone: string; accounts?: AccountingSettings; detail?: EntryDetail },
): Promise<{ filename: string; content: string; lines: number }> {
  const accounts = options.accounts ?? (await accountingSettings(db));
  const entries = await journal(db, range, options.detail ?? 'event');
  // Issue #12: short piece references, the same as the FEC's (core/export-refs.ts).
  const pieceRef = pieceRefs(entries);
  const lines: string[][] = [];
  for (const entry of entries) {
    const date = frenchDate(new Date(entry.atMs), options.timeZone);
    for (const pair of pairLines(entry.lines)) {
      lines.push([
        '',
        date,
        'Avancé',
        bookAccount(pair.debit, entry.method, accounts),
        bookAccount(pair.credit, entry.method, accounts),
        frenchAmount(pair.amountCents),
        entryLabel(entry),
        pieceRef(entry),
        entry.reference ?? '',
        remarks(entry, accounts),
      ]);
    }
  }
  const suffix = options.detail === 'minute' ? '-detail' : '';
  return {
    filename: `paheko-${rangeSlug(range, options.timeZone)}${suffix}.csv`,
    content: formatCsv(PAHEKO_COLUMNS, lines),
    lines: lines.length,
  };
}
