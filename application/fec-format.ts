/**
 * Writing a FEC (LPF art. A47 A-1; BOI-CF-IOR-60-40-20) from accounting entries: the 18
 * columns after a header line (A47 A-1 VII 1° and 4°), tab-separated (VI 1° c), amounts with a
 * comma and no thousands separator, dates AAAAMMJJ (XII 2° and 4°).
 *
 * Issue #11 item 5: `EcritureNum` is one sequence over the whole file (1, 2, 3… in file order),
 * not one per journal. The text allows a sequence per journal, but Paheko's FEC import and
 * other tools group lines by `EcritureNum` alone and then merge entries of different journals.
 * A47 A-1 VII 3°: the first numbers are the à-nouveaux (the caller puts them first).
 */
import { neutraliseFormula } from '../core/csv.ts';
import { encodeIso885915, toIso885915Text } from '../core/iso-8859-15.ts';
import { compactLocalDate } from './report-range.ts';

export const fecColumns = [
  'JournalCode',
  'JournalLib',
  'EcritureNum',
  'EcritureDate',
  'CompteNum',
  'CompteLib',
  'CompAuxNum',
  'CompAuxLib',
  'PieceRef',
  'PieceDate',
  'EcritureLib',
  'Debit',
  'Credit',
  'EcritureLet',
  'DateLet',
  'ValidDate',
  'Montantdevise',
  'Idevise',
] as const;
export type FecColumn = (typeof fecColumns)[number];

/**
 * Issue #9 item 10: accountants open the FEC in spreadsheets, so a text field that would start
 * with =, +, -, @ (a member's name, a reference, a reason) is neutralised like in the CSV exports
 * (a leading apostrophe). Amounts are numbers and stay as they are.
 */
const AMOUNT_COLUMNS: ReadonlySet<string> = new Set(['Debit', 'Credit', 'Montantdevise']);

export const FEC_JOURNALS = {
  /** the reprise des soldes of the previous year (A47 A-1 VII 3°), by its usual code */
  AN: 'A-nouveaux',
  CA: 'Caisse',
  BQ: 'Banque',
  HA: 'HelloAsso',
  VT: 'Ventes / consommations cartes machines',
  OD: 'Opérations diverses',
} as const;
export type FecJournal = keyof typeof FEC_JOURNALS;

/** One line of an écriture: positive amounts are debits. */
export interface FecLine {
  num: string;
  lib: string;
  auxNum: string;
  auxLib: string;
  amountCents: number;
}

/** One écriture: its lines balance. */
export interface FecEntry {
  journal: FecJournal;
  /** the instant it is booked at (EcritureDate and PieceDate are its local day) */
  atMs: number;
  pieceRef: string;
  label: string;
  lines: FecLine[];
}

/**
 * A47 A-1 XII 1°: ASCII, ISO 8859-15 or UTF-8. UTF-8 by default (every character the
 * members' names may hold); ISO 8859-15 for strict tools, with the text made to fit it.
 */
export const FEC_CHARSETS = ['utf-8', 'iso-8859-15'] as const;
export type FecCharset = (typeof FEC_CHARSETS)[number];

export interface RenderOptions {
  timeZone: string;
  lineEnding: 'LF' | 'CRLF';
  charset: FecCharset;
  /** ValidDate (AAAAMMJJ) of an entry */
  validDate: (entry: FecEntry) => string;
}

/** The file's text: the header, then each entry's lines, numbered 1, 2, 3… in order. */
export function renderFec(entries: readonly FecEntry[], o: RenderOptions): string {
  const eol = o.lineEnding === 'CRLF' ? '\r\n' : '\n';
  const toCharset = o.charset === 'iso-8859-15' ? toIso885915Text : (text: string) => text;
  const out: string[] = [fecColumns.join('\t')];
  entries.forEach((entry, index) => {
    const date = compactLocalDate(new Date(entry.atMs), o.timeZone);
    const validDate = o.validDate(entry);
    for (const line of entry.lines) {
      const fields: Record<FecColumn, string> = {
        JournalCode: entry.journal,
        JournalLib: FEC_JOURNALS[entry.journal],
        EcritureNum: String(index + 1),
        EcritureDate: date,
        CompteNum: line.num,
        CompteLib: line.lib,
        CompAuxNum: line.auxNum,
        CompAuxLib: line.auxLib,
        PieceRef: entry.pieceRef,
        PieceDate: date,
        EcritureLib: entry.label,
        Debit: formatAmount(Math.max(line.amountCents, 0)),
        Credit: formatAmount(Math.max(-line.amountCents, 0)),
        EcritureLet: '',
        DateLet: '',
        ValidDate: validDate,
        Montantdevise: '',
        Idevise: '',
      };
      out.push(
        fecColumns
          .map((c) => (AMOUNT_COLUMNS.has(c) ? fields[c] : neutraliseFormula(clean(toCharset(fields[c])))))
          .join('\t'),
      );
    }
  });
  return out.join(eol) + eol;
}

/** The file's bytes in its character set. */
export function encodeFec(text: string, charset: FecCharset): Uint8Array<ArrayBuffer> {
  return charset === 'iso-8859-15' ? encodeIso885915(text) : new TextEncoder().encode(text);
}

/** No tab, line break or other control character may break a field (the format has no quoting). */
export function clean(text: string): string {
  return text
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** Cents as FEC wants them: `1234,50`, no thousands separator. */
export function formatAmount(cents: number): string {
  const abs = Math.abs(cents);
  return `${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}
