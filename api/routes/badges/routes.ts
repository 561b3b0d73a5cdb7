/** SPEC §3 POST /members/{id}/badges, and revoking a badge (lost or revoked). */
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../../application/auth.ts';
import { issueBadge, revokeBadge } from '../../../application/badges.ts';
import { consumeEnrolmentsOf } from '../../../application/enrolments.ts';
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
  app.openapi(issue, async (c) => {
    const { db, keys, loop, now } = c.var.deps;
    const { id } = c.req.valid('param');
    const { uid } = c.req.valid('json');
    const badge = await issueBadge(db, keys.badgeKey, actorOf(c.var.principal), id, uid);
    // A UID presented in enrolment mode (issue #6) is no longer offered once issued.
    await consumeEnrolmentsOf(db, uid, now());
    loop.changed({ memberIds: [id] });
    return c.json(badge, 201);
  });

  app.openapi(revoke, async (c) => {
    const { db, loop, now } = c.var.deps;
    const body = c.req.valid('json');
    const badge = await revokeBadge(
      db,
      actorOf(c.var.principal),
      c.req.valid('param').id,
      body.status ?? 'revoked',
      now(),
    );
    loop.changed({ memberIds: [badge.memberId] });
    return c.json(badge, 200);
  });
}
