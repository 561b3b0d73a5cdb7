/**
 * Closing a month (issue #5): pick a month, see its card report's checks, close it; refused
 * when the checks fail unless forced with a reason (the API's closePeriod decides and records
 * both). The closed months are listed below.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { actorOf } from '../../application/auth.ts';
import { entriesBehind } from '../../application/discrepancy-entries.ts';
import { ServiceError } from '../../application/errors.ts';
import {
  ChecksFailedError,
  CLOSE_GRACE_MS,
  closePeriod,
  listClosedPeriods,
  monthBounds,
  PERIOD_PATTERN,
} from '../../application/periods.ts';
import { wallTimeAt } from '../../application/report-range.ts';
import { cardReport } from '../../application/reports.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { MONEY, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { page } from '../views/layout.tsx';
import { Empty, Field, Table, Tag } from '../views/ui.tsx';
import { ChecksView, TreasuryNav } from './treasurer-checks.tsx';

const pad = (n: number) => String(n).padStart(2, '0');

/** The last month of the lab's calendar (the one a treasurer usually closes). */
function previousMonth(c: DashContext): string {
  const w = wallTimeAt(c.var.deps.now().getTime(), c.var.deps.labTimeZone);
  return w.month === 1 ? `${w.year - 1}-12` : `${w.year}-${pad(w.month - 1)}`;
}

export function registerTreasurerPeriods(app: Hono<DashEnv>): void {
  app.get('/treasurer/periods', requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const { db, labTimeZone, now } = c.var.deps;
    const closed = await listClosedPeriods(db);
    const asked = c.req.query('period') ?? '';
    const month = PERIOD_PATTERN.test(asked) ? asked : previousMonth(c);
    const monthName = fmt.month(month);

    let preview = <></>;
    if (asked !== '') {
      if (!PERIOD_PATTERN.test(asked)) {
        preview = (
          <p class="flash error" role="alert">
            {t.monthInvalid}
          </p>
        );
      } else {
        const bounds = monthBounds(month, labTimeZone);
        const report = await cardReport(db, bounds);
        const entries = await entriesBehind(db, report);
        const failures = report.checks.discrepancies.length;
        const already = closed.some((p) => p.period === month);
        const notOver = bounds.to.getTime() > now().getTime() - CLOSE_GRACE_MS;
        preview = (
          <>
            <ChecksView c={c} report={report} entries={entries} />
            <section aria-labelledby="close-h" class="card narrow">
              <h2 id="close-h">{t.closeMonthNamed(monthName)}</h2>
              {already ? (
                <p>
                  <Tag tone="ok">{t.alreadyClosed(monthName)}</Tag>
                </p>
              ) : notOver ? (
                <p>
                  <Tag tone="off">{t.notOverYet(monthName)}</Tag>
                </p>
              ) : (
                <form method="post" action="/treasurer/periods/close">
                  <input type="hidden" name="period" value={month} />
                  {failures === 0 ? (
                    <p>
                      <Tag tone="ok">{t.closeReady}</Tag>
                    </p>
                  ) : (
                    <>
                      <p>
                        <Tag tone="warn">{t.closeBlocked(failures)}</Tag>
                      </p>
                      <p>
                        <label>
                          <input type="checkbox" name="force" value="1" /> {t.forceClose}
                        </label>
                      </p>
                      <Field label={t.forceReason} name="reason" id="close-reason" hint={t.forceReasonHint} />
                    </>
                  )}
                  <button type="submit" class={failures > 0 ? 'danger' : undefined}>
                    {t.closeMonth}
                  </button>
                </form>
              )}
            </section>
          </>
        );
      }
    }

    return page(
      c,
      t.closeTitle,
      <>
        <TreasuryNav c={c} />
        <p>{t.closeIntro}</p>
        <form method="get" action="/treasurer/periods" class="inline">
          <Field label={t.chooseMonth} name="period" type="month" value={month} required />
          <button type="submit">{t.checkMonth}</button>
        </form>
        {preview}
        <section aria-labelledby="closed-h">
          <h2 id="closed-h">{t.closedPeriods}</h2>
          {closed.length === 0 ? (
            <Empty>{t.noClosedPeriods}</Empty>
          ) : (
            <Table
              caption={t.closedPeriods}
              head={[t.month, t.closedAt, t.closedBy, t.closeKind, t.closingCredit]}
              numeric={[4]}
            >
              {closed.map((p) => (
                <tr>
                  <td>{fmt.month(p.period)}</td>
                  <td>{fmt.dateTime(p.closedAt)}</td>
                  <td>{p.closedBy}</td>
                  <td>
                    {p.forced ? (
                      <>
                        <Tag tone="warn">{t.forced}</Tag> {p.reason}
                      </>
                    ) : (
                      <Tag tone="ok">{t.notForced}</Tag>
                    )}
                  </td>
                  <td class="num">
                    {p.closingLiabilityCents === null ? '' : fmt.money(p.closingLiabilityCents)}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </section>
      </>,
    );
  });

  app.post('/treasurer/periods/close', requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const { db, labTimeZone, now } = c.var.deps;
    const form = await parseForm(
      c,
      z.object({
        period: z.string().regex(PERIOD_PATTERN),
        force: z.literal('1').optional(),
        reason: z.string().trim().max(500).optional(),
      }),
    );
    if (!form.ok) return redirectWith(c, '/treasurer/periods', 'error', t.monthInvalid);
    const { period } = form.data;
    const back = `/treasurer/periods?period=${period}`;
    const force = form.data.force === '1';
    const reason = form.data.reason || null;
    if (force && reason === null) return redirectWith(c, back, 'error', t.forceNeedsReason);
    const name = fmt.month(period);
    try {
      await closePeriod(
        db,
        actorOf(userOf(c)),
        { period, force, reason },
        { timeZone: labTimeZone, now: now() },
      );
      return redirectWith(c, '/treasurer/periods', 'ok', t.closed(name));
    } catch (e) {
      if (e instanceof ChecksFailedError) return redirectWith(c, back, 'error', t.closeRefusedChecks);
      if (e instanceof ServiceError && e.kind === 'conflict') {
        const already = (await listClosedPeriods(db)).some((p) => p.period === period);
        return redirectWith(c, back, 'error', already ? t.alreadyClosed(name) : t.notOverYet(name));
      }
      throw e;
    }
  });
}
