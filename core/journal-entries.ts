/**
 * Accounting entries from ledger lines (issue #11 item 4), shared by the Paheko and FEC
 * exports. Live metering posts one ledger transaction per billed minute step; a treasurer books
 * one entry per accounting event. So, by default:
 * - a session's `usage` (and `material`) transactions make ONE entry: per account, member and
 *   machine, its debits summed and its credits summed (never netted, so the export's total
 *   debits and credits are the ledger's, whichever detail is asked for);
 * - every other transaction (top-up, refund, adjustment, reversal, usage without a session)
 *   is its own entry.
 * `detail: 'minute'` keeps one entry per ledger transaction, as the ledger has them.
 * The entry is dated by its last transaction (a session is billed until it ends); entries are
 * ordered by date, then by their first transaction.
 * Pure: the caller reads the rows, in ledger order (date, transaction id, entry id).
 */

export type EntryDetail = 'event' | 'minute';

/** One ledger entry with its transaction's fields. */
export interface LedgerLine {
  txId: string;
  kind: string;
  /** the payment method; a reversal carries its original's (the caller coalesces it) */
  method: string | null;
  reference: string | null;
  reason: string | null;
  sessionId: string | null;
  reversesId: string | null;
  reversesKind: string | null;
  atMs: number;
  /** the ledger's logical account */
  account: string;
  /** positive = debit, negative = credit */
  amountCents: number;
  memberId: string | null;
  memberName: string | null;
  machineId: string | null;
  machineKind: string | null;
  machineName: string | null;
}

export interface JournalLine {
  account: string;
  amountCents: number;
  memberId: string | null;
  memberName: string | null;
  machineId: string | null;
  machineKind: string | null;
  machineName: string | null;
}

export interface JournalEntry {
  /** `session:<id>` for a session's charges, `tx:<id>` otherwise */
  key: string;
  /** the first transaction's kind (`usage` for a session, even with materials) */
  kind: string;
  method: string | null;
  reference: string | null;
  reason: string | null;
  sessionId: string | null;
  reversesId: string | null;
  reversesKind: string | null;
  atMs: number;
  transactionIds: string[];
  lines: JournalLine[];
}

/** Transaction kinds a session's charges are made of (`material`: issue #11 item 3). */
const SESSION_CHARGES: ReadonlySet<string> = new Set(['usage', 'material']);

function entryKey(line: LedgerLine, detail: EntryDetail): string {
  if (detail === 'event' && line.sessionId !== null && SESSION_CHARGES.has(line.kind))
    return `session:${line.sessionId}`;
  return `tx:${line.txId}`;
}

function lineKey(l: LedgerLine): string {
  return JSON.stringify([l.account, l.memberId, l.machineId, l.machineKind, Math.sign(l.amountCents)]);
}

export function journalEntries(rows: readonly LedgerLine[], detail: EntryDetail = 'event'): JournalEntry[] {
  const entries = new Map<string, { entry: JournalEntry; lines: Map<string, JournalLine>; order: number }>();
  let order = 0;
  for (const row of rows) {
    if (row.amountCents === 0) continue;
    const key = entryKey(row, detail);
    let e = entries.get(key);
    if (e === undefined) {
      e = {
        entry: {
          key,
          kind: row.kind,
          method: row.method,
          reference: row.reference,
          reason: row.reason,
          sessionId: row.sessionId,
          reversesId: row.reversesId,
          reversesKind: row.reversesKind,
          atMs: row.atMs,
          transactionIds: [],
          lines: [],
        },
        lines: new Map(),
        order: order++,
      };
      entries.set(key, e);
    }
    const { entry } = e;
    if (entry.transactionIds.at(-1) !== row.txId) {
      entry.transactionIds.push(row.txId);
      entry.reference ??= row.reference;
      // A session's materials each carry what was used ("2 g PLA"): keep them all.
      if (row.reason && entry.reason !== row.reason && !entry.reason?.split('; ').includes(row.reason))
        entry.reason = entry.reason ? `${entry.reason}; ${row.reason}` : row.reason;
    }
    entry.atMs = Math.max(entry.atMs, row.atMs);
    const lk = lineKey(row);
    const line = e.lines.get(lk);
    if (line === undefined) {
      const fresh: JournalLine = {
        account: row.account,
        amountCents: row.amountCents,
        memberId: row.memberId,
        memberName: row.memberName,
        machineId: row.machineId,
        machineKind: row.machineKind,
        machineName: row.machineName,
      };
      e.lines.set(lk, fresh);
      entry.lines.push(fresh);
    } else {
      line.amountCents += row.amountCents;
    }
  }
  return [...entries.values()]
    .sort((a, b) => a.entry.atMs - b.entry.atMs || a.order - b.order)
    .map((e) => e.entry);
}

/** Σ debits and Σ credits per account: equal whichever detail the entries were made with. */
export function totalsByAccount(
  entries: readonly JournalEntry[],
): Map<string, { debit: number; credit: number }> {
  const out = new Map<string, { debit: number; credit: number }>();
  for (const e of entries)
    for (const l of e.lines) {
      const t = out.get(l.account) ?? { debit: 0, credit: 0 };
      if (l.amountCents > 0) t.debit += l.amountCents;
      else t.credit -= l.amountCents;
      out.set(l.account, t);
    }
  return out;
}

/**
 * Pairs an entry's debit lines with its credit lines, for formats with one debit and one
 * credit account per line (Paheko's simple CSV): greedy, amounts positive.
 */
export function pairLines(
  lines: readonly JournalLine[],
): { debit: JournalLine; credit: JournalLine; amountCents: number }[] {
  const debits = lines.filter((l) => l.amountCents > 0).map((l) => ({ l, left: l.amountCents }));
  const credits = lines.filter((l) => l.amountCents < 0).map((l) => ({ l, left: -l.amountCents }));
  const out: { debit: JournalLine; credit: JournalLine; amountCents: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < debits.length && j < credits.length) {
    const d = debits[i]!;
    const c = credits[j]!;
    const amount = Math.min(d.left, c.left);
    out.push({ debit: d.l, credit: c.l, amountCents: amount });
    d.left -= amount;
    c.left -= amount;
    if (d.left === 0) i++;
    if (c.left === 0) j++;
  }
  return out;
}
