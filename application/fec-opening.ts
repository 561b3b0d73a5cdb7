/**
 * The à-nouveaux of a financial year's FEC (issue #11 item 6). LPF art. A47 A-1, VII 1°: the
 * file "comprend les écritures de reprise des soldes de l'exercice antérieur", and VII 3°: "les
 * premiers numéros d'écritures comptables du fichier correspondent aux écritures de reprise des
 * soldes". What is carried forward is the balance of the balance-sheet accounts (classes 1 to 5:
 * 4191 per member, the tills and clearing accounts 530, 512, 5112, 5115, the HelloAsso account,
 * 4110…); income and expense accounts (classes 6 and 7) start each year at zero, so their net
 * is carried as the result: the previous year's on 120 "Résultat de l'exercice – excédent" or
 * 129 "– déficit" (awaiting the general assembly's allocation), older years' on 110 "Report à
 * nouveau – solde créditeur" or 119 "– solde débiteur". These four are in Paheko's association
 * charts (paheko/paheko src/include/data/charts/fr_pca_2025.csv and fr_pca_2018.csv).
 *
 * One écriture, journal AN, dated the year's first day, balanced: the ledger is double-entry,
 * so the balance-sheet balances and the results always sum to zero.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import type { AccountOf, SourceEntry, SourceLine } from './fec-entries.ts';
import type { FecEntry, FecLine } from './fec-format.ts';
import { effectiveKinds, num, rowsOf, ts } from './ledger-sql.ts';

export const RESULT_ACCOUNTS = {
  lastYearSurplus: { num: '120', lib: "Résultat de l'exercice – excédent" },
  lastYearDeficit: { num: '129', lib: "Résultat de l'exercice – déficit" },
  earlierSurplus: { num: '110', lib: 'Report à nouveau – solde créditeur' },
  earlierDeficit: { num: '119', lib: 'Report à nouveau – solde débiteur' },
} as const;

interface BalanceRow {
  account: string;
  member_id: string | null;
  member_name: string | null;
  machine_kind: string | null;
  method: string | null;
  debit: boolean;
  last_year: boolean;
  amount_cents: unknown;
}

/** Income and expense accounts (classes 6 and 7) close into the result; the others carry. */
export function isResultAccount(num: string): boolean {
  return num.startsWith('6') || num.startsWith('7');
}

/**
 * The à-nouveaux at `yearFrom` (the ledger's balances just before it, mapped with the same
 * accounts as the year's entries), or null when there is nothing to carry (a first year).
 * `lastYearFrom` starts the previous financial year: results after it are last year's.
 */
export async function openingEntry(
  db: DbOrTx,
  yearFrom: Date,
  lastYearFrom: Date,
  accountOf: AccountOf,
  label: string,
): Promise<FecEntry | null> {
  const before = sql`t.created_at < ${ts(yearFrom)}`;
  // The payment method a line was booked with decides its clearing account (cheques 5112,
  // card 5115…): a reversal carries its original's, as in the year's entries (journal.ts).
  const rows = await rowsOf<BalanceRow>(
    db,
    sql`with recursive ${effectiveKinds(before)}
        select e.account, e.member_id, max(mb.name) as member_name,
            coalesce(e.machine_kind, mc.kind) as machine_kind,
            coalesce(t.method, root.method) as method,
            e.amount_cents > 0 as debit,
            t.created_at >= ${ts(lastYearFrom)} as last_year,
            sum(e.amount_cents) as amount_cents
          from ledger_transactions t
            join ledger_entries e on e.transaction_id = t.id
            left join eff on eff.tx_id = t.id
            left join ledger_transactions root on root.id = eff.root_id
            left join members mb on mb.id = e.member_id
            left join machines mc on mc.id = e.machine_id
          where ${before}
          group by 1, 2, 4, 5, 6, 7
          order by 1, 2, 4, 5, 6, 7`,
  );

  const carried = new Map<string, FecLine>();
  let lastYearResult = 0;
  let earlierResult = 0;
  for (const r of rows) {
    const amountCents = num(r.amount_cents);
    const line: SourceLine = {
      account: r.account,
      amountCents,
      memberId: r.member_id,
      memberName: r.member_name,
      machineId: null,
      machineKind: r.machine_kind,
      machineName: null,
    };
    const entry: SourceEntry = {
      kind: 'opening',
      method: r.method,
      reference: null,
      reason: null,
      sessionId: null,
      reversesId: null,
      reversesKind: null,
      atMs: yearFrom.getTime(),
      transactionIds: [],
      lines: [line],
    };
    const account = accountOf(line, entry);
    if (isResultAccount(account.num)) {
      if (r.last_year) lastYearResult += amountCents;
      else earlierResult += amountCents;
      continue;
    }
    const perMember = (r.account === 'member_cards' || r.account === 'member_debts') && r.member_id !== null;
    const auxNum = perMember ? (r.member_id ?? '') : '';
    const key = JSON.stringify([account.num, auxNum]);
    const existing = carried.get(key);
    if (existing === undefined) {
      carried.set(key, {
        num: account.num,
        lib: account.lib,
        auxNum,
        auxLib: perMember ? (r.member_name ?? auxNum) : '',
        amountCents,
      });
    } else existing.amountCents += amountCents;
  }

  const lines = [...carried.values()].filter((l) => l.amountCents !== 0);
  // A net debit of income and expense is a deficit (debited to 129/119), a net credit a surplus.
  if (lastYearResult !== 0) {
    const a = lastYearResult > 0 ? RESULT_ACCOUNTS.lastYearDeficit : RESULT_ACCOUNTS.lastYearSurplus;
    lines.push({ ...a, auxNum: '', auxLib: '', amountCents: lastYearResult });
  }
  if (earlierResult !== 0) {
    const a = earlierResult > 0 ? RESULT_ACCOUNTS.earlierDeficit : RESULT_ACCOUNTS.earlierSurplus;
    lines.push({ ...a, auxNum: '', auxLib: '', amountCents: earlierResult });
  }
  if (lines.length === 0) return null;
  const sum = lines.reduce((s, l) => s + l.amountCents, 0);
  if (sum !== 0) throw new Error(`the à-nouveaux do not balance (${sum} cents): the ledger is inconsistent`);
  // Accounts in number order, members by name within 4191, as a balance is read.
  lines.sort(
    (a, b) =>
      a.num.localeCompare(b.num) ||
      a.auxLib.localeCompare(b.auxLib, 'fr') ||
      a.auxNum.localeCompare(b.auxNum),
  );
  return { journal: 'AN', atMs: yearFrom.getTime(), pieceRef: 'AN', label, lines };
}
