/**
 * CSV as French spreadsheets write and read it (issue #5): ';' or ',' separated, optional
 * UTF-8 BOM, RFC 4180 quoting ("" inside quotes), CRLF or LF. Pure: no I/O.
 */

export type Delimiter = ';' | ',' | '\t';

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** The delimiter of the header line: the most frequent of ';', ',' and tab outside quotes. */
export function detectDelimiter(text: string): Delimiter {
  const firstLine = stripBom(text).split(/\r?\n/, 1)[0] ?? '';
  const counts: Record<Delimiter, number> = { ';': 0, ',': 0, '\t': 0 };
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ';' || ch === ',' || ch === '\t')) counts[ch]++;
  }
  if (counts['\t'] > counts[';'] && counts['\t'] > counts[',']) return '\t';
  return counts[','] > counts[';'] ? ',' : ';';
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Rows of fields. Blank lines are skipped; each row carries the 1-based line it starts on.
 * Throws CsvError for an unterminated quote.
 */
export function parseCsv(text: string, delimiter?: Delimiter): { line: number; fields: string[] }[] {
  const src = stripBom(text);
  const sep = delimiter ?? detectDelimiter(src);
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let afterQuote = false;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === '' && !afterQuote) {
      field = '';
      quoted = true;
    } else if (ch === sep) {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRow();
      afterQuote = false;
      line++;
      rowLine = line;
    } else if (!afterQuote || ch.trim() !== '') {
      field += ch;
    }
  }
  if (quoted) throw new CsvError(rowLine, 'a quoted field is not closed');
  if (field !== '' || fields.length > 0) endRow();
  return rows;
}

/**
 * A text a spreadsheet would run as a formula (CSV injection, OWASP: a leading =, +, -, @, tab
 * or carriage return) gets a leading apostrophe; plain numbers such as `-3,00` stay numbers.
 * Shared by the CSV exports and the FEC (issue #9 item 10).
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && !/^-?\d+([.,]\d+)?$/.test(text) ? `'${text}` : text;
}

/** One field, quoted when it holds the delimiter, a quote or a line break. */
export function csvField(value: string | number | null | undefined, delimiter: Delimiter): string {
  if (value === null || value === undefined) return '';
  const safe = neutraliseFormula(String(value));
  return /["\r\n]/.test(safe) || safe.includes(delimiter) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface CsvOptions {
  delimiter?: Delimiter;
  /** prefix a UTF-8 BOM so that Excel reads the accents right (default true) */
  bom?: boolean;
  /** default CRLF (RFC 4180, what Excel writes) */
  lineEnding?: '\r\n' | '\n';
}

export function formatCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | null | undefined)[])[],
  options: CsvOptions = {},
): string {
  const d = options.delimiter ?? ';';
  const eol = options.lineEnding ?? '\r\n';
  const lines = [header, ...rows].map((r) => r.map((v) => csvField(v, d)).join(d));
  return `${options.bom === false ? '' : '\uFEFF'}${lines.join(eol)}${eol}`;
}

/** Cents as French spreadsheets write money: `1234,50`, `-3,00`. */
export function frenchAmount(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/** A header cell made comparable: lower case, no accents, no punctuation or spaces. */
export function headerKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}
