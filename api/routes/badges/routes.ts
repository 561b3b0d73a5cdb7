/** SPEC §3 POST /members/{id}/badges, and revoking a badge (lost or revoked). */
import { z } from '@hono/zod-openapi';
import { issueBadge, revokeBadge } from '../../../application/badges.ts';
import { useCaseContext } from '../../../application/use-case.ts';
import { BADGE_STATUSES } from '../../../core/domain.ts';
import { uidSchema } from '../../../core/ids.ts';
import type { App } from '../../http/context.ts';
import { ADMIN } from '../../http/guard.ts';
import { defineRoute, idParam, jsonBody, jsonResponse } from '../../http/route.ts';

const tags = ['badges'];

const badgeSchema = z
  .object({
    id: z.string(),
    memberId: z.string(),
    last4: z.string(),
    status: z.enum(BADGE_STATUSES),
    issuedAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('Badge');

const uid = z.string().max(64).pipe(uidSchema).openapi({
  type: 'string',
  description: 'hex UID, 4 to 10 bytes; lower case and surrounding spaces accepted',
  example: '04A3B2C1',
});

const issue = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/members/{id}/badges',
  tags,
  summary: 'Issue a badge to a member',
  description: 'A UID waiting in GET /enrolments (presented in enrolment mode) is consumed.',
  request: { params: idParam, body: jsonBody(z.object({ uid }).strict().openapi('IssueBadge')) },
  responses: { 201: jsonResponse('The badge (only the last 4 hex digits of its UID)', badgeSchema) },
});

const revoke = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/badges/{id}/revoke',
  tags,
  summary: 'Revoke a badge, or declare it lost',
  request: {
    params: idParam,
    body: jsonBody(
      z
        .object({ status: z.enum(['lost', 'revoked']).default('revoked') })
        .strict()
        .openapi('RevokeBadge'),
      false,
    ),
  },
  responses: { 200: jsonResponse('The badge', badgeSchema) },
});

export function registerBadgeRoutes(app: App): void {
  // Issue #12: the routes translate HTTP; the use cases validate, write, audit and notify.
  app.openapi(issue, async (c) => {
    const ctx = useCaseContext(c.var.deps, c.var.principal);
    const badge = await issueBadge(ctx, { memberId: c.req.valid('param').id, uid: c.req.valid('json').uid });
    return c.json(badge, 201);
  });

  app.openapi(revoke, async (c) => {
    const ctx = useCaseContext(c.var.deps, c.var.principal);
    const badge = await revokeBadge(ctx, {
      badgeId: c.req.valid('param').id,
      status: c.req.valid('json').status ?? 'revoked',
    });
    return c.json(badge, 200);
  });
}
