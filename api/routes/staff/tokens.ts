/** Rotate or revoke a staff account's API tokens (admin, or the account itself); issue #9. */
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../../application/auth.ts';
import { revokeStaffTokens, rotateStaffToken } from '../../../application/staff-tokens.ts';
import type { App } from '../../http/context.ts';
import { defineRoute, idParam, jsonBody, jsonResponse } from '../../http/route.ts';
import { emptyBody } from '../members/schemas.ts';
import { assertAdminOrSelf } from './routes.ts';

const tags = ['staff'];
const STAFF = { roles: ['admin', 'trainer', 'treasurer'] } as const;

const rotate = defineRoute(STAFF, {
  method: 'post',
  path: '/api/v1/staff/{id}/tokens',
  tags,
  summary: 'Rotate a staff API token: a new one (shown once), the previous ones revoked',
  description:
    'Admin, or the account itself. Revokes every API token the account had (the bootstrap ' +
    'token included) and returns a new one; dashboard sessions stay. Audited (rotate_staff_token).',
  request: { params: idParam, body: jsonBody(emptyBody, false) },
  responses: {
    201: jsonResponse(
      'The new token, shown once',
      z
        .object({ token: z.string(), tokenId: z.string(), revokedTokens: z.number().int() })
        .openapi('RotatedStaffToken'),
    ),
  },
});

const revokeAll = defineRoute(STAFF, {
  method: 'delete',
  path: '/api/v1/staff/{id}/tokens',
  tags,
  summary: 'Revoke every token of a staff account (API tokens and dashboard sessions)',
  description:
    'Admin, or the account itself. Re-enabling a disabled account does not bring them back. ' +
    'Audited (revoke_staff_tokens).',
  request: { params: idParam },
  responses: { 204: { description: 'Revoked (also when there was none)' } },
});

export function registerStaffTokenRoutes(app: App): void {
  app.openapi(rotate, async (c) => {
    const { db, now } = c.var.deps;
    const { id } = c.req.valid('param');
    assertAdminOrSelf(c.var.principal, id);
    return c.json(await rotateStaffToken(db, actorOf(c.var.principal), id, now()), 201);
  });

  app.openapi(revokeAll, async (c) => {
    const { db, now } = c.var.deps;
    const { id } = c.req.valid('param');
    assertAdminOrSelf(c.var.principal, id);
    await revokeStaffTokens(db, actorOf(c.var.principal), id, now());
    return c.body(null, 204);
  });
}
