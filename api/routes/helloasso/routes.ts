/**
 * HelloAsso (issue #5). The webhook is public but trusts nothing in the body except which
 * payment to look at: the payment is re-fetched from HelloAsso's API with the association's
 * client credentials and applied once per payment id. 503 when HelloAsso cannot be reached or
 * is not configured, so that HelloAsso delivers the notification again.
 * The treasurer lists queued payments, assigns unmatched ones, and syncs missed notifications.
 */
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../../application/auth.ts';
import type { HelloassoDeps } from '../../../application/deps.ts';
import { HelloassoError } from '../../../application/helloasso/client.ts';
import { assignPayment, listPayments } from '../../../application/helloasso/payments.ts';
import {
  clientFor,
  HelloassoNotConfiguredError,
  handleWebhook,
  syncPayments,
} from '../../../application/helloasso/sync.ts';
import { type HelloassoSettings, helloassoSettings } from '../../../application/treasury-settings.ts';
import { Problem } from '../../../web/problem.ts';
import type { App } from '../../http/context.ts';
import { MONEY } from '../../http/guard.ts';
import { defineRoute, jsonBody, jsonResponse, pagination } from '../../http/route.ts';
import { queryRange } from '../exports/range.ts';

/** What createApp passes: HELLOASSO_* from the environment, and a fetch for tests. */
export type { HelloassoDeps } from '../../../application/deps.ts';

const tags = ['helloasso'];

const paymentSchema = z
  .object({
    paymentId: z.string(),
    orderId: z.string().nullable(),
    formType: z.string().nullable(),
    formSlug: z.string().nullable(),
    state: z.string(),
    amountCents: z.number().int(),
    paidAt: z.string().nullable(),
    payerEmail: z.string().nullable(),
    payerName: z.string().nullable(),
    matchValue: z.string().nullable(),
    status: z.enum(['credited', 'unmatched', 'refunded', 'ignored']),
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
      .object({ status: z.enum(['credited', 'unmatched', 'refunded', 'ignored']).optional(), ...pagination })
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
  summary: 'Fetch the machine-card form’s payments over a period and apply the missed ones',
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
        unmatched: z.number().int(),
        unchanged: z.number().int(),
      }),
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
  const configured = async (db: Parameters<typeof helloassoSettings>[0]) => {
    const settings = await helloassoSettings(db, deps.env ?? {});
    try {
      return { settings, client: clientFor(settings, deps.fetch) };
    } catch (e) {
      return unavailable(e);
    }
  };

  app.openapi(webhook, async (c) => {
    const { db, now } = c.var.deps;
    const { settings, client } = await configured(db);
    try {
      const r = await handleWebhook(db, client, settings, c.req.valid('json'), now());
      const memberIds = r.payments.flatMap((p) => (p.changed && p.memberId ? [p.memberId] : []));
      if (memberIds.length > 0) c.var.deps.loop.changed({ memberIds });
      return c.json(
        {
          handled: r.payments.length,
          credited: r.payments.filter((p) => p.changed && p.status === 'credited').length,
          unknown: r.unknown.length,
        },
        200,
      );
    } catch (e) {
      return unavailable(e);
    }
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const items = await listPayments(c.var.deps.db, q.status, q.limit, q.offset);
    return c.json({ items: json(items) }, 200);
  });

  app.openapi(assign, async (c) => {
    const { db, now } = c.var.deps;
    const { paymentId } = c.req.valid('param');
    const { memberId } = c.req.valid('json');
    const result = await assignPayment(db, actorOf(c.var.principal), paymentId, memberId, now());
    c.var.deps.loop.changed({ memberIds: [memberId] });
    return c.json(json(result), 200);
  });

  app.openapi(sync, async (c) => {
    const { db, now, labTimeZone } = c.var.deps;
    const body = c.req.valid('json');
    const range = queryRange(body.from, body.to, labTimeZone);
    const { settings, client } = await configured(db);
    try {
      return c.json(await syncPayments(db, client, settings, range, now()), 200);
    } catch (e) {
      return unavailable(e);
    }
  });
}
