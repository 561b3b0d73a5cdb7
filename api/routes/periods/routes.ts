/**
 * Month close (issue #5; admin, treasurer): POST /api/v1/periods/{YYYY-MM}/close refuses when
 * the month's card report checks fail, unless `force` with a `reason`; GET /api/v1/periods lists
 * the closed months. Afterwards nothing may be dated in a closed month (409).
 */
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../../application/auth.ts';
import { ChecksFailedError, closePeriod, listClosedPeriods } from '../../../application/periods.ts';
import { Problem } from '../../../web/problem.ts';
import type { App } from '../../http/context.ts';
import { MONEY } from '../../http/guard.ts';
import { defineRoute, jsonBody, jsonResponse } from '../../http/route.ts';

const tags = ['periods'];

const periodSchema = z
  .object({
    period: z.string(),
    from: z.string(),
    to: z.string(),
    closedAt: z.string(),
    closedBy: z.string(),
    forced: z.boolean(),
    reason: z.string().nullable(),
    openingLiabilityCents: z.number().int().nullable(),
    closingLiabilityCents: z.number().int().nullable(),
    report: z.unknown().openapi({ description: 'the card report at closing (GET /api/v1/reports/cards)' }),
  })
  .openapi('ClosedPeriod');

const close = defineRoute(MONEY, {
  method: 'post',
  path: '/api/v1/periods/{period}/close',
  tags,
  summary: 'Close a month: no transaction may be dated in it afterwards',
  description:
    'The month is in LAB_TIMEZONE and must have ended at least an hour ago. Refused (409) when the card report ' +
    'for the month has discrepancies, unless `force: true` with a `reason` (both recorded). Corrections of a ' +
    'closed month are reversals dated in an open period.',
  request: {
    params: z.object({
      period: z
        .string()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month written YYYY-MM')
        .openapi({ example: '2026-03' }),
    }),
    body: jsonBody(
      z
        .object({
          force: z.boolean().optional(),
          reason: z.string().trim().min(1).max(500).optional(),
        })
        .strict()
        .openapi('ClosePeriod'),
      false,
    ),
  },
  responses: { 201: jsonResponse('Closed', periodSchema) },
});

const list = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/periods',
  tags,
  summary: 'The closed months, latest first',
  responses: { 200: jsonResponse('Closed months', z.object({ items: z.array(periodSchema) })) },
});

export function registerPeriodRoutes(app: App): void {
  app.openapi(close, async (c) => {
    const { db, labTimeZone, now } = c.var.deps;
    const { period } = c.req.valid('param');
    const body = (c.req.valid('json') as { force?: boolean; reason?: string } | undefined) ?? {};
    try {
      const closed = await closePeriod(
        db,
        actorOf(c.var.principal),
        { period, force: body.force, reason: body.reason },
        { timeZone: labTimeZone, now: now() },
      );
      return c.json(JSON.parse(JSON.stringify(closed)) as z.infer<typeof periodSchema>, 201);
    } catch (e) {
      if (e instanceof ChecksFailedError) throw new Problem(409, e.message);
      throw e;
    }
  });

  app.openapi(list, async (c) => {
    const items = await listClosedPeriods(c.var.deps.db);
    return c.json({ items: JSON.parse(JSON.stringify(items)) as z.infer<typeof periodSchema>[] }, 200);
  });
}
