/**
 * The treasurer's HelloAsso page (issues #5, #11, #12): "not configured" with a link to the
 * settings when it is not; payments to look at (chargebacks, cancellations after credit,
 * refunds of spent credit); the queue of payments no member matched, with "assign to a member"
 * (find them, then credit, once, through the use case); and what HelloAsso collected per
 * month split into card credit, other items and HelloAsso's tips.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { ServiceError } from '../../application/errors.ts';
import { helloassoSummary, listPayments } from '../../application/helloasso/queue.ts';
import { missingSettings } from '../../application/helloasso/sync.ts';
import { assignHelloassoPayment, currentHelloasso } from '../../application/helloasso/use-cases.ts';
import { findMember, listMembers } from '../../application/members.ts';
import { monthBounds } from '../../application/periods.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { MONEY, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { notFoundPage } from '../views/errors.tsx';
import { page } from '../views/layout.tsx';
import { Empty, Field, Table, Tag } from '../views/ui.tsx';
import { missingWords, registerHelloassoSettings, SETTINGS_PATH } from './helloasso-settings.tsx';
import { Summary } from './helloasso-summary.tsx';
import { TreasuryNav } from './treasurer-checks.tsx';

const QUEUE_SIZE = 200;

type Payment = Awaited<ReturnType<typeof listPayments>>[number];

/** The lab-time month of an instant, YYYY-MM. */
function monthOf(d: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(d);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}
function previousMonth(m: string): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return mo === 1 ? `${y - 1}-12` : `${y}-${String(mo - 1).padStart(2, '0')}`;
}

/** Chargebacks, cancellations after credit, refunds of spent credit (issue #11 items 9, 6). */
function Flagged(props: { c: DashContext; items: Payment[]; names: Map<string, string> }) {
  const { t, fmt } = props.c.var;
  if (props.items.length === 0) return <Empty>{t.haNoFlagged}</Empty>;
  return (
    <Table
      caption={t.haFlagged}
      head={[t.paidOn, t.haMember, t.haWhat, t.haCard, t.haTakenBack, t.haOwed]}
      numeric={[3, 4, 5]}
    >
      {props.items.map((p) => (
        <tr>
          <td>{p.paidAt ? fmt.dateTime(p.paidAt) : ''}</td>
          <td>{(p.memberId && props.names.get(p.memberId)) || p.payerName || ''}</td>
          <td>
            <Tag tone="warn">{t.haFlags[p.flag ?? ''] ?? p.flag}</Tag>
            {p.bookingNote && <small class="hint"> {p.bookingNote}</small>}
          </td>
          <td class="num">{fmt.money(p.cardCents)}</td>
          <td class="num">{fmt.money(p.reversedCents)}</td>
          <td class="num">{fmt.money(p.debtCents)}</td>
        </tr>
      ))}
    </Table>
  );
}

export function registerTreasurerHelloasso(app: Hono<DashEnv>): void {
  registerHelloassoSettings(app);

  app.get('/treasurer/helloasso', requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const { db, labTimeZone, now } = c.var.deps;
    const settings = await currentHelloasso(c.var.deps, c.var.deps.helloasso);
    const missing = missingSettings(settings);
    const queue = await listPayments(db, 'unmatched', QUEUE_SIZE, 0);
    const flagged = await listPayments(db, undefined, QUEUE_SIZE, 0, { flagged: true });
    const seenAny =
      queue.length > 0 || flagged.length > 0 || (await listPayments(db, undefined, 1, 0)).length > 0;
    const notice = missing.length > 0 && (
      <div class="card" role="note">
        <p>
          <strong>{t.haNotConfigured}.</strong> {t.haNotConfiguredText(missingWords(c, missing))}
        </p>
        <p>
          <a class="button" href={SETTINGS_PATH}>
            {t.haConfigure}
          </a>
        </p>
      </div>
    );
    // Issue #12 item 9: not "no payment waiting" when HelloAsso was never set up.
    if (missing.length > 0 && !seenAny) {
      return page(
        c,
        t.haPageTitle,
        <>
          <TreasuryNav c={c} />
          {notice}
        </>,
      );
    }
    const thisMonth = monthOf(now(), labTimeZone);
    const months = [thisMonth, previousMonth(thisMonth)];
    const rows = await Promise.all(
      months.map(async (month) => ({
        month,
        s: await helloassoSummary(db, monthBounds(month, labTimeZone)),
      })),
    );
    const memberIds = [...new Set(flagged.flatMap((p) => (p.memberId ? [p.memberId] : [])))];
    const names = new Map<string, string>();
    for (const id of memberIds) names.set(id, (await findMember(db, id).catch(() => null))?.name ?? '');
    return page(
      c,
      t.haPageTitle,
      <>
        <TreasuryNav c={c} />
        {notice}
        <p>
          <a href={SETTINGS_PATH}>{t.haSettingsLink}</a>
        </p>
        <h2>{t.haFlagged}</h2>
        <Flagged c={c} items={flagged} names={names} />
        <h2>{t.haQueueTitle}</h2>
        <p>{t.helloassoIntro}</p>
        {queue.length === 0 ? (
          <Empty>{t.noUnmatched}</Empty>
        ) : (
          <Table
            caption={t.helloassoTitle}
            head={[t.paymentId, t.paidOn, t.payer, t.matchValue, t.haCard, t.haOtherItems, '']}
            numeric={[4, 5]}
          >
            {queue.map((p) => (
              <tr>
                <td>
                  <code>{p.paymentId}</code>
                </td>
                <td>{p.paidAt ? fmt.dateTime(p.paidAt) : ''}</td>
                <td>{[p.payerName, p.payerEmail].filter(Boolean).join(' · ')}</td>
                <td>{p.matchValue ?? ''}</td>
                <td class="num">{fmt.money(p.cardCents - p.reversedCents)}</td>
                <td class="num">
                  {fmt.money(p.otherCents + p.tipCents)}
                  {p.otherItems.length > 0 && (
                    <small class="hint"> {p.otherItems.map((o) => o.name ?? o.type ?? '').join(', ')}</small>
                  )}
                  {p.tipCents > 0 && (
                    <small class="hint">
                      {' '}
                      ({t.haTipShort} {fmt.money(p.tipCents)})
                    </small>
                  )}
                </td>
                <td>
                  <a
                    class="button"
                    href={`/treasurer/helloasso/${encodeURIComponent(p.paymentId)}?q=${encodeURIComponent(p.payerName ?? '')}`}
                    aria-label={t.assignNamed(p.paymentId)}
                  >
                    {t.assign}
                  </a>
                </td>
              </tr>
            ))}
          </Table>
        )}
        <Summary c={c} rows={rows} />
      </>,
    );
  });

  app.get('/treasurer/helloasso/:paymentId', requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const { db } = c.var.deps;
    const paymentId = c.req.param('paymentId');
    const payment = (await listPayments(db, 'unmatched', QUEUE_SIZE * 5, 0)).find(
      (p) => p.paymentId === paymentId,
    );
    if (payment === undefined) return notFoundPage(c);
    const q = (c.req.query('q') ?? '').trim().slice(0, 100);
    const found = q === '' ? null : await listMembers(db, { q, limit: 20, offset: 0 });
    return page(
      c,
      t.assignTitle(paymentId),
      <>
        <TreasuryNav c={c} />
        <dl class="facts card">
          <dt>{t.haCard}</dt>
          <dd>{fmt.money(payment.cardCents - payment.reversedCents)}</dd>
          <dt>{t.payer}</dt>
          <dd>{[payment.payerName, payment.payerEmail].filter(Boolean).join(' · ')}</dd>
          {payment.matchValue && (
            <>
              <dt>{t.matchValue}</dt>
              <dd>{payment.matchValue}</dd>
            </>
          )}
          <dt>{t.paidOn}</dt>
          <dd>{payment.paidAt ? fmt.dateTime(payment.paidAt) : ''}</dd>
        </dl>
        <form method="get" action={`/treasurer/helloasso/${encodeURIComponent(paymentId)}`} class="inline">
          <Field label={t.findMember} name="q" type="search" value={q} hint={t.searchHint} />
          <button type="submit">{t.search}</button>
        </form>
        {found !== null &&
          (found.items.length === 0 ? (
            <Empty>{t.noMembersFound}</Empty>
          ) : (
            <Table caption={t.membersFound(found.total)} head={[t.name, t.email, '']}>
              {found.items.map((m) => (
                <tr>
                  <td>{m.name}</td>
                  <td>{m.email}</td>
                  <td>
                    <form
                      method="post"
                      action={`/treasurer/helloasso/${encodeURIComponent(paymentId)}/assign`}
                    >
                      <input type="hidden" name="memberId" value={m.id} />
                      <button type="submit">{t.assignTo(m.name)}</button>
                    </form>
                  </td>
                </tr>
              ))}
            </Table>
          ))}
        <p>
          <a href="/treasurer/helloasso">{t.backToQueue}</a>
        </p>
      </>,
    );
  });

  app.post('/treasurer/helloasso/:paymentId/assign', requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const { db } = c.var.deps;
    const paymentId = c.req.param('paymentId');
    const form = await parseForm(c, z.object({ memberId: z.string().min(1).max(200) }));
    const back = `/treasurer/helloasso/${encodeURIComponent(paymentId)}`;
    if (!form.ok) return redirectWith(c, back, 'error', t.invalidForm);
    try {
      const paid = await assignHelloassoPayment(useCaseContext(c.var.deps, userOf(c)), {
        paymentId,
        memberId: form.data.memberId,
      });
      const member = await findMember(db, form.data.memberId);
      return redirectWith(
        c,
        '/treasurer/helloasso',
        'ok',
        t.assigned(fmt.money(paid.cardCents), member.name),
      );
    } catch (e) {
      if (e instanceof ServiceError && e.kind === 'conflict') {
        return redirectWith(c, '/treasurer/helloasso', 'error', t.assignRefused);
      }
      if (e instanceof ServiceError) return redirectWith(c, back, 'error', t.invalidForm);
      throw e;
    }
  });
}
