/**
 * The charts of accounts an export may target (issue #11 item 1): Paheko's association charts,
 * shipped as data (pca-2025.ts, pca-2018.ts, generated from Paheko's own files). Paheko's
 * import refuses any account missing from the association's chart — `le compte "7061" n'existe
 * pas dans le plan comptable` (Accounting/Import.php getOrCreateAccountId, unless the importer
 * ticks "create missing accounts", which the done-when excludes) — so every account
 * number the treasurer sets is checked here first.
 *
 * Sub-accounts: Paheko lets the treasurer create one under a chart account (a longer number
 * starting with its parent's, letters and digits, 20 at most: Entities/Accounting/Account.php
 * selfCheck), e.g. 7061 under 706 or 512A for a HelloAsso "bank" account. The import will not
 * create it, so Sésame only accepts a sub-account the treasurer has declared (number + label),
 * meaning "it exists in our Paheko too".
 */
import { PCA_2018 } from './pca-2018.ts';
import { PCA_2025 } from './pca-2025.ts';

export const CHART_IDS = ['pca-2025', 'pca-2018'] as const;
export type ChartId = (typeof CHART_IDS)[number];
export const DEFAULT_CHART: ChartId = 'pca-2025';

export const CHART_NAMES: Record<ChartId, string> = {
  'pca-2025': 'plan comptable associatif 2025',
  'pca-2018': 'plan comptable associatif 2018',
};

const CHARTS: Record<ChartId, ReadonlyMap<string, string>> = {
  'pca-2025': new Map(PCA_2025),
  'pca-2018': new Map(PCA_2018),
};

/** Paheko's rule for an account number (Account::selfCheck). */
export const ACCOUNT_NUMBER = /^[0-9A-Za-z_]{1,20}$/;

export interface SubAccount {
  number: string;
  label: string;
}

/** The chart's label of an account, or undefined when the chart has no such account. */
export function chartLabel(chart: ChartId, number: string): string | undefined {
  return CHARTS[chart].get(number);
}

/** The nearest account of the chart a number extends (706 for 7061), if any. */
export function chartParent(chart: ChartId, number: string): string | undefined {
  for (let n = number.length - 1; n > 0; n--) {
    const prefix = number.slice(0, n);
    if (CHARTS[chart].has(prefix)) return prefix;
  }
  return undefined;
}

/** The label an account carries: the chart's, else the declared sub-account's. */
export function accountLabel(
  chart: ChartId,
  subAccounts: readonly SubAccount[],
  number: string,
): string | undefined {
  return chartLabel(chart, number) ?? subAccounts.find((s) => s.number === number)?.label;
}

export type ChartProblem =
  | { problem: 'unknown'; number: string }
  | { problem: 'sub-account-in-chart'; number: string }
  | { problem: 'sub-account-without-parent'; number: string }
  | { problem: 'sub-account-twice'; number: string };

/** Why a declared sub-account cannot be used with this chart, if it cannot. */
export function subAccountProblems(chart: ChartId, subAccounts: readonly SubAccount[]): ChartProblem[] {
  const out: ChartProblem[] = [];
  const seen = new Set<string>();
  for (const { number } of subAccounts) {
    if (seen.has(number)) out.push({ problem: 'sub-account-twice', number });
    seen.add(number);
    if (chartLabel(chart, number) !== undefined) out.push({ problem: 'sub-account-in-chart', number });
    else if (chartParent(chart, number) === undefined)
      out.push({ problem: 'sub-account-without-parent', number });
  }
  return out;
}
