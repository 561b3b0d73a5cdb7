/**
 * Words and short numbers, not ids, in the books' exports (issues #11 and #12: "words, not
 * codes, in every French and English page and export"). Pure, shared by the FEC and Paheko
 * exports so both give an entry the same piece reference and a member the same number.
 *
 * - A member's auxiliary account (FEC CompAuxNum): "M" + the first 8 hex digits of their id,
 *   upper case ("M1A2B3C4D"). A47 A-1 VII only asks CompAuxNum to be the auxiliary account's
 *   number; letters and digits are what accounting tools (Paheko, the DGFiP's Test Compta
 *   Demat) take. Derived from the id, so it is the same in every export; if two members of the
 *   same file share the 8 digits (about 1 in 4 billion per pair) both get more digits.
 * - A piece reference (FEC PieceRef, Paheko "Numéro pièce comptable"): a session's charges
 *   "S-" + the first 8 hex digits of the session id; any other ledger transaction its kind's
 *   prefix and its ledger number ("REC-12" a top-up). The ledger number is unique and never
 *   reused (append-only ledger), so the reference is unique in the file and the same in two
 *   exports of the same period, whatever the range.
 */

/** Ids (or anything with hex digits) to short codes, unique among `ids`: the shortest of 8, 12, 16… characters. */
export function shortCodes(prefix: string, ids: Iterable<string>): Map<string, string> {
  const distinct = [...new Set(ids)];
  const digits = new Map(distinct.map((id) => [id, digitsOf(id)]));
  const out = new Map<string, string>();
  for (const id of distinct) {
    const mine = digits.get(id)!;
    let n = 8;
    while (
      n < mine.length &&
      distinct.some((o) => o !== id && digits.get(o)!.slice(0, n) === mine.slice(0, n))
    )
      n += 4;
    // An id with no letter or digit, or two ids alike once cleaned: the whole id keeps them apart.
    const code =
      mine.length === 0 || distinct.some((o) => o !== id && digits.get(o) === mine) ? id : mine.slice(0, n);
    out.set(id, `${prefix}${code}`);
  }
  return out;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** An id's letters and digits, upper case: a UUID's hex digits if it holds one (ids are UUIDs, security.ts newId). */
function digitsOf(id: string): string {
  return (UUID.exec(id)?.[0] ?? id).replace(/[^0-9a-z]/gi, '').toUpperCase();
}

const TX_PREFIX: Record<string, string> = {
  topup: 'REC',
  refund: 'RMB',
  adjustment: 'REG',
  reversal: 'ANN',
  usage: 'UTI',
  material: 'MAT',
};

/** A ledger transaction's piece reference: its kind's prefix and its ledger number ("REC-12"). */
export function transactionRef(kind: string | null, txId: string): string {
  return `${(kind !== null && Object.hasOwn(TX_PREFIX, kind) ? TX_PREFIX[kind] : null) ?? 'OP'}-${txId}`;
}

/** What an entry's piece reference is made from (core/journal-entries.ts's JournalEntry has it). */
export interface PieceSource {
  key?: string;
  kind: string;
  sessionId: string | null;
  transactionIds: readonly string[];
}

/** Piece references of a file's entries: unique in the file, stable between exports. */
export function pieceRefs(entries: readonly PieceSource[]): (entry: PieceSource) => string {
  const sessions = shortCodes(
    'S-',
    entries.filter((e) => isSession(e)).map((e) => e.sessionId!),
  );
  return (entry) =>
    isSession(entry)
      ? sessions.get(entry.sessionId!)!
      : transactionRef(entry.kind, entry.transactionIds[0] ?? '');
}

function isSession(e: PieceSource): boolean {
  return e.key?.startsWith('session:') === true && e.sessionId !== null;
}

/** Members' auxiliary account numbers ("M1A2B3C4D"), unique among `memberIds`. */
export function memberNumbers(memberIds: Iterable<string>): Map<string, string> {
  return shortCodes('M', memberIds);
}
