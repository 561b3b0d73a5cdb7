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
import { MACHINE_KINDS, type MachineKind } from '../core/domain.ts';
import type { DbOrTx } from '../db/client.ts';
import {
  type ChartAccount,
  MACHINE_LABELS,
  machineKindOf,
  type SourceEntry,
  type SourceLine,
  toFecEntries,
} from './fec-entries.ts';
import { encodeFec, type FecCharset, type FecEntry, renderFec } from './fec-format.ts';
import { openingEntry } from './fec-opening.ts';
import { financialYear } from './financial-year.ts';
import { num, rowsOf, ts } from './ledger-sql.ts';
import { compactLocalDate, type ReportRange } from './report-range.ts';

export {
  clean,
  FEC_CHARSETS,
  FEC_JOURNALS,
  type FecCharset,
  fecColumns,
  formatAmount,
} from './fec-format.ts';

/** Chart-of-accounts numbers for the ledger's logical accounts (plan comptable associatif). */
export interface FecAccounts {
  /** 4191 "avances reçues": the members' prepaid credit; auxiliary account = the member */
  memberCards: string;
  machineRevenue: Record<MachineKind, string>;
  bank: string;
  cash: string;
  /** HelloAsso clearing: paid online, not yet paid out to the bank */
  online: string;
  /** adjustments that cost the association (a debit: credit given to a member) */
  adjustmentsDebit: string;
  /** adjustments that profit the association (a credit: credit taken from a member) */
  adjustmentsCredit: string;
  /** sales of consumables used in sessions (issue #6) */
  materials: string;
}

export const DEFAULT_FEC_ACCOUNTS: FecAccounts = {
  memberCards: '4191',
  machineRevenue: {
    laser: '7061',
    cnc: '7062',
    'printer-3d': '7063',
    electronics: '7064',
    door: '7065',
    other: '7068',
  },
  bank: '512',
  cash: '530',
  online: '467',
  adjustmentsDebit: '658',
  adjustmentsCredit: '758',
  materials: '707',
};

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
  accounts?: Partial<Omit<FecAccounts, 'machineRevenue'>> & {
    machineRevenue?: Partial<Record<MachineKind, string>>;
  };
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
  const entries = await periodEntries(db, range, o.accountOf);
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
  const entries = await periodEntries(db, fy, o.accountOf);
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
  accountOf: (line: SourceLine, entry: SourceEntry) => ChartAccount;
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
    accountOf: (line) => compte(line, accounts),
  };
}

async function finish(
  db: DbOrTx,
  entries: FecEntry[],
  filename: string,
  o: Resolved,
  opening: FecEntry | null,
): Promise<FecFile> {
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

interface EntryRow {
  tx_id: unknown;
  kind: string;
  method: string | null;
  reference: string | null;
  reason: string | null;
  session_id: string | null;
  reverses_id: unknown;
  reverses_kind: string | null;
  at_ms: unknown;
  account: string;
  amount_cents: unknown;
  member_id: string | null;
  member_name: string | null;
  machine_id: string | null;
  machine_kind: string | null;
  machine_name: string | null;
}

/** The range's ledger transactions, one écriture each, in ledger order. */
async function periodEntries(
  db: DbOrTx,
  range: ReportRange,
  accountOf: Resolved['accountOf'],
): Promise<FecEntry[]> {
  const rows = await rowsOf<EntryRow>(
    db,
    sql`select t.id as tx_id, t.kind, t.method, t.reference, t.reason, t.session_id, t.reverses_id,
            o.kind as reverses_kind,
            (extract(epoch from t.created_at) * 1000)::float8 as at_ms,
            e.account, e.amount_cents, e.member_id, mb.name as member_name,
            e.machine_id, coalesce(e.machine_kind, mc.kind) as machine_kind, mc.name as machine_name
          from ledger_transactions t
            join ledger_entries e on e.transaction_id = t.id
            left join ledger_transactions o on o.id = t.reverses_id
            left join members mb on mb.id = e.member_id
            left join machines mc on mc.id = e.machine_id
          where t.created_at >= ${ts(range.from)} and t.created_at < ${ts(range.to)}
          order by t.created_at, t.id, e.id`,
  );
  const sources: SourceEntry[] = [];
  for (const r of rows) {
    const txId = String(r.tx_id);
    let entry = sources.at(-1);
    if (entry === undefined || entry.transactionIds[0] !== txId) {
      entry = {
        kind: r.kind,
        method: r.method,
        reference: r.reference,
        reason: r.reason,
        sessionId: r.session_id,
        reversesId: r.reverses_id === null ? null : String(r.reverses_id),
        reversesKind: r.reverses_kind,
        atMs: Math.floor(num(r.at_ms)),
        transactionIds: [txId],
        lines: [],
      };
      sources.push(entry);
    }
    entry.lines.push({
      account: r.account,
      amountCents: num(r.amount_cents),
      memberId: r.member_id,
      memberName: r.member_name,
      machineId: r.machine_id,
      machineKind: r.machine_kind,
      machineName: r.machine_name,
    });
  }
  return toFecEntries(sources, accountOf);
}

function resolveAccounts(overrides: FecOptions['accounts']): FecAccounts {
  const accounts: FecAccounts = {
    ...DEFAULT_FEC_ACCOUNTS,
    ...Object.fromEntries(
      Object.entries(overrides ?? {}).filter(
        ([k, v]) => k in DEFAULT_FEC_ACCOUNTS && k !== 'machineRevenue' && v !== undefined,
      ),
    ),
    machineRevenue: { ...DEFAULT_FEC_ACCOUNTS.machineRevenue },
  };
  for (const [kind, value] of Object.entries(overrides?.machineRevenue ?? {})) {
    if (value !== undefined && (MACHINE_KINDS as readonly string[]).includes(kind)) {
      accounts.machineRevenue[kind as MachineKind] = value;
    }
  }
  const all = [
    accounts.memberCards,
    accounts.bank,
    accounts.cash,
    accounts.online,
    accounts.adjustmentsDebit,
    accounts.adjustmentsCredit,
    accounts.materials,
    ...Object.values(accounts.machineRevenue),
  ];
  for (const n of all) {
    if (typeof n !== 'string' || !/^[0-9A-Za-z]{1,20}$/.test(n)) {
      throw new FecOptionsError(`account number "${String(n)}" must be 1 to 20 letters or digits`);
    }
  }
  return accounts;
}

function compte(e: SourceLine, accounts: FecAccounts): ChartAccount {
  switch (e.account) {
    case 'member_cards':
      return { num: accounts.memberCards, lib: 'Adhérents - avances sur cartes machines' };
    case 'machine_revenue': {
      const kind = machineKindOf(e.machineKind);
      return {
        num: accounts.machineRevenue[kind],
        lib: kind === 'other' ? 'Prestations autres machines' : `Prestations ${MACHINE_LABELS[kind]}`,
      };
    }
    case 'bank':
      return { num: accounts.bank, lib: 'Banque' };
    case 'cash':
      return { num: accounts.cash, lib: 'Caisse' };
    case 'online':
      return { num: accounts.online, lib: 'HelloAsso - paiements en ligne à encaisser' };
    case 'material_revenue':
      return { num: accounts.materials, lib: 'Ventes de consommables' };
    default:
      // 'adjustments': a loss when debited, a gain when credited.
      return e.amountCents > 0
        ? { num: accounts.adjustmentsDebit, lib: 'Charges diverses de gestion courante' }
        : { num: accounts.adjustmentsCredit, lib: 'Produits divers de gestion courante' };
  }
}
