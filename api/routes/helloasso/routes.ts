/**
 * HelloAsso (issue #5). The webhook is public but trusts nothing in the body except which
 * payment to look at: the payment is re-fetched from HelloAsso's API with the association's
 * client credentials and applied once per payment id. 503 when HelloAsso cannot be reached or
 * is not configured, so that HelloAsso delivers the notification again.
 * The treasurer lists queued payments, assigns unmatched ones, and syncs missed notifications.
 */
import { z } from '@hono/zod-openapi';
import type { HelloassoDeps } from '../../../application/deps.ts';
import { HelloassoError } from '../../../application/helloasso/client.ts';
import { helloassoSummary, listPayments } from '../../../application/helloasso/queue.ts';
import { HelloassoNotConfiguredError } from '../../../application/helloasso/sync.ts';
import {
  assignHelloassoPayment,
  receiveHelloassoNotification,
  syncHelloasso,
} from '../../../application/helloasso/use-cases.ts';
import { useCaseContext } from '../../../application/use-case.ts';
import { Problem } from '../../../web/problem.ts';
import type { App } from '../../http/context.ts';
import { MONEY } from '../../http/guard.ts';
import { defineRoute, jsonBody, jsonResponse, pagination } from '../../http/route.ts';
import { queryRange } from '../exports/range.ts';

/** What createApp passes: HELLOASSO_* from the environment, and a fetch for tests. */
export type { HelloassoDeps } from '../../../application/deps.ts';

const tags = ['helloasso'];
const STATUSES = ['credited', 'unmatched', 'refunded', 'ignored', 'contested', 'canceled'] as const;

const paymentSchema = z
  .object({
    paymentId: z.string(),
    orderId: z.string().nullable(),
    formType: z.string().nullable(),
    formSlug: z.string().nullable(),
    state: z.string(),
    amountCents: z.number().int(),
    cardCents: z.number().int().openapi({ description: 'the machine-card item’s share: what the card gets' }),
    tipCents: z.number().int().openapi({
      description: 'HelloAsso’s voluntary contribution (amountTip): not the association’s, never booked',
    }),
    otherCents: z.number().int().openapi({
      description: 'other items and options of the payment: kept off the card, booked by the treasurer',
    }),
    otherItems: z.array(
      z.object({ name: z.string().nullable(), type: z.string().nullable(), cents: z.number().int() }),
    ),
    reversedCents: z
      .number()
      .int()
      .openapi({ description: 'card credit taken back (refunds, chargeback, cancellation)' }),
    debtCents: z
      .number()
      .int()
      .openapi({ description: 'credit already spent that was taken back: the member owes it' }),
    flag: z.enum(['chargeback', 'canceled_after_credit', 'refund_of_spent_credit']).nullable(),
    bookingNote: z
      .string()
      .nullable()
      .openapi({ description: 'set when the booking moved out of a closed month' }),
    paidAt: z.string().nullable(),
    payerEmail: z.string().nullable(),
    payerName: z.string().nullable(),
    matchValue: z.string().nullable(),
    status: z.enum(STATUSES),
    memberId: z.string().nullable(),
    topupTransactionId: z.string().nullable(),
    refundTransactionId: z.string().nullable(),
    note: z.string().nullable(),
    receivedAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('HelloassoPayment');

const webhook = defineRoute('public', {
  method: 'post',
  path: '/api/v1/integrations/helloasso/webhook',
  tags,
  summary: 'HelloAsso notification URL (Payment and Order notifications)',
  description:
    'Public: HelloAsso notifications are not signed, so the body only names the payment(s); each is fetched ' +
    'from HelloAsso’s API and credited at most once (by HelloAsso payment id), with HelloAsso’s amount. ' +
    'Unknown payments change nothing. 503 when HelloAsso cannot be reached (it will retry).',
  request: {
    body: jsonBody(
      z
        .looseObject({ eventType: z.string().max(50).optional(), data: z.unknown().optional() })
        .openapi('HelloassoNotification'),
    ),
  },
  responses: {
    200: jsonResponse(
      'Handled',
      z.object({ handled: z.number().int(), credited: z.number().int(), unknown: z.number().int() }),
    ),
    503: {
      description: 'HelloAsso unreachable or not configured',
      content: { 'application/problem+json': { schema: z.unknown() } },
    },
  },
});

const list = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/integrations/helloasso/payments',
  tags,
  summary: 'HelloAsso payments seen; `status=unmatched` is the treasurer’s queue',
  request: {
    query: z
      .object({
        status: z.enum(STATUSES).optional(),
        flagged: z.enum(['true', 'false']).optional(),
        ...pagination,
      })
      .strict(),
  },
  responses: { 200: jsonResponse('Payments, latest first', z.object({ items: z.array(paymentSchema) })) },
});

const assign = defineRoute(MONEY, {
  method: 'post',
  path: '/api/v1/integrations/helloasso/payments/{paymentId}/assign',
  tags,
  summary: 'Credit an unmatched HelloAsso payment to a member (once)',
  request: {
    params: z.object({ paymentId: z.string().regex(/^\d{1,20}$/, 'a HelloAsso payment id') }),
    body: jsonBody(
      z
        .object({ memberId: z.string().min(1).max(200) })
        .strict()
        .openapi('AssignHelloassoPayment'),
    ),
  },
  responses: { 200: jsonResponse('Credited', paymentSchema) },
});

const sync = defineRoute(MONEY, {
  method: 'post',
  path: '/api/v1/integrations/helloasso/sync',
  tags,
  summary: 'Fetch the machine-card form’s payments updated over a period and apply what was missed',
  description:
    'Walks the form’s payments by update date (HelloAsso sortField=UpdateDate), so a refund or chargeback of an ' +
    'older payment is found; stops at the last page (a null continuationToken).',
  request: {
    body: jsonBody(
      z
        .object({ from: z.string().max(64), to: z.string().max(64) })
        .strict()
        .openapi('HelloassoSync'),
    ),
  },
  responses: {
    200: jsonResponse(
      'Done',
      z.object({
        seen: z.number().int(),
        credited: z.number().int(),
        refunded: z.number().int(),
        contested: z.number().int(),
        unmatched: z.number().int(),
        unchanged: z.number().int(),
        reversed: z.number().int(),
      }),
    ),
  },
});

const summary = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/integrations/helloasso/summary',
  tags,
  summary: 'What HelloAsso collected over a period (by payment date): card shares, other items, tips, owed',
  description:
    'Issue #11: only the machine-card share goes on the cards (and the clearing account); other items are the ' +
    'association’s, booked outside Sésame; tips are HelloAsso’s own and never paid out. A payout = card shares + ' +
    'other items − refunds of both.',
  request: { query: z.object({ from: z.string().max(64), to: z.string().max(64) }).strict() },
  responses: {
    200: jsonResponse(
      'Figures',
      z
        .object({
          payments: z.number().int(),
          cardCents: z.number().int(),
          otherCents: z.number().int(),
          tipCents: z.number().int(),
          reversedCents: z.number().int(),
          debtCents: z.number().int(),
          flagged: z.number().int(),
        })
        .openapi('HelloassoSummary'),
    ),
  },
});

function unavailable(e: unknown): never {
  if (e instanceof HelloassoNotConfiguredError || e instanceof HelloassoError) {
    throw new Problem(503, `${e.message}. Retry later.`);
  }
  if (
    e instanceof Error &&
    (e.name === 'TimeoutError' || e.name === 'AbortError' || e.message === 'fetch failed')
  ) {
    throw new Problem(503, 'HelloAsso could not be reached; retry later.');
  }
  throw e;
}

const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function registerHelloassoRoutes(app: App, deps: HelloassoDeps = {}): void {
  app.openapi(webhook, async (c) => {
    try {
      // Public and unsigned: no actor; everything applied comes from HelloAsso's API.
      return c.json(await receiveHelloassoNotification(c.var.deps, c.req.valid('json'), deps), 200);
    } catch (e) {
      return unavailable(e);
    }
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const items = await listPayments(c.var.deps.db, q.status, q.limit, q.offset, {
      flagged: q.flagged === 'true',
    });
    return c.json({ items: json(items) }, 200);
  });

  app.openapi(summary, async (c) => {
    const q = c.req.valid('query');
    return c.json(
      await helloassoSummary(c.var.deps.db, queryRange(q.from, q.to, c.var.deps.labTimeZone)),
      200,
    );
  });

  app.openapi(assign, async (c) => {
    const ctx = useCaseContext(c.var.deps, c.var.principal);
    const result = await assignHelloassoPayment(ctx, { ...c.req.valid('param'), ...c.req.valid('json') });
    return c.json(json(result), 200);
  });

  app.openapi(sync, async (c) => {
    const body = c.req.valid('json');
    const range = queryRange(body.from, body.to, c.var.deps.labTimeZone);
    try {
      return c.json(await syncHelloasso(useCaseContext(c.var.deps, c.var.principal), range, deps), 200);
    } catch (e) {
      return unavailable(e);
    }
  });
}
