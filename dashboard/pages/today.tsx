/**
 * Today at the lab (issue #4): unique visitors of the day and by hour, from door and machine
 * badges, in the lab's time zone: the figures the team copied into a spreadsheet by hand.
 */
import type { Hono } from 'hono';
import { listMachines } from '../../application/machines.ts';
import { zonedWallTimeToInstant } from '../../application/report-range.ts';
import { visitorsOn } from '../../application/visitors.ts';
import type { DashEnv } from '../context.ts';
import { requires, STAFF } from '../http/access.ts';
import { page } from '../views/layout.tsx';
import { Empty, Field, Table } from '../views/ui.tsx';

export function registerToday(app: Hono<DashEnv>): void {
  app.get('/today', requires(STAFF), async (c) => {
    const { t, fmt } = c.var;
    const { db, now, labTimeZone } = c.var.deps;
    const asked = /^(\d{4})-(\d{2})-(\d{2})$/.exec(c.req.query('date') ?? '');
    const at = asked
      ? new Date(
          zonedWallTimeToInstant(
            {
              year: Number(asked[1]),
              month: Number(asked[2]),
              day: Number(asked[3]),
              hour: 12,
              minute: 0,
              second: 0,
              ms: 0,
            },
            labTimeZone,
          ),
        )
      : now();
    const day = await visitorsOn(db, Number.isNaN(at.getTime()) ? now() : at, labTimeZone);
    const names = new Map((await listMachines(db)).map((m) => [m.id, m.name]));
    const max = Math.max(1, ...day.byHour);
    const hours = day.byHour.map((n, h) => ({ h, n })).filter(({ h, n }) => n > 0 || (h >= 8 && h <= 22));
    return page(
      c,
      t.todayTitle,
      <>
        <form method="get" action="/today" class="inline">
          <Field label={t.day} name="date" type="date" value={day.date} />
          <button type="submit">{t.show}</button>
        </form>
        <p class="big-number">
          <strong data-testid="visitors-total">{fmt.number(day.total)}</strong>{' '}
          {t.uniqueVisitors(day.date === labToday(now(), labTimeZone))}
        </p>
        <section aria-labelledby="hours-h">
          <h2 id="hours-h">{t.visitorsByHour}</h2>
          <Table caption={t.visitorsByHour} head={[t.hour, t.visitors, '']} numeric={[1]}>
            {hours.map(({ h, n }) => (
              <tr>
                <th scope="row">{`${String(h).padStart(2, '0')}:00–${String(h + 1).padStart(2, '0')}:00`}</th>
                <td class="num">{fmt.number(n)}</td>
                <td class="bar-cell" aria-hidden="true">
                  <span class="bar" style={`width:${Math.round((n / max) * 100)}%`}></span>
                </td>
              </tr>
            ))}
          </Table>
        </section>
        <section aria-labelledby="where-h">
          <h2 id="where-h">{t.visitorsByMachine}</h2>
          {day.byMachine.length === 0 ? (
            <Empty>{t.noVisitors}</Empty>
          ) : (
            <Table caption={t.visitorsByMachine} head={[t.machine, t.visitors]} numeric={[1]}>
              {day.byMachine.map((m) => (
                <tr>
                  <td>{names.get(m.machineId) ?? m.machineId}</td>
                  <td class="num">{fmt.number(m.visitors)}</td>
                </tr>
              ))}
            </Table>
          )}
        </section>
      </>,
    );
  });
}

function labToday(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}
