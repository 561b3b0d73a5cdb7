/**
 * The accounting settings page (issue #11 items 1, 2, 11): the chart of accounts, each account
 * the exports book to with the label the chart gives it, declared sub-accounts, VAT per machine
 * kind, SIREN and the financial year's start. The form only translates to the use case's input
 * (application/accounting-settings.ts updateAccounting, the same as PUT
 * /api/v1/settings/accounting); a refusal is shown on the page with what was typed, nothing saved.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import {
  ChartError,
  type ChartIssue,
  readAccounting,
  updateAccounting,
} from '../../application/accounting-settings.ts';
import { ServiceError } from '../../application/errors.ts';
import { type AccountingInput, VAT_CODES } from '../../application/treasury-settings.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { BOOK_ACCOUNT_FIELDS } from '../../core/book-accounts.ts';
import { accountLabel, CHART_IDS, type ChartId } from '../../core/charts/charts.ts';
import { MACHINE_KINDS } from '../../core/domain.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { MONEY, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { formOf } from '../http/forms.ts';
import { page } from '../views/layout.tsx';
import { Field, Select } from '../views/ui.tsx';
import { TreasuryNav } from './treasurer-checks.tsx';

/** What the form shows: the stored settings, or what was typed when it was refused. */
interface FormValues {
  chart: ChartId;
  accounts: Record<string, string>;
  kinds: Record<string, string>;
  subAccounts: string;
  vat: Record<string, string>;
  siren: string;
  yearStart: string;
}

const text = (max: number) => z.string().max(max).optional().default('');
const formSchema = z.object({
  chart: z.enum(CHART_IDS),
  ...Object.fromEntries(BOOK_ACCOUNT_FIELDS.map((f) => [`account.${f}`, text(40)])),
  ...Object.fromEntries(MACHINE_KINDS.map((k) => [`kind.${k}`, text(40)])),
  ...Object.fromEntries(MACHINE_KINDS.map((k) => [`vat.${k}`, z.enum(VAT_CODES)])),
  subAccounts: text(8000),
  siren: text(20),
  yearStart: text(10),
});

function valuesOf(form: Record<string, string>): FormValues {
  const pick = (prefix: string, keys: readonly string[]) =>
    Object.fromEntries(keys.map((k) => [k, (form[`${prefix}.${k}`] ?? '').trim()]));
  return {
    chart: form.chart as ChartId,
    accounts: pick('account', BOOK_ACCOUNT_FIELDS),
    kinds: pick('kind', MACHINE_KINDS),
    vat: pick('vat', MACHINE_KINDS),
    subAccounts: form.subAccounts ?? '',
    siren: (form.siren ?? '').trim(),
    yearStart: (form.yearStart ?? '').trim(),
  };
}

/** "7061 Découpe laser" per line → sub-accounts; unreadable lines are reported, not dropped. */
function subAccountsOf(raw: string): { ok: { number: string; label: string }[]; bad: string[] } {
  const ok: { number: string; label: string }[] = [];
  const bad: string[] = [];
  for (const line of raw.split(/\r?\n/).map((l) => l.trim())) {
    if (line === '') continue;
    const m = /^(\S+)\s+(.+)$/.exec(line);
    if (m) ok.push({ number: m[1]!, label: m[2]!.trim() });
    else bad.push(line);
  }
  return { ok, bad };
}

function inputOf(v: FormValues): AccountingInput {
  return {
    chart: v.chart,
    ...Object.fromEntries(BOOK_ACCOUNT_FIELDS.map((f) => [f, v.accounts[f]])),
    machineRevenue: Object.fromEntries(MACHINE_KINDS.map((k) => [k, v.kinds[k] === '' ? null : v.kinds[k]])),
    subAccounts: subAccountsOf(v.subAccounts).ok,
    vat: v.vat,
    ...(v.siren === '' ? {} : { siren: v.siren }),
    ...(v.yearStart === '' ? {} : { yearStart: v.yearStart }),
  } as AccountingInput;
}

function fieldName(c: DashContext, field: string): string {
  const { t } = c.var;
  const [head, kind] = field.split('.');
  if (head === 'machineRevenue' && kind) return t.machineKindAccount(t.machineKinds[kind as 'laser'] ?? kind);
  if (head === 'subAccounts') return t.subAccountsField;
  if (head === 'siren') return t.sirenField;
  if (head === 'yearStart') return t.yearStartField;
  if (head === 'chart') return t.chartField;
  return t.accountFields[head ?? ''] ?? field;
}

function issueText(c: DashContext, i: ChartIssue): string {
  const { t } = c.var;
  const chart = t.chartNames[i.chart] ?? i.chart;
  switch (i.code) {
    case 'unknown':
      return t.accountNotInChart(i.number, chart, fieldName(c, i.field));
    case 'sub-account-in-chart':
      return t.subAccountInChart(i.number, chart);
    case 'sub-account-twice':
      return t.subAccountTwice(i.number);
    default:
      return t.subAccountOrphan(i.number, chart);
  }
}

function AccountingForm(props: { c: DashContext; v: FormValues; errors: string[]; bad: Set<string> }) {
  const { c, v, errors, bad } = props;
  const { t } = c.var;
  const subAccounts = subAccountsOf(v.subAccounts).ok;
  const labelOf = (n: string) =>
    n === '' ? '' : (accountLabel(v.chart, subAccounts, n) ?? t.accountMissing);
  const row = (name: string, what: string, value: string) => {
    const id = `f-${name.replace('.', '-')}`;
    const invalid = bad.has(name);
    return (
      <tr>
        <th scope="row">
          <label for={id}>{what}</label>
        </th>
        <td>
          <input
            id={id}
            name={name}
            value={value}
            inputmode="text"
            maxlength={20}
            aria-invalid={invalid ? 'true' : undefined}
          />
        </td>
        <td>{labelOf(value)}</td>
      </tr>
    );
  };
  return (
    <form method="post" action="/treasurer/accounting">
      {errors.length > 0 && (
        <div class="flash error" role="alert" id="accounting-errors">
          <p>{t.accountingErrorsTitle}</p>
          <ul>
            {errors.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        </div>
      )}
      <Select
        label={t.chartField}
        name="chart"
        value={v.chart}
        options={CHART_IDS.map((id) => ({ value: id, label: t.chartNames[id] ?? id }))}
      />
      <table>
        <caption>{t.accountsCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.accountWhat}</th>
            <th scope="col">{t.accountNumber}</th>
            <th scope="col">{t.accountChartLabel}</th>
          </tr>
        </thead>
        <tbody>
          {BOOK_ACCOUNT_FIELDS.map((f) => row(`account.${f}`, t.accountFields[f] ?? f, v.accounts[f] ?? ''))}
          {MACHINE_KINDS.map((k) =>
            row(`kind.${k}`, t.machineKindAccount(t.machineKinds[k]), v.kinds[k] ?? ''),
          )}
        </tbody>
      </table>
      <p class="hint">{t.machineKindHint}</p>
      <div class="field">
        <label for="f-subAccounts">{t.subAccountsField}</label>
        <textarea
          id="f-subAccounts"
          name="subAccounts"
          rows={4}
          aria-describedby="f-subAccounts-hint"
          aria-invalid={bad.has('subAccounts') ? 'true' : undefined}
        >
          {v.subAccounts}
        </textarea>
        <small id="f-subAccounts-hint" class="hint">
          {t.subAccountsHint}
        </small>
      </div>
      <fieldset>
        <legend>{t.vatCaption}</legend>
        {MACHINE_KINDS.map((k) => (
          <Select
            label={t.machineKinds[k]}
            name={`vat.${k}`}
            id={`f-vat-${k}`}
            value={v.vat[k]}
            options={VAT_CODES.map((code) => ({ value: code, label: t.vatCodes[code] ?? code }))}
          />
        ))}
      </fieldset>
      <Field label={t.sirenField} name="siren" value={v.siren} hint={t.sirenHint} inputmode="numeric" />
      <Field label={t.yearStartField} name="yearStart" value={v.yearStart} hint={t.yearStartHint} />
      <button type="submit">{t.save}</button>
    </form>
  );
}

function render(c: DashContext, v: FormValues, errors: string[] = [], bad = new Set<string>(), status = 200) {
  const { t } = c.var;
  return page(
    c,
    t.accountingTitle,
    <>
      <TreasuryNav c={c} />
      <p>{t.accountingIntro}</p>
      <AccountingForm c={c} v={v} errors={errors} bad={bad} />
    </>,
    undefined,
    status,
  );
}

/** The words for a form field name (account.cash, kind.laser, vat.laser, siren…). */
function formFieldLabel(c: DashContext, name: string): string {
  const [head, rest] = name.split('.');
  if (head === 'account') return fieldName(c, rest ?? '');
  if (head === 'kind') return fieldName(c, `machineRevenue.${rest}`);
  if (head === 'vat') return c.var.t.vatCaption;
  return fieldName(c, name);
}

/** Form field names of a use-case field path (machineRevenue.laser → kind.laser). */
function formField(field: string): string {
  const [head, rest] = field.split('.');
  if (head === 'machineRevenue') return `kind.${rest}`;
  if ((BOOK_ACCOUNT_FIELDS as readonly string[]).includes(head ?? '')) return `account.${head}`;
  return head ?? field;
}

export function registerTreasurerAccounting(app: Hono<DashEnv>): void {
  app.get('/treasurer/accounting', requires(MONEY), async (c) => {
    const s = await readAccounting(c.var.deps.db);
    return render(c, {
      chart: s.chart,
      accounts: Object.fromEntries(BOOK_ACCOUNT_FIELDS.map((f) => [f, s[f]])),
      kinds: Object.fromEntries(MACHINE_KINDS.map((k) => [k, s.machineRevenue[k] ?? ''])),
      subAccounts: s.subAccounts.map((a) => `${a.number} ${a.label}`).join('\n'),
      vat: s.vat,
      siren: s.siren ?? '',
      yearStart: s.yearStart,
    });
  });

  app.post('/treasurer/accounting', requires(MONEY), async (c) => {
    const { t } = c.var;
    const raw = await formOf(c);
    const flat = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? '' : v]));
    const parsed = formSchema.safeParse(flat);
    if (!parsed.success) {
      const current = await readAccounting(c.var.deps.db);
      const v = valuesOf({
        ...flat,
        chart: CHART_IDS.includes(flat.chart as ChartId) ? flat.chart! : current.chart,
      });
      const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')))];
      return render(
        c,
        v,
        names.map((n) => t.fieldInvalid(formFieldLabel(c, n))),
        new Set(names),
        400,
      );
    }
    const v = valuesOf(parsed.data as Record<string, string>);
    const unreadable = subAccountsOf(v.subAccounts).bad;
    if (unreadable.length > 0)
      return render(
        c,
        v,
        unreadable.map((l) => t.subAccountLine(l)),
        new Set(['subAccounts']),
        400,
      );
    try {
      await updateAccounting(useCaseContext(c.var.deps, userOf(c)), inputOf(v));
    } catch (e) {
      if (e instanceof ChartError)
        return render(
          c,
          v,
          e.issues.map((i) => issueText(c, i)),
          new Set(e.issues.map((i) => formField(i.field))),
          400,
        );
      if (e instanceof ServiceError && e.kind === 'invalid') {
        const fields = e.fields.map((f) => f.field);
        const messages = fields.map((f) =>
          /^(memberCards|machineUse|materials|cash|check|card|bank|online|adjustments|memberDebts|machineRevenue)/.test(
            f,
          )
            ? t.accountFormat(fieldName(c, f))
            : t.fieldInvalid(fieldName(c, f)),
        );
        return render(c, v, messages, new Set(fields.map(formField)), 400);
      }
      throw e;
    }
    return redirectWith(c, '/treasurer/accounting', 'ok', t.accountingSaved);
  });
}
