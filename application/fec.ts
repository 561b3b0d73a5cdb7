/**
 * The French Fichier des Écritures Comptables (SPEC §3 `GET /api/v1/exports/fec`; article
 * A47 A-1 du livre des procédures fiscales): one line per ledger entry, 18 tab-separated
 * columns after a header line, amounts with two decimals and a comma, dates AAAAMMJJ in the
 * lab's time zone. The logical accounts of core/ledger.ts get their chart numbers here.
 *
 * Journals: top-ups and refunds go to the journal of the till the money moved through
 * (CA cash, BQ bank, HA HelloAsso), machine use to VT, adjustments and reversals to OD.
 * Écritures are listed in ledger order (date, then transaction id) and numbered 1, 2, 3…
 * without gaps within each journal.
 */
import { sql } from 'drizzle-orm';
import { neutraliseFormula } from '../core/csv.ts';
import { MACHINE_KINDS, type MachineKind, TOPUP_METHODS, type TopupMethod } from '../core/domain.ts';
import type { DbOrTx } from '../db/client.ts';
import { num, rowsOf, ts } from './ledger-sql.ts';
import { compactLocalDate, type ReportRange } from './report-range.ts';

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

/**
 * Issue #9 item 10: accountants open the FEC in spreadsheets, so a text field that would start
 * with =, +, -, @ (a member's name, a reference, a reason) is neutralised like in the CSV exports
 * (a leading apostrophe). Amounts are numbers and stay as they are.
 */
const AMOUNT_COLUMNS: ReadonlySet<string> = new Set(['Debit', 'Credit', 'Montantdevise']);

export const FEC_JOURNALS = {
  CA: 'Caisse',
  BQ: 'Banque',
  HA: 'HelloAsso',
  VT: 'Ventes / consommations cartes machines',
  OD: 'Opérations diverses',
} as const;
export type FecJournal = keyof typeof FEC_JOURNALS;

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
  accounts?: Partial<Omit<FecAccounts, 'machineRevenue'>> & {
    machineRevenue?: Partial<Record<MachineKind, string>>;
  };
}

export class FecOptionsError extends Error {}

const METHOD_LABELS: Record<TopupMethod, string> = {
  cash: 'espèces',
  card: 'carte bancaire',
  transfer: 'virement',
  check: 'chèque',
  helloasso: 'HelloAsso',
  other: 'autre moyen de paiement',
};

const MACHINE_LABELS: Record<MachineKind, string> = {
  laser: 'découpeuse laser',
  cnc: 'fraiseuse CNC',
  'printer-3d': 'imprimante 3D',
  electronics: 'poste électronique',
  door: 'accès porte',
  other: 'machine',
};

const KIND_LABELS: Record<string, string> = {
  topup: 'recharge carte machine',
  usage: 'utilisation machine',
  refund: 'remboursement carte machine',
  adjustment: 'régularisation carte machine',
  reversal: 'annulation',
};

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

export async function fecExport(
  db: DbOrTx,
  range: ReportRange,
  options: FecOptions = {},
): Promise<{ filename: string; content: string }> {
  const siren = options.siren ?? '000000000';
  if (!/^\d{9}$/.test(siren)) throw new FecOptionsError('the SIREN is 9 digits');
  const timeZone = options.timeZone ?? 'Europe/Paris';
  const accounts = resolveAccounts(options.accounts);
  const eol = options.lineEnding === 'CRLF' ? '\r\n' : '\n';

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

  const lines: string[] = [fecColumns.join('\t')];
  const counters = new Map<FecJournal, number>();
  for (const entries of groupByTransaction(rows)) {
    const head = entries[0]!;
    const journal = journalOf(head.kind, head.method, entries);
    const number = (counters.get(journal) ?? 0) + 1;
    counters.set(journal, number);
    const date = compactLocalDate(new Date(Math.floor(num(head.at_ms))), timeZone);
    const pieceRef = clean(head.reference ?? '') || String(head.tx_id);
    const label = ecritureLib(head, entries);
    for (const e of entries) {
      const amount = num(e.amount_cents);
      const account = compte(e, amount, accounts);
      const isCard = e.account === 'member_cards';
      const fields: Record<(typeof fecColumns)[number], string> = {
        JournalCode: journal,
        JournalLib: FEC_JOURNALS[journal],
        EcritureNum: String(number),
        EcritureDate: date,
        CompteNum: account.num,
        CompteLib: account.lib,
        CompAuxNum: isCard ? clean(e.member_id ?? '') : '',
        CompAuxLib: isCard ? clean(e.member_name ?? '') : '',
        PieceRef: pieceRef,
        PieceDate: date,
        EcritureLib: label,
        Debit: formatAmount(Math.max(amount, 0)),
        Credit: formatAmount(Math.max(-amount, 0)),
        EcritureLet: '',
        DateLet: '',
        ValidDate: date,
        Montantdevise: '',
        Idevise: '',
      };
      lines.push(
        fecColumns.map((c) => (AMOUNT_COLUMNS.has(c) ? fields[c] : neutraliseFormula(fields[c]))).join('\t'),
      );
    }
  }

  // The period's last day: the day of the last instant before `to` (for date bounds, to − 1 day).
  const lastDay = compactLocalDate(new Date(range.to.getTime() - 1), timeZone);
  return { filename: `${siren}FEC${lastDay}.txt`, content: lines.join(eol) + eol };
}

function resolveAccounts(overrides: FecOptions['accounts']): FecAccounts {
  const accounts: FecAccounts = {
    ...DEFAULT_FEC_ACCOUNTS,
    ...Object.fromEntries(
      Object.entries(overrides ?? {}).filter(([k, v]) => k !== 'machineRevenue' && v !== undefined),
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
    ...Object.values(accounts.machineRevenue),
  ];
  for (const n of all) {
    if (typeof n !== 'string' || !/^[0-9A-Za-z]{1,20}$/.test(n)) {
      throw new FecOptionsError(`account number "${String(n)}" must be 1 to 20 letters or digits`);
    }
  }
  return accounts;
}

function* groupByTransaction(rows: EntryRow[]): Generator<EntryRow[]> {
  let current: EntryRow[] = [];
  for (const row of rows) {
    if (current.length > 0 && String(current[0]!.tx_id) !== String(row.tx_id)) {
      yield current;
      current = [];
    }
    current.push(row);
  }
  if (current.length > 0) yield current;
}

function journalOf(kind: string, method: string | null, entries: EntryRow[]): FecJournal {
  if (kind === 'usage') return 'VT';
  if (kind !== 'topup' && kind !== 'refund') return 'OD';
  if (method === 'cash') return 'CA';
  if (method === 'helloasso') return 'HA';
  if (method !== null && (TOPUP_METHODS as readonly string[]).includes(method)) return 'BQ';
  // No method recorded: the till the money went through says it.
  if (entries.some((e) => e.account === 'cash')) return 'CA';
  if (entries.some((e) => e.account === 'online')) return 'HA';
  return 'BQ';
}

function machineKindOf(kind: string | null): MachineKind {
  return (MACHINE_KINDS as readonly string[]).includes(kind ?? '') ? (kind as MachineKind) : 'other';
}

function compte(e: EntryRow, amount: number, accounts: FecAccounts): { num: string; lib: string } {
  switch (e.account) {
    case 'member_cards':
      return { num: accounts.memberCards, lib: 'Adhérents - avances sur cartes machines' };
    case 'machine_revenue': {
      const kind = machineKindOf(e.machine_kind);
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
      return amount > 0
        ? { num: accounts.adjustmentsDebit, lib: 'Charges diverses de gestion courante' }
        : { num: accounts.adjustmentsCredit, lib: 'Produits divers de gestion courante' };
  }
}

function methodLabel(method: string | null): string {
  return method !== null && (TOPUP_METHODS as readonly string[]).includes(method)
    ? METHOD_LABELS[method as TopupMethod]
    : 'moyen non précisé';
}

function ecritureLib(head: EntryRow, entries: EntryRow[]): string {
  const reason = clean(head.reason ?? '');
  const withReason = (text: string) => (reason ? `${text} — ${reason}` : text);
  switch (head.kind) {
    case 'topup':
      return `Recharge carte machine — ${methodLabel(head.method)}`;
    case 'refund':
      return withReason(`Remboursement carte machine — ${methodLabel(head.method)}`);
    case 'usage': {
      const machine = entries.find((e) => e.account === 'machine_revenue');
      const kind = machineKindOf(machine?.machine_kind ?? null);
      const name = clean(machine?.machine_name ?? machine?.machine_id ?? '');
      const what = `Utilisation ${MACHINE_LABELS[kind]}${name ? ` ${name}` : ''}`;
      return head.session_id ? `${what} — session ${clean(head.session_id)}` : what;
    }
    case 'adjustment':
      return withReason('Régularisation carte machine');
    default: {
      const kind = head.reverses_kind;
      const original = kind ? ` (${Object.hasOwn(KIND_LABELS, kind) ? KIND_LABELS[kind] : kind})` : '';
      const target = head.reverses_id === null ? '' : ` de l'opération ${String(head.reverses_id)}`;
      return withReason(`Annulation${target}${original}`);
    }
  }
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
