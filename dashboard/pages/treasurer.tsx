/**
 * The treasurer's period report (issue #4): charts of usage by machine and by month, top-ups
 * by method and outstanding credit, each chart's numbers as a table, and the exports (FEC for
 * the accountant, sessions as CSV). Charts are drawn by Chart.js served from node_modules.
 */
import type { Hono } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { sessionsCsv, topupsCsv } from '../../application/csv-exports.ts';
import { fecFile } from '../../application/fec-request.ts';
import { listMachines } from '../../application/machines.ts';
import { monthlyFigures } from '../../application/monthly-figures.ts';
import { pahekoExport } from '../../application/paheko.ts';
import {
  parseReportRange,
  RangeInputError,
  type ReportRange,
  wallTimeAt,
} from '../../application/report-range.ts';
import { cardReport } from '../../application/reports.ts';
import type { Db } from '../../db/client.ts';
import type { DashContext, DashEnv } from '../context.ts';
import { MONEY, requires } from '../http/access.ts';
import type { Dict, Lang } from '../i18n/index.ts';
import { page } from '../views/layout.tsx';
import { Empty, Field, Table, Tag } from '../views/ui.tsx';
import { TreasuryNav } from './treasurer-checks.tsx';

export interface ChartSpec {
  id: string;
  type: 'bar' | 'line' | 'doughnut';
  labels: string[];
  /** null: a count hidden because it is small (attendance) */
  series: { label: string; data: (number | null)[] }[];
  /** values are cents, shown as euros */
  money: boolean;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Default period: the last 12 months of the lab's calendar, this month included. */
export function defaultRange(now: Date, timeZone: string): { from: string; to: string } {
  const w = wallTimeAt(now.getTime(), timeZone);
  const start = new Date(Date.UTC(w.year, w.month - 12, 1));
  const end = new Date(Date.UTC(w.year, w.month, 1));
  const d = (x: Date) => `${x.getUTCFullYear()}-${pad(x.getUTCMonth() + 1)}-01`;
  return { from: d(start), to: d(end) };
}

/** The period asked in ?from=&to= (dates), or the default; null with a message when invalid. */
export function rangeOf(c: DashContext): {
  from: string;
  to: string;
  range: ReportRange | null;
  error: string | null;
} {
  const { labTimeZone, now } = c.var.deps;
  const fallback = defaultRange(now(), labTimeZone);
  const from = c.req.query('from') || fallback.from;
  const to = c.req.query('to') || fallback.to;
  try {
    return { from, to, range: parseReportRange(from, to, labTimeZone), error: null };
  } catch (e) {
    if (e instanceof RangeInputError) return { from, to, range: null, error: c.var.t.rangeInvalid };
    throw e;
  }
}

/** The period picker shared by the treasurer's pages. */
export function PeriodForm(props: { action: string; period: { from: string; to: string }; t: Dict }) {
  const { action, period, t } = props;
  return (
    <form method="get" action={action} class="inline">
      <Field label={t.from} name="from" type="date" value={period.from} required />
      <Field label={t.toExclusive} name="to" type="date" value={period.to} required />
      <button type="submit">{t.show}</button>
    </form>
  );
}

/** A treasurer's page asked for an invalid period: the picker again, with the error (400). */
export function invalidPeriodPage(c: DashContext, title: string, form: Child, error: string | null) {
  return page(
    c,
    title,
    <>
      <TreasuryNav c={c} />
      {form}
      <p class="flash error" role="alert">
        {error}
      </p>
    </>,
    [],
    400,
  );
}

export function ChartBlock(props: { spec: ChartSpec; title: string; t: Dict; children?: unknown }) {
  const { spec, title } = props;
  return (
    <section aria-labelledby={`${spec.id}-h`} class="chart-block">
      <h2 id={`${spec.id}-h`}>{title}</h2>
      <div class="chart">
        <canvas id={spec.id} role="img" aria-label={`${title}: ${props.t.seeTableBelow}`}></canvas>
      </div>
      {props.children}
    </section>
  );
}

export function registerTreasurer(app: Hono<DashEnv>): void {
  app.get('/treasurer', requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const { db, labTimeZone } = c.var.deps;
    const period = rangeOf(c);
    const form = <PeriodForm action="/treasurer" period={period} t={t} />;
    if (period.range === null) return invalidPeriodPage(c, t.treasurerTitle, form, period.error);
    const report = await cardReport(db, period.range);
    const months = await monthlyFigures(db, period.range, labTimeZone);
    const names = new Map((await listMachines(db)).map((m) => [m.id, m.name]));
    const machineLabel = (id: string) => names.get(id) ?? id;
    const qs = `from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}`;

    const charts: ChartSpec[] = [
      {
        id: 'chart-machines',
        type: 'bar',
        labels: report.byMachine.map((m) => machineLabel(m.machineId)),
        series: [
          { label: t.usage, data: report.byMachine.map((m) => m.usageCents) },
          { label: t.materialsSold, data: report.byMachine.map((m) => m.materialsCents) },
        ],
        money: true,
      },
      {
        id: 'chart-months',
        type: 'bar',
        labels: months.map((m) => fmt.month(m.month)),
        series: [
          { label: t.usage, data: months.map((m) => m.usageCents) },
          { label: t.materialsSold, data: months.map((m) => m.materialsCents) },
          { label: t.topups, data: months.map((m) => m.topupsCents) },
        ],
        money: true,
      },
      {
        id: 'chart-methods',
        type: 'doughnut',
        labels: report.byMethod.map((m) => t.methods[m.method as keyof Dict['methods']] ?? m.method),
        series: [{ label: t.topups, data: report.byMethod.map((m) => m.topupsCents) }],
        money: true,
      },
      {
        id: 'chart-credit',
        type: 'line',
        labels: months.map((m) => fmt.month(m.month)),
        series: [{ label: t.outstandingCredit, data: months.map((m) => m.closingLiabilityCents) }],
        money: true,
      },
    ];
    const data = JSON.stringify({ locale: c.var.lang === 'fr' ? 'fr-FR' : 'en-GB', charts }).replace(
      /</g,
      '\\u003c',
    );
    const checksOk =
      report.checks.balanced &&
      report.checks.liabilityMatchesBalances &&
      report.checks.sessionsMatchDebits &&
      report.checks.materialsMatchSales;

    return page(
      c,
      t.treasurerTitle,
      <>
        <TreasuryNav c={c} />
        {form}
        <section aria-labelledby="summary-h" class="card">
          <h2 id="summary-h">{t.periodSummary}</h2>
          <dl class="facts">
            <dt>{t.openingCredit}</dt>
            <dd>{fmt.money(report.openingLiabilityCents)}</dd>
            <dt>{t.topups}</dt>
            <dd>{fmt.money(report.topupsCents)}</dd>
            <dt>{t.usage}</dt>
            <dd>{fmt.money(report.usageCents)}</dd>
            <dt>{t.materialsSold}</dt>
            <dd>{fmt.money(report.materialsCents)}</dd>
            <dt>{t.refunds}</dt>
            <dd>{fmt.money(report.refundsCents)}</dd>
            <dt>{t.adjustments}</dt>
            <dd>{fmt.money(report.adjustmentsCents)}</dd>
            <dt>{t.closingCredit}</dt>
            <dd>{fmt.money(report.closingLiabilityCents)}</dd>
            <dt>{t.checks}</dt>
            <dd>
              {checksOk ? (
                <Tag tone="ok">{t.checksOk}</Tag>
              ) : (
                <Tag tone="warn">{t.checksFailed(report.checks.discrepancies.length)}</Tag>
              )}{' '}
              <a href={`/treasurer/checks?${qs}`}>{t.treasuryChecks}</a>
            </dd>
          </dl>
          <p class="actions">
            <a class="button" href={`/treasurer/exports/fec?${qs}`} download>
              {t.downloadFec}
            </a>
            <a class="button" href={`/treasurer/exports/paheko.csv?${qs}`} download>
              {t.downloadPaheko}
            </a>
            <a class="button" href={`/treasurer/exports/paheko-detail.csv?${qs}`} download>
              {t.downloadPahekoDetail}
            </a>
            <a class="button" href={`/treasurer/exports/sessions.csv?${qs}`} download>
              {t.downloadCsv}
            </a>
            <a class="button" href={`/treasurer/exports/topups.csv?${qs}`} download>
              {t.downloadTopups}
            </a>
          </p>
        </section>

        <div class="charts">
          <ChartBlock spec={charts[0]!} title={t.usageByMachine} t={t}>
            {report.byMachine.length === 0 ? (
              <Empty>{t.noUsage}</Empty>
            ) : (
              <Table
                caption={t.usageByMachine}
                head={[t.machine, t.sessions, t.runTime, t.usage, t.materialsSold]}
                numeric={[1, 2, 3, 4]}
              >
                {report.byMachine.map((m) => (
                  <tr>
                    <td>{machineLabel(m.machineId)}</td>
                    <td class="num">{fmt.number(m.sessions)}</td>
                    <td class="num">{fmt.duration(m.runningSeconds)}</td>
                    <td class="num">{fmt.money(m.usageCents)}</td>
                    <td class="num">{fmt.money(m.materialsCents)}</td>
                  </tr>
                ))}
              </Table>
            )}
          </ChartBlock>
          <ChartBlock spec={charts[1]!} title={t.byMonth} t={t}>
            <Table
              caption={t.byMonth}
              head={[t.month, t.usage, t.materialsSold, t.topups, t.refunds, t.adjustments]}
              numeric={[1, 2, 3, 4, 5]}
            >
              {months.map((m) => (
                <tr>
                  <td>{fmt.month(m.month)}</td>
                  <td class="num">{fmt.money(m.usageCents)}</td>
                  <td class="num">{fmt.money(m.materialsCents)}</td>
                  <td class="num">{fmt.money(m.topupsCents)}</td>
                  <td class="num">{fmt.money(m.refundsCents)}</td>
                  <td class="num">{fmt.money(m.adjustmentsCents)}</td>
                </tr>
              ))}
            </Table>
          </ChartBlock>
          <ChartBlock spec={charts[2]!} title={t.topupsByMethod} t={t}>
            {report.byMethod.length === 0 ? (
              <Empty>{t.noTopups}</Empty>
            ) : (
              <Table caption={t.topupsByMethod} head={[t.method, t.topups, t.refunds]} numeric={[1, 2]}>
                {report.byMethod.map((m) => (
                  <tr>
                    <td>{t.methods[m.method as keyof Dict['methods']] ?? m.method}</td>
                    <td class="num">{fmt.money(m.topupsCents)}</td>
                    <td class="num">{fmt.money(m.refundsCents)}</td>
                  </tr>
                ))}
              </Table>
            )}
          </ChartBlock>
          <ChartBlock spec={charts[3]!} title={t.outstandingCredit} t={t}>
            <Table caption={t.outstandingCreditByMonth} head={[t.month, t.closingCredit]} numeric={[1]}>
              {months.map((m) => (
                <tr>
                  <td>{fmt.month(m.month)}</td>
                  <td class="num">{fmt.money(m.closingLiabilityCents)}</td>
                </tr>
              ))}
            </Table>
          </ChartBlock>
        </div>
        <script type="application/json" id="chart-data">
          {raw(data)}
        </script>
      </>,
      ['/assets/chart.umd.min.js', '/assets/charts.js'],
    );
  });

  // The exports, from the API's services: FEC for the accountant, Paheko's simple CSV, and
  // sessions and top-ups as spreadsheets (issue #5 formats).
  const exports: Record<
    string,
    (
      db: Db,
      range: ReportRange,
      timeZone: string,
      lang: Lang,
    ) => Promise<{ filename: string; content: string }>
  > = {
    // The API's FEC request, with the settings the treasurer set (PUT /api/v1/settings/accounting).
    fec: (db, range, timeZone) =>
      fecFile(db, { from: range.from.toISOString(), to: range.to.toISOString() }, { timeZone }),
    'paheko.csv': (db, range, timeZone) => pahekoExport(db, range, { timeZone }),
    // Issue #11: one line per ledger debit instead of one entry per session (same totals).
    'paheko-detail.csv': (db, range, timeZone) => pahekoExport(db, range, { timeZone, detail: 'minute' }),
    // Words in the page's language (issue #12 item 4); French by default.
    'sessions.csv': (db, range, timeZone, lang) => sessionsCsv(db, range, { timeZone, lang }),
    'topups.csv': (db, range, timeZone, lang) => topupsCsv(db, range, { timeZone, lang }),
  };
  app.get('/treasurer/exports/:name', requires(MONEY), async (c) => {
    const make = exports[c.req.param('name')];
    if (make === undefined) return c.notFound();
    const period = rangeOf(c);
    if (period.range === null) return c.text(period.error ?? '', 400);
    const file = await make(c.var.deps.db, period.range, c.var.deps.labTimeZone, c.var.lang);
    const type = file.filename.endsWith('.csv') ? 'text/csv' : 'text/plain';
    return c.body(file.content, 200, {
      'content-type': `${type}; charset=utf-8`,
      'content-disposition': `attachment; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"`,
    });
  });
}
