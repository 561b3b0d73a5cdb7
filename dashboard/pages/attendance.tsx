/**
 * Attendance for funders (issue #5): unique visitors per day and month, by member category,
 * by age band, by gender and place of residence (issue #11), new vs returning members and
 * sessions by machine kind (the door's entries named visits, issue #11), from the API's
 * attendance service (small counts already suppressed there: shown as "< 5"). Each figure is a
 * table, with a Chart.js chart above it; the CSV is the API's attendance export.
 * Staff may read it (aggregates only); nothing here changes data.
 */
import type { Hono } from 'hono';
import { raw } from 'hono/html';
import {
  type AttendanceReport,
  attendanceReport,
  CATEGORY_KEYS,
  GENDER_KEYS,
  RESIDENCE_KEYS,
} from '../../application/attendance.ts';
import { attendanceCsv } from '../../application/attendance-csv.ts';
import { monthBounds, PERIOD_PATTERN } from '../../application/periods.ts';
import {
  parseReportRange,
  RangeInputError,
  type ReportRange,
  wallTimeAt,
} from '../../application/report-range.ts';
import { MACHINE_KINDS } from '../../core/domain.ts';
import { AGE_BANDS } from '../../core/member-categories.ts';
import type { DashContext, DashEnv } from '../context.ts';
import { requires, STAFF } from '../http/access.ts';
import type { Dict, Formatters } from '../i18n/index.ts';
import { page } from '../views/layout.tsx';
import { Empty, Field, Table } from '../views/ui.tsx';
import { ChartBlock, type ChartSpec } from './treasurer.tsx';

const pad = (n: number) => String(n).padStart(2, '0');

/** The period asked: `?from=&to=` (dates, `to` excluded) when both are given, else `?month=` (default this month). */
export function attendancePeriod(c: DashContext): {
  month: string;
  from: string;
  to: string;
  range: ReportRange | null;
} {
  const { labTimeZone, now } = c.var.deps;
  const w = wallTimeAt(now().getTime(), labTimeZone);
  const asked = c.req.query('month') ?? '';
  const month = PERIOD_PATTERN.test(asked) ? asked : `${w.year}-${pad(w.month)}`;
  const from = c.req.query('from') ?? '';
  const to = c.req.query('to') ?? '';
  if (from !== '' && to !== '') {
    try {
      return { month, from, to, range: parseReportRange(from, to, labTimeZone) };
    } catch (e) {
      if (e instanceof RangeInputError) return { month, from, to, range: null };
      throw e;
    }
  }
  return { month, from: '', to: '', range: monthBounds(month, labTimeZone) };
}

/** A published count: the number, or "< 5" (with words for screen readers) when it was suppressed. */
function Count(props: { n: number | null; report: AttendanceReport; t: Dict; fmt: Formatters }) {
  const { n, report, t, fmt } = props;
  if (n !== null) return <>{fmt.number(n)}</>;
  return (
    <abbr title={t.suppressedLabel(report.minimumCount)} class="suppressed">
      {t.suppressed(report.minimumCount)}
    </abbr>
  );
}

function Breakdown(props: {
  id: string;
  title: string;
  head: string;
  rows: { label: string; n: number | null }[];
  report: AttendanceReport;
  t: Dict;
  fmt: Formatters;
  spec: ChartSpec;
}) {
  const { t, fmt, report } = props;
  return (
    <ChartBlock spec={props.spec} title={props.title} t={t}>
      <Table caption={props.title} head={[props.head, t.count]} numeric={[1]}>
        {props.rows.map((r) => (
          <tr>
            <td>{r.label}</td>
            <td class="num">
              <Count n={r.n} report={report} t={t} fmt={fmt} />
            </td>
          </tr>
        ))}
      </Table>
    </ChartBlock>
  );
}

export function registerAttendance(app: Hono<DashEnv>): void {
  app.get('/attendance', requires(STAFF), async (c) => {
    const { t, fmt } = c.var;
    const { db, labTimeZone } = c.var.deps;
    const period = attendancePeriod(c);
    const form = (
      <form method="get" action="/attendance" class="inline">
        <Field label={t.month} name="month" type="month" value={period.month} />
        <button type="submit">{t.show}</button>
      </form>
    );
    const custom = (
      <details class="card" open={period.from !== '' ? true : undefined}>
        <summary>{t.customRange}</summary>
        <form method="get" action="/attendance" class="inline">
          <Field label={t.from} name="from" id="att-from" type="date" value={period.from} required />
          <Field label={t.toExclusive} name="to" id="att-to" type="date" value={period.to} required />
          <button type="submit">{t.show}</button>
        </form>
      </details>
    );
    if (period.range === null) {
      return page(
        c,
        t.attendanceTitle,
        <>
          {form}
          {custom}
          <p class="flash error" role="alert">
            {t.rangeInvalid}
          </p>
        </>,
        [],
        400,
      );
    }
    const report = await attendanceReport(db, period.range, { timeZone: labTimeZone });
    const total = report.total;
    const qs =
      period.from !== ''
        ? `from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}`
        : `month=${period.month}`;
    const dayLabel = (d: string) => fmt.date(new Date(`${d}T12:00:00Z`));
    const shownDays = report.days.filter((d) => d.visitors !== 0);
    const categories = CATEGORY_KEYS.map((k) => ({ label: t.categories[k], n: total.byCategory[k] }));
    const ages = AGE_BANDS.map((b) => ({ label: t.ageBands[b], n: total.byAgeBand[b] }));
    const newOld = [
      { label: t.newMembers, n: total.newMembers },
      { label: t.returningMembers, n: total.returningMembers },
    ];
    const genders = GENDER_KEYS.map((g) => ({ label: t.genders[g], n: total.byGender[g] }));
    const areaLabels = t.residenceAreas(report.agglomeration);
    const residence = RESIDENCE_KEYS.map((r) => ({ label: areaLabels[r], n: total.byResidence[r] }));
    // Door entries are visits, not sessions (issue #11).
    const kinds = MACHINE_KINDS.map((k) => ({
      label: k === 'door' ? t.doorVisits : t.machineKinds[k],
      n: total.sessionsByMachineKind[k],
    }));
    const spec = (id: string, label: string, rows: { label: string; n: number | null }[]): ChartSpec => ({
      id,
      type: 'bar',
      labels: rows.map((r) => r.label),
      series: [{ label, data: rows.map((r) => r.n) }],
      money: false,
    });
    const charts: ChartSpec[] = [
      spec(
        'chart-days',
        t.visitors,
        report.days.map((d) => ({ label: d.date.slice(8), n: d.visitors })),
      ),
      spec('chart-categories', t.visitors, categories),
      spec('chart-ages', t.visitors, ages),
      spec('chart-new', t.visitors, newOld),
      spec('chart-kinds', t.count, kinds),
      spec('chart-gender', t.visitors, genders),
      spec('chart-residence', t.visitors, residence),
    ];
    const data = JSON.stringify({ locale: c.var.lang === 'fr' ? 'fr-FR' : 'en-GB', charts }).replace(
      /</g,
      '\\u003c',
    );
    return page(
      c,
      t.attendanceTitle,
      <>
        {form}
        {custom}
        <p>{t.attendanceIntro(report.minimumCount)}</p>
        {!report.complete && (
          <p class="flash ok" role="note">
            {t.attendanceIncomplete}
          </p>
        )}
        <section aria-labelledby="att-summary-h" class="card">
          <h2 id="att-summary-h">{t.periodSummary}</h2>
          <p class="big-number">
            <strong data-testid="attendance-visitors">
              <Count n={total.visitors} report={report} t={t} fmt={fmt} />
            </strong>{' '}
            {t.uniqueVisitorsPeriod}
          </p>
          <p>
            <strong data-testid="attendance-visits">
              <Count n={total.visits} report={report} t={t} fmt={fmt} />
            </strong>{' '}
            {t.visitsPeriod}
          </p>
          <p class="actions">
            <a class="button" href={`/attendance/export.csv?${qs}&per=month`} download>
              {t.downloadAttendanceMonths}
            </a>
            <a class="button" href={`/attendance/export.csv?${qs}&per=day`} download>
              {t.downloadAttendanceDays}
            </a>
          </p>
        </section>

        <div class="charts">
          <ChartBlock spec={charts[0]!} title={t.visitorsPerDay} t={t}>
            {shownDays.length === 0 ? (
              <Empty>{t.noVisitorsPeriod}</Empty>
            ) : (
              <Table caption={t.visitorsPerDay} head={[t.day, t.visitors]} numeric={[1]}>
                {shownDays.map((d) => (
                  <tr>
                    <td>{dayLabel(d.date)}</td>
                    <td class="num">
                      <Count n={d.visitors} report={report} t={t} fmt={fmt} />
                    </td>
                  </tr>
                ))}
              </Table>
            )}
          </ChartBlock>
          <section aria-labelledby="att-months-h" class="chart-block">
            <h2 id="att-months-h">{t.visitorsPerMonth}</h2>
            <Table
              caption={t.visitorsPerMonth}
              head={[t.month, t.visitors, t.visits, t.newMembers, t.returningMembers]}
              numeric={[1, 2, 3, 4]}
            >
              {report.months.map((m) => (
                <tr>
                  <td>{fmt.month(m.month)}</td>
                  {[m.visitors, m.visits, m.newMembers, m.returningMembers].map((n) => (
                    <td class="num">
                      <Count n={n} report={report} t={t} fmt={fmt} />
                    </td>
                  ))}
                </tr>
              ))}
            </Table>
          </section>
          <Breakdown
            id="cat"
            title={t.byCategory}
            head={t.category}
            rows={categories}
            report={report}
            t={t}
            fmt={fmt}
            spec={charts[1]!}
          />
          <Breakdown
            id="age"
            title={t.byAgeBand}
            head={t.ageBand}
            rows={ages}
            report={report}
            t={t}
            fmt={fmt}
            spec={charts[2]!}
          />
          <Breakdown
            id="new"
            title={t.newVsReturning}
            head={t.memberCol}
            rows={newOld}
            report={report}
            t={t}
            fmt={fmt}
            spec={charts[3]!}
          />
          <Breakdown
            id="gender"
            title={t.byGender}
            head={t.byGender}
            rows={genders}
            report={report}
            t={t}
            fmt={fmt}
            spec={charts[5]!}
          />
          <Breakdown
            id="residence"
            title={t.byResidence}
            head={t.byResidence}
            rows={residence}
            report={report}
            t={t}
            fmt={fmt}
            spec={charts[6]!}
          />
          <section aria-labelledby="att-communes-h" class="chart-block">
            <h2 id="att-communes-h">{t.byCommune}</h2>
            {total.byCommune.every((x) => x.commune === null) ? (
              <Empty>{t.noCommune}</Empty>
            ) : (
              <Table caption={t.byCommune} head={[t.commune, t.visitors]} numeric={[1]}>
                {total.byCommune.map((x) => (
                  <tr>
                    <td>{x.commune ?? t.genders.unknown}</td>
                    <td class="num">
                      <Count n={x.visitors} report={report} t={t} fmt={fmt} />
                    </td>
                  </tr>
                ))}
              </Table>
            )}
            <p class="actions">
              <a class="button" href={`/attendance/export.csv?${qs}&per=commune`} download>
                {t.downloadAttendanceCommunes}
              </a>
            </p>
          </section>
          <Breakdown
            id="kinds"
            title={t.machineSessionsByKind}
            head={t.machineKind}
            rows={kinds}
            report={report}
            t={t}
            fmt={fmt}
            spec={charts[4]!}
          />
        </div>
        <script type="application/json" id="chart-data">
          {raw(data)}
        </script>
      </>,
      ['/assets/chart.umd.min.js', '/assets/charts.js'],
    );
  });

  // The API's attendance export (same service as GET /api/v1/exports/attendance).
  app.get('/attendance/export.csv', requires(STAFF), async (c) => {
    const period = attendancePeriod(c);
    if (period.range === null) return c.text(c.var.t.rangeInvalid, 400);
    const asked = c.req.query('per');
    const per = asked === 'day' || asked === 'commune' ? asked : 'month';
    const file = await attendanceCsv(c.var.deps.db, period.range, {
      timeZone: c.var.deps.labTimeZone,
      per,
    });
    return c.body(file.content, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"`,
    });
  });
}
