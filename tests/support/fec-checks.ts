/**
 * Structural checks of a FEC file, after the DGFiP's own checker "Test Compta Demat"
 * (github.com/DGFiP/Test-Compta-Demat, src/testeur/trt_txt.pl and SQL/FECBIC.sql) and the
 * text of LPF art. A47 A-1 (issue #11): an independent reading, used by the tests to reject a
 * file those rules reject. It returns the problems found (empty: the file passes).
 *
 * From trt_txt.pl: every line has the header's number of fields; mandatory fields (FECBIC.sql
 * NOT NULL: EcritureNum, EcritureDate, CompteNum, Debit, Credit; "CF1:OBLIGATOIRE":
 * JournalCode, EcritureLib, ValidDate) are not blank; CompteNum starts with three digits;
 * amounts are numbers without thousands separator; dates are calendar dates; a line has a
 * debit or a credit, not both and not neither.
 * From A47 A-1: the 18 field names first, in order (VII 1° and 4°); a tab or "|" separates
 * fields (VI 1° c); the file is named SirenFECAAAAMMJJ (IX); characters are ASCII, ISO 8859-15
 * or UTF-8 (XII 1°); the first écritures are the à-nouveaux (VII 3°).
 * And what numbering across the file means here (issue #11 item 5): an EcritureNum is one
 * écriture (contiguous lines, one journal, one date) that balances.
 */
import { decodeIso885915 } from '../../core/iso-8859-15.ts';

export const FEC_HEADER = [
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
];

export type FecRecord = Record<string, string>;

const AMOUNT = /^\d+(,\d{1,2})?$/;

function calendarDate(value: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const cents = (a: string) => {
  const [u, f = ''] = a.split(',');
  return Number(u) * 100 + Number(f.padEnd(2, '0'));
};

/** Reads the file's bytes in the declared character set and checks it. */
export function checkFec(
  bytes: Uint8Array,
  filename: string,
  charset: 'utf-8' | 'iso-8859-15' = 'utf-8',
): { problems: string[]; records: FecRecord[] } {
  const problems: string[] = [];
  if (!/^\d{9}FEC\d{8}\.txt$/.test(filename) || !calendarDate(filename.slice(12, 20))) {
    problems.push(`file name ${filename} is not SirenFECAAAAMMJJ.txt`);
  }
  let text: string;
  if (charset === 'utf-8') {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { problems: [...problems, 'not UTF-8'], records: [] };
    }
  } else {
    text = decodeIso885915(bytes);
  }
  const lines = text.split(/\r\n|\n/);
  if (lines.at(-1) === '') lines.pop();
  const header = lines[0]?.split('\t') ?? [];
  if (header.join('\t') !== FEC_HEADER.join('\t')) problems.push(`header is ${header.join(',')}`);
  const records: FecRecord[] = [];
  lines.slice(1).forEach((line, i) => {
    const n = i + 2;
    const fields = line.split('\t');
    if (fields.length !== FEC_HEADER.length) {
      problems.push(`line ${n}: ${fields.length} fields`);
      return;
    }
    const r = Object.fromEntries(FEC_HEADER.map((h, k) => [h, fields[k]!])) as FecRecord;
    records.push(r);
    for (const f of ['JournalCode', 'EcritureNum', 'EcritureDate', 'CompteNum', 'EcritureLib', 'ValidDate']) {
      if (r[f]!.trim() === '') problems.push(`line ${n}: ${f} is blank`);
    }
    if (!/^\d{3}/.test(r.CompteNum!))
      problems.push(`line ${n}: CompteNum ${r.CompteNum} does not start with 3 digits`);
    for (const f of ['EcritureDate', 'PieceDate', 'DateLet', 'ValidDate']) {
      if (r[f] !== '' && !calendarDate(r[f]!)) problems.push(`line ${n}: ${f} ${r[f]} is not a date`);
    }
    for (const f of ['Debit', 'Credit']) {
      if (!AMOUNT.test(r[f]!)) problems.push(`line ${n}: ${f} ${r[f]} is not an amount`);
    }
    if (r.Montantdevise !== '' && !AMOUNT.test(r.Montantdevise!)) problems.push(`line ${n}: Montantdevise`);
    if ((cents(r.Debit!) === 0) === (cents(r.Credit!) === 0)) {
      problems.push(`line ${n}: debit and credit both ${cents(r.Debit!) === 0 ? 'zero' : 'set'}`);
    }
    if (r.ValidDate !== '' && r.ValidDate! < r.EcritureDate!)
      problems.push(`line ${n}: validated before booked`);
  });
  // One EcritureNum = one écriture: contiguous, one journal and date, balanced.
  const seen = new Set<string>();
  let current: { num: string; journal: string; date: string; sum: number } | null = null;
  const close = () => {
    if (current !== null && current.sum !== 0) problems.push(`écriture ${current.num} does not balance`);
  };
  for (const r of records) {
    if (current === null || r.EcritureNum !== current.num) {
      close();
      if (seen.has(r.EcritureNum!)) problems.push(`EcritureNum ${r.EcritureNum} is used twice`);
      seen.add(r.EcritureNum!);
      current = { num: r.EcritureNum!, journal: r.JournalCode!, date: r.EcritureDate!, sum: 0 };
    }
    if (r.JournalCode !== current.journal || r.EcritureDate !== current.date) {
      problems.push(`écriture ${r.EcritureNum} mixes journals or dates`);
    }
    current.sum += cents(r.Debit!) - cents(r.Credit!);
  }
  close();
  // A47 A-1 VII 3°: à-nouveaux, when there are any, come first.
  const firstOther = records.findIndex((r) => r.JournalCode !== 'AN');
  if (firstOther >= 0 && records.slice(firstOther).some((r) => r.JournalCode === 'AN')) {
    problems.push('à-nouveaux after other écritures');
  }
  return { problems, records };
}

export const fecCents = cents;

/** A UUID anywhere in a file's text (issue #12: words and short numbers in exports, never ids). */
export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** A member's auxiliary account number as core/export-refs.ts derives it (no collision). */
export const memberNo = (id: string) => `M${hex8(id)}`;

/** A session's piece reference as core/export-refs.ts derives it (no collision). */
export const sessionRef = (id: string) => `S-${hex8(id)}`;

const hex8 = (id: string) => (UUID.exec(id)?.[0] ?? id).replace(/-/g, '').slice(0, 8).toUpperCase();
