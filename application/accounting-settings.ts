/**
 * Changing the accounting settings (issue #11 items 1, 2, 11): one use case, called by
 * `PUT /api/v1/settings/accounting`, the dashboard's accounting page and the CLI.
 *
 * Every account number in use is checked against the chosen chart (Paheko's association
 * charts, core/charts): Paheko's import refuses an account its chart lacks, and books an
 * existing one without a word even when it means something else (7063 "Parrainages"). An
 * account outside the chart is accepted only as a sub-account the treasurer declared (number
 * and label) under an account of the chart, because Paheko's import never creates one on the
 * fly with its default options (Accounting/Import.php `auto_create_accounts` false).
 */
import { sql } from 'drizzle-orm';
import { usedAccounts } from '../core/book-accounts.ts';
import {
  accountLabel,
  CHART_NAMES,
  type ChartId,
  chartParent,
  subAccountProblems,
} from '../core/charts/charts.ts';
import type { DbOrTx } from '../db/client.ts';
import { audit } from './audit.ts';
import { type InvalidField, ServiceError } from './errors.ts';
import {
  type AccountingInput,
  type AccountingSettings,
  accountingSchema,
  accountingSettings,
  mergeAccounting,
  patchedAccounting,
  writeAccounting,
} from './treasury-settings.ts';
import { runUseCase, type UseCaseContext, validate } from './use-case.ts';

/** The settings as shown: each account number in use with the label the chart gives it. */
export interface AccountingView extends AccountingSettings {
  chartName: string;
  labels: Record<string, string>;
}

export function accountingView(s: AccountingSettings): AccountingView {
  const labels: Record<string, string> = {};
  for (const { number } of usedAccounts(s)) {
    const label = accountLabel(s.chart, s.subAccounts, number);
    if (label !== undefined) labels[number] = label;
  }
  return { ...s, chartName: CHART_NAMES[s.chart], labels };
}

export async function readAccounting(db: DbOrTx): Promise<AccountingView> {
  return accountingView(await accountingSettings(db));
}

/** A problem found, for the API (`field`, English) and the page (its own words from `code`). */
export interface ChartIssue extends InvalidField {
  code: 'unknown' | 'sub-account-in-chart' | 'sub-account-without-parent' | 'sub-account-twice';
  number: string;
  chart: ChartId;
}

/** What refuses these settings with their chart (empty when none). */
export function chartIssues(s: AccountingSettings): ChartIssue[] {
  const name = CHART_NAMES[s.chart];
  const issues: ChartIssue[] = [];
  const declared = new Set(s.subAccounts.map((a) => a.number));
  subAccountProblems(s.chart, s.subAccounts).forEach((p) => {
    const index = s.subAccounts.findIndex((a) => a.number === p.number);
    const detail =
      p.problem === 'sub-account-in-chart'
        ? `account "${p.number}" is already in the ${name}: use it without declaring it`
        : p.problem === 'sub-account-twice'
          ? `sub-account "${p.number}" is declared twice`
          : `sub-account "${p.number}" extends no account of the ${name} (its number must start with one)`;
    issues.push({
      field: `subAccounts.${index}.number`,
      detail,
      code: p.problem,
      number: p.number,
      chart: s.chart,
    });
  });
  for (const { field, number } of usedAccounts(s)) {
    if (accountLabel(s.chart, [], number) !== undefined || declared.has(number)) continue;
    const parent = chartParent(s.chart, number);
    issues.push({
      field,
      code: 'unknown',
      number,
      chart: s.chart,
      detail:
        `account "${number}" is not in the ${name}` +
        (parent === undefined
          ? ''
          : `; if you created it under ${parent} in your books, declare it in subAccounts with its label`),
    });
  }
  return issues;
}

export class ChartError extends ServiceError {
  constructor(readonly issues: ChartIssue[]) {
    super(
      'invalid',
      `These accounting settings cannot be used with the chart: ${issues.map((i) => i.detail).join('; ')}.`,
      issues.map(({ field, detail }) => ({ field, detail })),
    );
  }
}

/** Serialises writers of the accounting settings (a read-modify-write of one JSON value). */
const ACCOUNTING_LOCK = 7275011;

/**
 * Changes some accounting settings (the others keep their value); refuses, changing nothing,
 * settings that do not fit the chart. Admin or treasurer (the adapters' guard). Nothing the
 * machine loop uses changes, so it is not told.
 */
export async function updateAccounting(ctx: UseCaseContext, input: unknown): Promise<AccountingView> {
  const patch: AccountingInput = validate(accountingSchema, input);
  return runUseCase(ctx, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ACCOUNTING_LOCK})`);
    const before = await accountingSettings(tx);
    const next = await patchedAccounting(tx, patch);
    const issues = chartIssues(mergeAccounting(next));
    if (issues.length > 0) throw new ChartError(issues);
    const after = await writeAccounting(tx, next);
    await audit(tx, {
      actor: ctx.by,
      action: 'update',
      entity: 'settings',
      entityId: 'accounting',
      before,
      after,
    });
    return { result: accountingView(after), changed: null };
  });
}
