/**
 * The FEC's écritures from the ledger (issue #11): which journal, which account, which label.
 * Journals: top-ups and refunds go to the journal of the till the money moved through (CA cash,
 * BQ bank, HA HelloAsso), machine use to VT, adjustments and reversals to OD.
 * The 4191 lines (members' cards) carry the member as auxiliary account (CompAuxNum/Lib), so
 * the file says whose credit moved; the sum of a year's 4191 lines with its à-nouveaux is the
 * sum of the members' balances.
 */
import { MACHINE_KINDS, type MachineKind, TOPUP_METHODS, type TopupMethod } from '../core/domain.ts';
import { pieceRefs, transactionRef } from '../core/export-refs.ts';
import type { JournalEntry, JournalLine } from '../core/journal-entries.ts';
import type { FecEntry, FecJournal, FecLine } from './fec-format.ts';

/** A ledger line of a source entry (the shape of core/journal-entries.ts's JournalLine). */
/** One ledger line of an accounting event: the grouping's own (core/journal-entries.ts). */
export type SourceLine = JournalLine;

/**
 * An accounting event: one ledger transaction, or a session's charges summed (issue #11 item 4):
 * the grouping's entry, whose key a caller building entries by hand may leave out.
 */
export type SourceEntry = Omit<JournalEntry, 'key'> & { key?: string };

/** A chart account: its number and the label the FEC gives it (CompteLib). */
export interface ChartAccount {
  num: string;
  lib: string;
}

export type AccountOf = (line: SourceLine, entry: SourceEntry) => ChartAccount;

/** Ledger accounts whose chart account has an auxiliary account per member. */
const PER_MEMBER: ReadonlySet<string> = new Set(['member_cards', 'member_debts']);

export function toFecEntries(entries: readonly SourceEntry[], accountOf: AccountOf): FecEntry[] {
  // Issue #12: short references, not ids (core/export-refs.ts); members' numbers are given in fec.ts.
  const pieceOf = pieceRefs(entries);
  return entries.map((entry) => {
    const lines: FecLine[] = entry.lines
      .filter((l) => l.amountCents !== 0)
      .map((l) => {
        const account = accountOf(l, entry);
        const perMember = PER_MEMBER.has(l.account) && l.memberId !== null;
        return {
          num: account.num,
          lib: account.lib,
          auxNum: perMember ? (l.memberId ?? '') : '',
          auxLib: perMember ? (l.memberName ?? l.memberId ?? '') : '',
          amountCents: l.amountCents,
        };
      });
    return {
      journal: journalOf(entry),
      atMs: entry.atMs,
      pieceRef: entry.reference?.trim() || pieceOf(entry),
      label: ecritureLib(entry),
      lines,
    };
  });
}

export function journalOf(entry: SourceEntry): FecJournal {
  const { kind, method } = entry;
  if (kind === 'usage' || kind === 'material') return 'VT';
  if (kind !== 'topup' && kind !== 'refund') return 'OD';
  if (method === 'cash') return 'CA';
  if (method === 'helloasso') return 'HA';
  if (method !== null && (TOPUP_METHODS as readonly string[]).includes(method)) return 'BQ';
  // No method recorded: the till the money went through says it.
  if (entry.lines.some((e) => e.account === 'cash')) return 'CA';
  if (entry.lines.some((e) => e.account === 'online')) return 'HA';
  return 'BQ';
}

export const METHOD_LABELS: Record<TopupMethod, string> = {
  cash: 'espèces',
  card: 'carte bancaire',
  transfer: 'virement',
  check: 'chèque',
  helloasso: 'HelloAsso',
  other: 'autre moyen de paiement',
};

export const MACHINE_LABELS: Record<MachineKind, string> = {
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
  material: 'consommables',
  refund: 'remboursement carte machine',
  adjustment: 'régularisation carte machine',
  reversal: 'annulation',
};

export function machineKindOf(kind: string | null | undefined): MachineKind {
  return (MACHINE_KINDS as readonly string[]).includes(kind ?? '') ? (kind as MachineKind) : 'other';
}

function methodLabel(method: string | null): string {
  return method !== null && (TOPUP_METHODS as readonly string[]).includes(method)
    ? METHOD_LABELS[method as TopupMethod]
    : 'moyen non précisé';
}

function ecritureLib(entry: SourceEntry): string {
  const reason = entry.reason?.trim() ?? '';
  const withReason = (text: string) => (reason ? `${text} — ${reason}` : text);
  switch (entry.kind) {
    case 'topup':
      return `Recharge carte machine — ${methodLabel(entry.method)}`;
    case 'refund':
      return withReason(`Remboursement carte machine — ${methodLabel(entry.method)}`);
    case 'usage':
    case 'material': {
      // Issue #12: "Découpe laser — Camille Martin", the machine and the member, said once.
      const machine = entry.lines.find((e) => e.account === 'machine_revenue');
      const materials = entry.lines.some((e) => e.account === 'material_revenue');
      const who = entry.lines.find((e) => e.memberName)?.memberName;
      let what = 'Consommables';
      if (machine !== undefined || entry.kind === 'usage') {
        const kind = machineKindOf(machine?.machineKind ?? null);
        const label = MACHINE_LABELS[kind];
        what = machine?.machineName ?? `Utilisation ${label}`;
        if (materials) what += ' et consommables';
      }
      return who ? `${what} — ${who}` : what;
    }
    case 'adjustment':
      return withReason('Régularisation carte machine');
    default: {
      const kind = entry.reversesKind;
      const original = kind ? ` (${Object.hasOwn(KIND_LABELS, kind) ? KIND_LABELS[kind] : kind})` : '';
      const target = entry.reversesId === null ? '' : ` de ${transactionRef(kind, entry.reversesId)}`;
      return withReason(`Annulation${target}${original}`);
    }
  }
}
