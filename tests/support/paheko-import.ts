/**
 * What Paheko's import does with a « Simplifié » CSV, rebuilt from its code (issue #11 item 4)
 * to check our export the way Paheko would, without PHP. Source, github.com/paheko/paheko
 * (commit 51fc59bc544c9c9b130e60503ea383ec677f5c26):
 * - src/include/lib/Paheko/Accounting/Export.php: COLUMNS[SIMPLE] (header name → field) and
 *   MANDATORY_COLUMNS[SIMPLE] = label, date, credit_account, debit_account, amount;
 * - src/include/lib/Paheko/Accounting/Import.php import(): a non-empty "Numéro d'écriture"
 *   loads that existing transaction (`l'écriture #%d est introuvable`), an unknown Type is
 *   refused (`le type "%s" est inconnu`), each line is saved as one transaction of a credit
 *   and a debit line, getOrCreateAccountId refuses an account missing from the chart
 *   (`le compte "%s" n'existe pas dans le plan comptable`) with auto_create_accounts false;
 * - Entities/Accounting/Transaction.php TYPES_NAMES; Utils.php parseDateTime (d/m/Y) and
 *   moneyToInteger ("Exemple de format accepté : 142,02").
 * CSV_Custom reads the file with a BOM stripped and ';' or ',' separators.
 */
import { parseCsv, stripBom } from '../../core/csv.ts';

const SIMPLE_COLUMNS: Record<string, string> = {
  "Numéro d'écriture": 'id',
  Type: 'type',
  Statut: 'status',
  Libellé: 'label',
  Date: 'date',
  Remarques: 'notes',
  'Numéro pièce comptable': 'reference',
  'Référence paiement': 'p_reference',
  'Compte de débit': 'debit_account',
  'Compte de crédit': 'credit_account',
  Montant: 'amount',
  'Projet analytique': 'project',
  'Membres associés': 'linked_users',
};
const MANDATORY = ['label', 'date', 'credit_account', 'debit_account', 'amount'];
const TYPES_NAMES = ['Avancé', 'Recette', 'Dépense', 'Virement', 'Dette', 'Créance'];

export interface ImportedTransaction {
  date: string;
  label: string;
  reference: string;
  debitAccount: string;
  creditAccount: string;
  amountCents: number;
}

export class PahekoImportError extends Error {}

/** Imports like Paheko into a chart (a set of account numbers); throws Paheko's message. */
export function pahekoSimpleImport(csv: string, chart: ReadonlySet<string>): ImportedTransaction[] {
  const rows = parseCsv(stripBom(csv), ';');
  const header = rows[0]?.fields ?? [];
  const fields = header.map((h) => SIMPLE_COLUMNS[h]);
  header.forEach((h, i) => {
    if (fields[i] === undefined) throw new PahekoImportError(`colonne inconnue : ${h}`);
  });
  for (const m of MANDATORY)
    if (!fields.includes(m)) throw new PahekoImportError(`colonne obligatoire manquante : ${m}`);
  const out: ImportedTransaction[] = [];
  for (const [n, row] of rows.slice(1).entries()) {
    const r: Record<string, string> = {};
    fields.forEach((f, i) => {
      r[f!] = row.fields[i] ?? '';
    });
    const fail = (message: string) => new PahekoImportError(`Erreur sur la ligne ${n + 1} : ${message}`);
    if (r.id) throw fail(`l'écriture #${r.id.replace(/\D/g, '')} est introuvable`);
    if (r.type !== undefined && r.type !== '' && !TYPES_NAMES.includes(r.type))
      throw fail(`le type "${r.type}" est inconnu`);
    if (!r.credit_account || !r.debit_account) throw fail('Compte de crédit non renseigné');
    for (const account of [r.credit_account, r.debit_account])
      if (!chart.has(account)) throw fail(`le compte "${account}" n'existe pas dans le plan comptable`);
    if (!/^\d{2}\/\d{2}\/\d{4}$/.test(r.date ?? '')) throw fail(`date invalide : ${r.date}`);
    const amount = /^(\d+)(?:,(\d{1,2}))?$/.exec(r.amount ?? '');
    if (!amount) throw fail(`Le montant est invalide : ${r.amount}. Exemple de format accepté : 142,02`);
    const cents = Number(amount[1]) * 100 + Number((amount[2] ?? '0').padEnd(2, '0'));
    if (cents === 0) throw fail('montant nul');
    if (!r.label) throw fail('libellé manquant');
    out.push({
      date: r.date!,
      label: r.label,
      reference: r.reference ?? '',
      debitAccount: r.debit_account,
      creditAccount: r.credit_account,
      amountCents: cents,
    });
  }
  return out;
}

/** Σ debit − credit per account, as Paheko's balance would show it. */
export function balances(transactions: readonly ImportedTransaction[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of transactions) {
    out.set(t.debitAccount, (out.get(t.debitAccount) ?? 0) + t.amountCents);
    out.set(t.creditAccount, (out.get(t.creditAccount) ?? 0) - t.amountCents);
  }
  return out;
}
