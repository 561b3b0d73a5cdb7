/**
 * Issue #9: offline sessions the server held instead of billing (docs/treasurer.md, "Offline
 * sessions to review"). Admin and treasurer list them, accept (bill) or refuse (debit nothing).
 */
import { z } from '@hono/zod-openapi';
import {
  acceptReview,
  listReviews,
  REVIEW_STATUSES,
  type ReviewView,
  refuseReview,
} from '../../../application/offline-reviews.ts';
import { useCaseContext } from '../../../application/use-case.ts';
import type { App } from '../../http/context.ts';
import { MONEY } from '../../http/guard.ts';
import { defineRoute, idParam, jsonBody, jsonResponse, pagination } from '../../http/route.ts';
import { emptyBody } from '../members/schemas.ts';

const tags = ['offline-reviews'];
const when = z.string().nullable();

const reviewSchema = z
  .object({
    id: z.string(),
    machineId: z.string(),
    machineName: z.string().nullable(),
    sessionId: z.string().openapi({ description: 'the `off-…` id the board gave the session' }),
    memberId: z.string().nullable().openapi({ description: 'null when the badge matches no member' }),
    memberName: z.string().nullable(),
    badgeLast4: z.string().openapi({ description: 'last four characters of the UID, never the UID' }),
    startedAt: when,
    listIssuedAt: when.openapi({ description: 'the allow-list the board said it decided from' }),
    runningSeconds: z.number().int().openapi({ description: 'greatest runningSeconds reported' }),
    endReason: z.string().nullable(),
    endedAt: when,
    holdReason: z.string().openapi({ description: 'why the server did not bill it (docs/mqtt.md)' }),
    status: z.enum(REVIEW_STATUSES),
    decidedBy: z.string().nullable(),
    decidedAt: when,
    chargedCents: z.number().int().nullable().openapi({ description: 'debited once accepted' }),
    createdAt: z.string(),
  })
  .openapi('OfflineReview');

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const toJson = (r: ReviewView) => ({
  ...r,
  startedAt: iso(r.startedAt),
  listIssuedAt: iso(r.listIssuedAt),
  endedAt: iso(r.endedAt),
  decidedAt: iso(r.decidedAt),
  createdAt: r.createdAt.toISOString(),
});

const list = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/offline-reviews',
  tags,
  summary: 'Offline sessions held for review, newest first',
  request: {
    query: z
      .object({
        status: z
          .enum(REVIEW_STATUSES)
          .or(z.literal(''))
          .optional()
          .openapi({ description: 'filter; empty: all' }),
        ...pagination,
      })
      .strict(),
  },
  responses: {
    200: jsonResponse(
      'A page of reviews',
      z.object({
        items: z.array(reviewSchema),
        total: z.number().int(),
        limit: z.number().int(),
        offset: z.number().int(),
      }),
    ),
  },
});

const decide = (action: 'accept' | 'refuse') =>
  defineRoute(MONEY, {
    method: 'post',
    path: `/api/v1/offline-reviews/{id}/${action}`,
    tags,
    summary:
      action === 'accept'
        ? "Accept: open and bill the session as an offline session, down to the card's floor"
        : 'Refuse: debit nothing',
    description:
      action === 'accept'
        ? 'Audited. Accepting an accepted review answers 200 and changes nothing; 409 if it was refused or its badge matches no member.'
        : 'Audited. Refusing a refused review answers 200 and changes nothing; 409 if it was accepted.',
    request: { params: idParam, body: jsonBody(emptyBody, false) },
    responses: { 200: jsonResponse('The review after the decision', reviewSchema) },
  });
const accept = decide('accept');
const refuse = decide('refuse');

export function registerOfflineReviewRoutes(app: App): void {
  app.openapi(list, async (c) => {
    const { status, ...page } = c.req.valid('query');
    const result = await listReviews(c.var.deps.db, { ...page, status: status === '' ? undefined : status });
    return c.json({ ...result, items: result.items.map(toJson) }, 200);
  });

  // Issue #12: the use cases decide, bill, audit and notify the machine loop.
  app.openapi(accept, async (c) => {
    const ctx = useCaseContext(c.var.deps, c.var.principal);
    const { review } = await acceptReview(ctx, { reviewId: c.req.valid('param').id });
    return c.json(toJson(review), 200);
  });

  app.openapi(refuse, async (c) => {
    const ctx = useCaseContext(c.var.deps, c.var.principal);
    const { review } = await refuseReview(ctx, { reviewId: c.req.valid('param').id });
    return c.json(toJson(review), 200);
  });
}
