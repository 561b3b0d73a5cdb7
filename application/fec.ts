/**
 * The French Fichier des Écritures Comptables (SPEC §3 `GET /api/v1/exports/fec`; LPF art.
 * A47 A-1; BOI-CF-IOR-60-40-20), in two modes (issue #11 item 6):
 * - a financial year's FEC (`fecYearExport`): the à-nouveaux first (fec-opening.ts), then the
 *   year's écritures; named `SirenFECAAAAMMJJ` with the year's CLOSING date (A47 A-1 IX);
 * - any `from`–`to` range (`fecExport`, SPEC): the range's écritures only, named after its last
 *   day. It is not a year's FEC (no à-nouveaux): for the treasurer's checks and imports.
 * Écritures are numbered 1, 2, 3… over the whole file (fec-format.ts), in ledger order.
 *
 * ValidDate (A47 A-1 VII 1°, field 16, "la date de validation de l'écriture comptable"; a
 * field the text does not allow to be blank, unlike 7, 8, 14, 15, 17, 18, and that the DGFiP's
 * own checker Test Compta Demat marks "CF1:OBLIGATOIRE", src/testeur/SQL/FECBIC.sql): an
 * écriture is validated when its month is closed (periods.ts: nothing can be dated in a closed
 * month any more), so its ValidDate is the day the month was closed. An écriture of a month not
 * closed yet has not been through that procedure: it gets the export date, the day it was
 * frozen into this file (the ledger is append-only, so it cannot change afterwards), and the
 * file says it is provisional (`provisional: true`); close the months and export again for the
 * final file. The à-nouveaux take the close date of the last month before the year.
 */
import { sql } from 'drizzle-orm';
import {
  type BookAccounts,
  bookAccount,
  DEFAULT_BOOK_ACCOUNTS,
  usedAccounts,
} from '../core/book-accounts.ts';
import {
  ACCOUNT_NUMBER,
  accountLabel,
  type ChartId,
  DEFAULT_CHART,
  type SubAccount,
} from '../core/charts/charts.ts';
import { memberNumbers } from '../core/export-refs.ts';
import type { EntryDetail } from '../core/journal-entries.ts';
import type { DbOrTx } from '../db/client.ts';
import { type AccountOf, toFecEntries } from './fec-entries.ts';
import { encodeFec, type FecCharset, type FecEntry, renderFec } from './fec-format.ts';
import { openingEntry } from './fec-opening.ts';
import { financialYear } from './financial-year.ts';
import { journal } from './journal.ts';
import { num, rowsOf } from './ledger-sql.ts';
import { compactLocalDate, type ReportRange } from './report-range.ts';

export {
  clean,
  FEC_CHARSETS,
  FEC_JOURNALS,
  type FecCharset,
  fecColumns,
  formatAmount,
} from './fec-format.ts';

export interface FecOptions {
  /** the association's SIREN, 9 digits, used in the file name (default 000000000) */
  siren?: string;
  /** the lab's time zone, for dates (default Europe/Paris) */
  timeZone?: string;
  /** SPEC §3: lines end in LF or CRLF (default LF) */
  lineEnding?: 'LF' | 'CRLF';
  /** A47 A-1 XII 1°: UTF-8 (default) or ISO 8859-15 */
  charset?: FecCharset;
  /** the export date: ValidDate of écritures in months not closed (default now) */
  now?: Date;
  /**
   * Issue #11 item 4: one écriture per session, top-up, refund… (`event`, default), or one per
   * ledger transaction as live metering posted them (`minute`); the same totals either way.
   */
  detail?: EntryDetail;
  /** the chart and account numbers (the treasurer's accounting settings; defaults: PCA 2025) */
  accounts?: Partial<BookAccounts> & { chart?: ChartId; subAccounts?: readonly SubAccount[] };
}

export interface FecFile {
  filename: string;
  /** the text (already fitted to the character set) */
  content: string;
  /** the text in its character set */
  bytes: Uint8Array<ArrayBuffer>;
  charset: FecCharset;
  /** some écritures are in months not closed yet (their ValidDate is the export date) */
  provisional: boolean;
}

export class FecOptionsError extends Error {}

/** The FEC of a `from`–`to` range: no à-nouveaux, named after the range's last day. */
export async function fecExport(db: DbOrTx, range: ReportRange, options: FecOptions = {}): Promise<FecFile> {
  const o = resolve(options);
  const entries = await periodEntries(db, range, o);
  // The period's last day: the day of the last instant before `to` (for date bounds, to − 1 day).
  const lastDay = compactLocalDate(new Date(range.to.getTime() - 1), o.timeZone);
  return finish(db, entries, `${o.siren}FEC${lastDay}.txt`, o, null);
}

/**
 * The FEC of financial year `year` (the one starting on `yearStart`, MM-DD, of that calendar
 * year): the à-nouveaux at its first day, then its écritures; named after its closing date.
 */
export async function fecYearExport(
  db: DbOrTx,
  year: number,
  yearStart: string,
  options: FecOptions = {},
): Promise<FecFile> {
  const o = resolve(options);
  let fy: ReturnType<typeof financialYear>;
  let previous: ReturnType<typeof financialYear>;
  try {
    fy = financialYear(year, yearStart, o.timeZone);
    previous = financialYear(Math.max(year - 1, 1970), yearStart, o.timeZone);
  } catch (e) {
    if (e instanceof RangeError) throw new FecOptionsError(e.message);
    throw e;
  }
  const opening = await openingEntry(
    db,
    fy.from,
    previous.from,
    o.accountOf,
    `À-nouveaux au ${fy.opening.slice(6, 8)}/${fy.opening.slice(4, 6)}/${fy.opening.slice(0, 4)} : reprise des soldes de l'exercice antérieur`,
  );
  const entries = await periodEntries(db, fy, o);
  return finish(
    db,
    opening === null ? entries : [opening, ...entries],
    `${o.siren}FEC${fy.closing}.txt`,
    o,
    opening,
  );
}

interface Resolved {
  siren: string;
  timeZone: string;
  lineEnding: 'LF' | 'CRLF';
  charset: FecCharset;
  now: Date;
  detail: EntryDetail;
  accountOf: AccountOf;
}

function resolve(options: FecOptions): Resolved {
  const siren = options.siren ?? '000000000';
  if (!/^\d{9}$/.test(siren)) throw new FecOptionsError('the SIREN is 9 digits');
  const accounts = resolveAccounts(options.accounts);
  return {
    siren,
    timeZone: options.timeZone ?? 'Europe/Paris',
    lineEnding: options.lineEnding === 'CRLF' ? 'CRLF' : 'LF',
    charset: options.charset ?? 'utf-8',
    now: options.now ?? new Date(),
    detail: options.detail ?? 'event',
    accountOf: chartAccountOf(accounts),
  };
}

async function finish(
  db: DbOrTx,
  entries: FecEntry[],
  filename: string,
  o: Resolved,
  opening: FecEntry | null,
): Promise<FecFile> {
  numberMembers(entries);
  const closes = await closeDates(db);
  const exportDay = compactLocalDate(o.now, o.timeZone);
  let provisional = false;
  const validDate = (entry: FecEntry) => {
    // The à-nouveaux are final once the last month before the year is closed.
    const at = entry === opening ? entry.atMs - 1 : entry.atMs;
    const closed = closes.find((c) => c.from <= at && at < c.to);
    if (closed !== undefined) return compactLocalDate(new Date(closed.closedAt), o.timeZone);
    provisional = true;
    return exportDay;
  };
  const content = renderFec(entries, {
    timeZone: o.timeZone,
    lineEnding: o.lineEnding,
    charset: o.charset,
    validDate,
  });
  return { filename, content, bytes: encodeFec(content, o.charset), charset: o.charset, provisional };
}

/**
 * Issue #12: a member's auxiliary account is their short number (core/export-refs.ts), not their
 * id, the same in the à-nouveaux and the écritures of the file.
 */
function numberMembers(entries: FecEntry[]): void {
  const ids = entries.flatMap((e) => e.lines.map((l) => l.auxNum).filter((n) => n !== ''));
  const numbers = memberNumbers(ids);
  for (const e of entries)
    for (const l of e.lines) {
      const number = numbers.get(l.auxNum);
      if (number === undefined) continue;
      if (l.auxLib === l.auxNum) l.auxLib = number;
      l.auxNum = number;
    }
}

async function closeDates(db: DbOrTx): Promise<{ from: number; to: number; closedAt: number }[]> {
  const rows = await rowsOf<{ from_ms: unknown; to_ms: unknown; closed_ms: unknown }>(
    db,
    sql`select (extract(epoch from starts_at) * 1000)::float8 as from_ms,
          (extract(epoch from ends_at) * 1000)::float8 as to_ms,
          (extract(epoch from closed_at) * 1000)::float8 as closed_ms
        from closed_periods`,
  );
  return rows.map((r) => ({ from: num(r.from_ms), to: num(r.to_ms), closedAt: num(r.closed_ms) }));
}

/** The range's écritures (application/journal.ts: per event, or per ledger transaction), in ledger order. */
async function periodEntries(db: DbOrTx, range: ReportRange, o: Resolved): Promise<FecEntry[]> {
  return toFecEntries(await journal(db, range, o.detail), o.accountOf);
}

/** The settings' accounts over the defaults, each number checked (Paheko's rule). */
function resolveAccounts(overrides: FecOptions['accounts']): {
  accounts: BookAccounts;
  chart: ChartId;
  subAccounts: readonly SubAccount[];
} {
  const defined = Object.fromEntries(Object.entries(overrides ?? {}).filter(([, v]) => v !== undefined));
  const accounts: BookAccounts = {
    ...DEFAULT_BOOK_ACCOUNTS,
    ...defined,
    machineRevenue: { ...(overrides?.machineRevenue ?? {}) },
  };
  for (const { field, number } of usedAccounts(accounts)) {
    if (typeof number !== 'string' || !ACCOUNT_NUMBER.test(number)) {
      throw new FecOptionsError(
        `${field}: account number "${String(number)}" must be 1 to 20 letters, digits or _`,
      );
    }
  }
  return { accounts, chart: overrides?.chart ?? DEFAULT_CHART, subAccounts: overrides?.subAccounts ?? [] };
}

/**
 * Issue #11 items 1, 2, 11: the account of core/book-accounts.ts (the same as the Paheko
 * export's), labelled as the chart labels it (A47 A-1 VII: "CompteLib … conformément à la
 * nomenclature du plan comptable").
 */
function chartAccountOf(resolved: ReturnType<typeof resolveAccounts>): AccountOf {
  return (line, entry) => {
    const num = bookAccount(line, entry.method, resolved.accounts);
    return { num, lib: accountLabel(resolved.chart, resolved.subAccounts, num) ?? num };
  };
}
