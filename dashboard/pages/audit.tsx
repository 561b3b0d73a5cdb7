/**
 * The audit log (issue #12 item 9), for admins: who changed what and when, filtered by actor,
 * action, kind of thing and days (inclusive), 50 a page; actors and things by name.
 */
import type { Hono } from 'hono';
import { actorNames } from '../../application/actor-names.ts';
import { auditChoices, auditFilterSchema, entityNames, findAudit } from '../../application/audit-log.ts';
import type { DashEnv } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { page } from '../views/layout.tsx';
import { Empty, Field, Select, Table } from '../views/ui.tsx';
import { AdminNav } from './admin-nav.tsx';
import { dayRange } from './day-range.ts';

export const AUDIT_PAGE_SIZE = 50;

export function registerAuditLog(app: Hono<DashEnv>): void {
  app.get('/admin/audit', requires(ADMIN), async (c) => {
    const { t, fmt, lang } = c.var;
    const { db, labTimeZone } = c.var.deps;
    const raw: Record<string, string> = {};
    for (const key of ['actor', 'action', 'entity', 'from', 'until', 'page'] as const) {
      const v = c.req.query(key);
      if (v !== undefined && v !== '') raw[key] = v.slice(0, 300);
    }
    const parsed = auditFilterSchema.safeParse(raw);
    const days = parsed.success ? dayRange(parsed.data.from, parsed.data.until, labTimeZone) : null;
    const choices = await auditChoices(db);
    const names = await actorNames(db, choices.actors, lang);
    const word = (dict: Record<string, string>, code: string) => dict[code] ?? code;
    const form = (
      <form method="get" action="/admin/audit" class="inline filters">
        <Select
          label={t.auditActor}
          name="actor"
          value={raw.actor ?? ''}
          options={[
            { value: '', label: t.historyAll },
            ...choices.actors
              .map((a) => ({ value: a, label: names.get(a) ?? a }))
              .sort((x, y) => x.label.localeCompare(y.label, lang)),
          ]}
        />
        <Select
          label={t.auditAction}
          name="action"
          value={raw.action ?? ''}
          options={[
            { value: '', label: t.historyAll },
            ...choices.actions.map((a) => ({ value: a, label: word(t.auditActions, a) })),
          ]}
        />
        <Select
          label={t.auditEntity}
          name="entity"
          value={raw.entity ?? ''}
          options={[
            { value: '', label: t.historyAll },
            ...choices.entities.map((e) => ({ value: e, label: word(t.auditEntities, e) })),
          ]}
        />
        <Field label={t.historyFrom} name="from" type="date" value={raw.from} />
        <Field label={t.historyUntil} name="until" type="date" value={raw.until} />
        <button type="submit">{t.show}</button>
      </form>
    );
    if (!parsed.success || days === null) {
      const fields = parsed.success
        ? ['until']
        : [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
      return page(
        c,
        t.auditTitle,
        <>
          <AdminNav c={c} />
          <p class="flash error" role="alert">
            <span aria-hidden="true">✕ </span>
            {t.historyBadFilter(fields.map((f) => t.historyFields[f as keyof typeof t.historyFields] ?? f))}
          </p>
          {form}
        </>,
        [],
        400,
      );
    }
    const { actor, action, entity } = parsed.data;
    const filter = { actor, action, entity, from: days.from, to: days.to };
    const first = await findAudit(db, filter, { limit: AUDIT_PAGE_SIZE, offset: 0 });
    const pages = Math.max(1, Math.ceil(first.total / AUDIT_PAGE_SIZE));
    const current = Math.min(parsed.data.page ?? 1, pages);
    const { items, total } =
      current === 1
        ? first
        : await findAudit(db, filter, { limit: AUDIT_PAGE_SIZE, offset: (current - 1) * AUDIT_PAGE_SIZE });
    const who = await actorNames(db, [...new Set(items.map((r) => r.actor))], lang);
    const things = await entityNames(db, items);
    const link = (p: number) => {
      const q = new URLSearchParams({ ...raw, page: String(p) });
      return `/admin/audit?${q.toString()}`;
    };
    return page(
      c,
      t.auditTitle,
      <>
        <AdminNav c={c} />
        {form}
        <p>{t.auditCount(fmt.number(total))}</p>
        {items.length === 0 ? (
          <Empty>{t.auditNothing}</Empty>
        ) : (
          <Table caption={t.auditTitle} head={[t.date, t.auditActor, t.auditAction, t.auditWhat]} cards>
            {items.map((r) => (
              <tr>
                <td data-label={t.date}>{fmt.dateTime(r.at)}</td>
                <td data-label={t.auditActor}>{who.get(r.actor) ?? r.actor}</td>
                <td data-label={t.auditAction}>{word(t.auditActions, r.action)}</td>
                <td data-label={t.auditWhat}>
                  {word(t.auditEntities, r.entity)}
                  {r.entityId && things.has(`${r.entity}:${r.entityId}`) && (
                    <> · {things.get(`${r.entity}:${r.entityId}`)}</>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
        {pages > 1 && (
          <nav aria-label={t.historyPages} class="pager">
            {current > 1 && (
              <a href={link(current - 1)} rel="prev">
                {t.previousPage}
              </a>
            )}
            <span aria-current="page">{t.pageOf(current, pages)}</span>
            {current < pages && (
              <a href={link(current + 1)} rel="next">
                {t.nextPage}
              </a>
            )}
          </nav>
        )}
      </>,
    );
  });
}
