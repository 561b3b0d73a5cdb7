/**
 * The sessions history (issue #12 item 9), for staff: every session, filtered by member
 * (name or e-mail), machine, start dates (both inclusive) and end reason, 50 a page, and the
 * same selection as a CSV file in the page's language. Members see their own sessions on /me.
 */
import type { Hono } from 'hono';
import { sessionsCsv } from '../../application/csv-exports.ts';
import { listMachines } from '../../application/machines.ts';
import {
  countSessions,
  findSessions,
  SESSION_FILTER_REASONS,
  type SessionFilter,
  sessionFilterSchema,
} from '../../application/session-history.ts';
import { endReasonWords } from '../../application/words.ts';
import type { DashContext, DashEnv } from '../context.ts';
import { requires, STAFF } from '../http/access.ts';
import { page } from '../views/layout.tsx';
import { Empty, Field, Select, Table, Tag } from '../views/ui.tsx';
import { dayRange } from './day-range.ts';

export const HISTORY_PAGE_SIZE = 50;

type Parsed =
  | { ok: true; filter: SessionFilter; raw: Record<string, string>; page: number }
  | { ok: false; raw: Record<string, string>; fields: string[] };

/** The query string, checked field by field: a bad value is a 400 page, never a 500. */
function readFilter(c: DashContext): Parsed {
  const raw: Record<string, string> = {};
  for (const key of ['q', 'member', 'machine', 'reason', 'from', 'until', 'page'] as const) {
    const v = c.req.query(key);
    if (v !== undefined && v !== '') raw[key] = v.slice(0, 300);
  }
  const parsed = sessionFilterSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, raw, fields: [...new Set(parsed.error.issues.map((i) => String(i.path[0])))] };
  }
  const days = dayRange(parsed.data.from, parsed.data.until, c.var.deps.labTimeZone);
  if (days === null) return { ok: false, raw, fields: ['until'] };
  const { q, member, machine, reason } = parsed.data;
  return {
    ok: true,
    raw,
    page: parsed.data.page ?? 1,
    filter: { q, member, machine, reason, from: days.from, to: days.to },
  };
}

function queryOf(raw: Record<string, string>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...raw, ...extra })) if (k !== 'page' || extra.page) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function registerSessionHistory(app: Hono<DashEnv>): void {
  app.get('/sessions', requires(STAFF), async (c) => {
    const { t, fmt, lang } = c.var;
    const { db } = c.var.deps;
    const parsed = readFilter(c);
    const machines = await listMachines(db);
    const raw = parsed.raw;
    const form = (
      <form method="get" action="/sessions" class="inline filters">
        <Field label={t.historyMember} name="q" type="search" value={raw.q} hint={t.historyMemberHint} />
        {raw.member && <input type="hidden" name="member" value={raw.member} />}
        <Select
          label={t.machine}
          name="machine"
          value={raw.machine ?? ''}
          options={[
            { value: '', label: t.historyAll },
            ...machines.map((m) => ({ value: m.id, label: m.name })),
          ]}
        />
        <Field label={t.historyFrom} name="from" type="date" value={raw.from} />
        <Field label={t.historyUntil} name="until" type="date" value={raw.until} />
        <Select
          label={t.historyEndReason}
          name="reason"
          value={raw.reason ?? ''}
          options={[
            { value: '', label: t.historyAll },
            ...SESSION_FILTER_REASONS.map((r) => ({
              value: r,
              label: endReasonWords(lang, r === 'open' ? null : r, true),
            })),
          ]}
        />
        <button type="submit">{t.show}</button>
      </form>
    );
    if (!parsed.ok) {
      return page(
        c,
        t.historyTitle,
        <>
          <p class="flash error" role="alert">
            <span aria-hidden="true">✕ </span>
            {t.historyBadFilter(
              parsed.fields.map((f) => t.historyFields[f as keyof typeof t.historyFields] ?? f),
            )}
          </p>
          {form}
        </>,
        [],
        400,
      );
    }
    const { filter } = parsed;
    const total = await countSessions(db, filter);
    const pages = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
    const current = Math.min(parsed.page, pages);
    const rows = await findSessions(db, filter, {
      limit: HISTORY_PAGE_SIZE,
      offset: (current - 1) * HISTORY_PAGE_SIZE,
    });
    return page(
      c,
      t.historyTitle,
      <>
        {form}
        <p class="actions">
          <span>{t.historyCount(fmt.number(total))}</span>
          <a class="button" href={`/sessions/export.csv${queryOf(raw)}`} download>
            {t.historyCsv}
          </a>
        </p>
        {rows.length === 0 ? (
          <Empty>{t.noSessions}</Empty>
        ) : (
          <Table
            caption={t.historyTitle}
            head={[t.historyStarted, t.machine, t.historyMemberCol, t.runTime, t.charged, t.historyEndReason]}
            numeric={[3, 4]}
            cards
          >
            {rows.map((s) => (
              <tr>
                <td data-label={t.historyStarted}>{fmt.dateTime(s.startedAt)}</td>
                <td data-label={t.machine}>{s.machineName}</td>
                <td data-label={t.historyMemberCol}>
                  <a href={`/members/${encodeURIComponent(s.memberId)}`}>{s.memberName}</a>
                </td>
                <td data-label={t.runTime} class="num">
                  {fmt.duration(s.runningSeconds)}
                </td>
                <td data-label={t.charged} class="num">
                  {fmt.money(s.chargedCents)}
                </td>
                <td data-label={t.historyEndReason}>
                  {s.endedAt === null ? (
                    <Tag tone="busy">{endReasonWords(lang, null, true)}</Tag>
                  ) : (
                    endReasonWords(lang, s.endReason, false)
                  )}
                  {s.offline && <small> · {t.historyOffline}</small>}
                </td>
              </tr>
            ))}
          </Table>
        )}
        {pages > 1 && (
          <nav aria-label={t.historyPages} class="pager">
            {current > 1 && (
              <a href={`/sessions${queryOf(raw, { page: String(current - 1) })}`} rel="prev">
                {t.previousPage}
              </a>
            )}
            <span aria-current="page">{t.pageOf(current, pages)}</span>
            {current < pages && (
              <a href={`/sessions${queryOf(raw, { page: String(current + 1) })}`} rel="next">
                {t.nextPage}
              </a>
            )}
          </nav>
        )}
      </>,
    );
  });

  app.get('/sessions/export.csv', requires(STAFF), async (c) => {
    const parsed = readFilter(c);
    if (!parsed.ok) return c.text(c.var.t.historyBadFilter(parsed.fields), 400);
    const { from, to, ...rest } = parsed.filter;
    const { db, labTimeZone } = c.var.deps;
    // Dates left open: the whole history (the file name says so).
    const range = from || to ? { from: from ?? new Date(0), to: to ?? new Date(Date.UTC(2200, 0, 1)) } : null;
    const file = await sessionsCsv(db, range, { timeZone: labTimeZone, lang: c.var.lang, filter: rest });
    return c.body(file.content, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"`,
    });
  });
}
