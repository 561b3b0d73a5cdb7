/**
 * HelloAsso payments no member matched (issue #5): the treasurer's queue, and "assign to a
 * member" (find them, then credit) through the API's assignPayment, which credits a queued
 * payment exactly once.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { actorOf } from '../../application/auth.ts';
import { ServiceError } from '../../application/errors.ts';
import { assignPayment, listPayments } from '../../application/helloasso/payments.ts';
import { findMember, listMembers } from '../../application/members.ts';
import { type DashEnv, userOf } from '../context.ts';
import { MONEY, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { notFoundPage } from '../views/errors.tsx';
import { page } from '../views/layout.tsx';
import { Empty, Field, Table } from '../views/ui.tsx';
import { TreasuryNav } from './treasurer-checks.tsx';

const QUEUE_SIZE = 200;

export function registerTreasurerHelloasso(app: Hono<DashEnv>): void {
  app.get('/treasurer/helloasso', requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const queue = await listPayments(c.var.deps.db, 'unmatched', QUEUE_SIZE, 0);
    return page(
      c,
      t.helloassoTitle,
      <>
        <TreasuryNav c={c} />
        <p>{t.helloassoIntro}</p>
        {queue.length === 0 ? (
          <Empty>{t.noUnmatched}</Empty>
        ) : (
          <Table
            caption={t.helloassoTitle}
            head={[t.paymentId, t.paidOn, t.payer, t.matchValue, t.amount, '']}
            numeric={[4]}
          >
            {queue.map((p) => (
              <tr>
                <td>
                  <code>{p.paymentId}</code>
                </td>
                <td>{p.paidAt ? fmt.dateTime(p.paidAt) : ''}</td>
                <td>{[p.payerName, p.payerEmail].filter(Boolean).join(' · ')}</td>
                <td>{p.matchValue ?? ''}</td>
                <td class="num">{fmt.money(p.amountCents)}</td>
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
          <dt>{t.amount}</dt>
          <dd>{fmt.money(payment.amountCents)}</dd>
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
    const { db, now, loop } = c.var.deps;
    const paymentId = c.req.param('paymentId');
    const form = await parseForm(c, z.object({ memberId: z.string().min(1).max(200) }));
    const back = `/treasurer/helloasso/${encodeURIComponent(paymentId)}`;
    if (!form.ok) return redirectWith(c, back, 'error', t.invalidForm);
    try {
      const paid = await assignPayment(db, actorOf(userOf(c)), paymentId, form.data.memberId, now());
      loop.changed({ memberIds: [form.data.memberId] });
      const member = await findMember(db, form.data.memberId);
      return redirectWith(
        c,
        '/treasurer/helloasso',
        'ok',
        t.assigned(fmt.money(paid.amountCents), member.name),
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
