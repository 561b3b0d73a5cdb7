/**
 * The ledger lines behind the card report's discrepancies, for the treasurer's checks page
 * (issue #5). A query of the application, not of the page (issue #12: no page reads the
 * ledger tables itself).
 */
import { asc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { ledgerEntries, ledgerTransactions } from '../db/schema.ts';
import type { CardReport } from './reports.ts';

export interface EntryBehind {
  transactionId: string;
  kind: string;
  createdAt: Date;
  account: string;
  amountCents: number;
  memberId: string | null;
  sessionId: string | null;
}

/** The ledger lines behind the discrepancies: those of the unbalanced transactions and of the sessions concerned. */
export async function entriesBehind(db: DbOrTx, report: CardReport): Promise<EntryBehind[]> {
  const d = report.checks.discrepancies;
  const txIds = d
    .filter((x) => x.kind === 'unbalanced_transaction')
    .flatMap((x) => x.ids)
    .map(Number)
    .filter(Number.isSafeInteger);
  const sessionIds = d.filter((x) => x.kind === 'session_charge_mismatch').flatMap((x) => x.ids);
  if (txIds.length === 0 && sessionIds.length === 0) return [];
  const select = () =>
    db
      .select({
        transactionId: ledgerTransactions.id,
        kind: ledgerTransactions.kind,
        createdAt: ledgerTransactions.createdAt,
        sessionId: ledgerTransactions.sessionId,
        account: ledgerEntries.account,
        amountCents: ledgerEntries.amountCents,
        memberId: ledgerEntries.memberId,
      })
      .from(ledgerTransactions)
      .innerJoin(ledgerEntries, eq(ledgerEntries.transactionId, ledgerTransactions.id));
  const rows = [
    ...(txIds.length > 0
      ? await select()
          .where(inArray(ledgerTransactions.id, txIds))
          .orderBy(asc(ledgerTransactions.id), asc(ledgerEntries.id))
      : []),
    ...(sessionIds.length > 0
      ? await select()
          .where(inArray(ledgerTransactions.sessionId, sessionIds))
          .orderBy(asc(ledgerTransactions.id), asc(ledgerEntries.id))
      : []),
  ];
  return rows.slice(0, 500).map((r) => ({ ...r, transactionId: String(r.transactionId) }));
}

/** The three checks, each with a state in words and an icon; the discrepancies and their entries. */
