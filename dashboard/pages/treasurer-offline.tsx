/**
 * Offline sessions held for review (issue #9): the server did not bill them on its own
 * (docs/treasurer.md, "Offline sessions to review"). The treasurer sees who, on which machine,
 * when and why, and accepts (the card is debited down to the machine's floor) or refuses
 * (nothing is debited) after a confirmation step. The API's service decides and audits.
 */
import type { Hono } from 'hono';
import { ServiceError } from '../../application/errors.ts';
import {
  acceptReview,
  getReview,
  listReviews,
  type ReviewView,
  refuseReview,
} from '../../application/offline-reviews.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { MONEY, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { notFoundPage } from '../views/errors.tsx';
import { page } from '../views/layout.tsx';
import { Empty, Table, Tag } from '../views/ui.tsx';
import { TreasuryNav } from './treasurer-checks.tsx';

const BASE = '/treasurer/offline';
const ACTIONS = ['accept', 'refuse'] as const;
type Action = (typeof ACTIONS)[number];
const isAction = (v: string): v is Action => (ACTIONS as readonly string[]).includes(v);

function who(c: DashContext, r: ReviewView): string {
  const { t } = c.var;
  return r.memberName ?? t.unknownBadgeLast4(r.badgeLast4);
}

function Facts(props: { c: DashContext; r: ReviewView }) {
  const { t, fmt } = props.c.var;
  const r = props.r;
  return (
    <>
      <td>
        {who(props.c, r)}
        {r.memberName !== null && <small> · {t.badgeLast4(r.badgeLast4)}</small>}
      </td>
      <td>{r.machineName ?? r.machineId}</td>
      <td>{r.startedAt ? fmt.dateTime(r.startedAt) : ''}</td>
      <td class="num">{fmt.duration(r.runningSeconds)}</td>
      <td>{r.endedAt ? fmt.dateTime(r.endedAt) : t.stillRunning}</td>
      <td>{t.holdReasons[r.holdReason] ?? r.holdReason}</td>
    </>
  );
}

export function registerTreasurerOffline(app: Hono<DashEnv>): void {
  app.get(BASE, requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const { db } = c.var.deps;
    const pending = await listReviews(db, { status: 'pending', limit: 200, offset: 0 });
    const decided = (await listReviews(db, { limit: 40, offset: 0 })).items.filter(
      (r) => r.status !== 'pending',
    );
    const head = [
      t.offlineMember,
      t.offlineMachine,
      t.offlineStarted,
      t.offlineDuration,
      t.offlineEnd,
      t.offlineWhy,
    ];
    return page(
      c,
      t.offlineTitle,
      <>
        <TreasuryNav c={c} />
        <p>{t.offlineIntro}</p>
        {pending.items.length === 0 ? (
          <Empty>{t.noPendingOffline}</Empty>
        ) : (
          <Table caption={t.offlineTitle} head={[...head, t.offlineReceived, '']} numeric={[3]}>
            {pending.items.map((r) => (
              <tr>
                <Facts c={c} r={r} />
                <td>{fmt.dateTime(r.createdAt)}</td>
                <td>
                  {r.memberId !== null && (
                    <a
                      class="button"
                      href={`${BASE}/${r.id}/accept`}
                      aria-label={t.acceptOfflineNamed(who(c, r))}
                    >
                      {t.acceptOffline}
                    </a>
                  )}{' '}
                  <a
                    class="button"
                    href={`${BASE}/${r.id}/refuse`}
                    aria-label={t.refuseOfflineNamed(who(c, r))}
                  >
                    {t.refuseOffline}
                  </a>
                </td>
              </tr>
            ))}
          </Table>
        )}
        {decided.length > 0 && (
          <section aria-labelledby="decided-h">
            <h2 id="decided-h">{t.recentlyDecided}</h2>
            <Table
              caption={t.recentlyDecided}
              head={[...head, t.offlineDecision, t.offlineCharged]}
              numeric={[3, 7]}
            >
              {decided.map((r) => (
                <tr>
                  <Facts c={c} r={r} />
                  <td>
                    {r.status === 'accepted' ? (
                      <Tag tone="ok">{t.statusAccepted}</Tag>
                    ) : (
                      <Tag tone="off">{t.statusRefused}</Tag>
                    )}{' '}
                    {r.decidedAt ? fmt.dateTime(r.decidedAt) : ''}
                  </td>
                  <td class="num">{r.chargedCents === null ? '' : fmt.money(r.chargedCents)}</td>
                </tr>
              ))}
            </Table>
          </section>
        )}
      </>,
    );
  });

  // The confirmation step: what will happen, then one button.
  app.get(`${BASE}/:id/:action`, requires(MONEY), async (c) => {
    const { t } = c.var;
    const action = c.req.param('action');
    if (!isAction(action)) return notFoundPage(c);
    let r: ReviewView;
    try {
      r = await getReview(c.var.deps.db, c.req.param('id'));
    } catch (e) {
      if (e instanceof ServiceError) return notFoundPage(c);
      throw e;
    }
    if (r.status !== 'pending') return redirectWith(c, BASE, 'error', t.offlineDecisionRefused);
    const machine = r.machineName ?? r.machineId;
    return page(
      c,
      t.offlineTitle,
      <>
        <TreasuryNav c={c} />
        <Table
          caption={t.offlineTitle}
          head={[
            t.offlineMember,
            t.offlineMachine,
            t.offlineStarted,
            t.offlineDuration,
            t.offlineEnd,
            t.offlineWhy,
          ]}
          numeric={[3]}
        >
          <tr>
            <Facts c={c} r={r} />
          </tr>
        </Table>
        <form method="post" action={`${BASE}/${r.id}/${action}`} class="card narrow">
          <p>
            {action === 'accept'
              ? t.confirmAcceptOffline(who(c, r), machine)
              : t.confirmRefuseOffline(who(c, r), machine)}
          </p>
          <div class="actions">
            <button type="submit" class={action === 'accept' ? undefined : 'danger'}>
              {action === 'accept' ? t.confirmAccept : t.confirmRefuse}
            </button>
            <a href={BASE}>{t.back}</a>
          </div>
        </form>
      </>,
    );
  });

  app.post(`${BASE}/:id/:action`, requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const action = c.req.param('action');
    if (!isAction(action)) return notFoundPage(c);
    const ctx = useCaseContext(c.var.deps, userOf(c));
    const input = { reviewId: c.req.param('id').slice(0, 200) };
    try {
      if (action === 'accept') {
        const { review } = await acceptReview(ctx, input);
        return redirectWith(
          c,
          BASE,
          'ok',
          t.offlineAccepted(who(c, review), fmt.money(review.chargedCents ?? 0)),
        );
      }
      const { review } = await refuseReview(ctx, input);
      return redirectWith(c, BASE, 'ok', t.offlineRefused(who(c, review)));
    } catch (e) {
      if (e instanceof ServiceError && e.kind === 'not_found') return notFoundPage(c);
      if (e instanceof ServiceError) return redirectWith(c, BASE, 'error', t.offlineDecisionRefused);
      throw e;
    }
  });
}
