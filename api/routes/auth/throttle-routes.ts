/**
 * The admin's way to let someone back in at once after the sign-in throttle blocked their
 * account (issue #9), or everyone at once; otherwise a block ends by itself. Audited.
 */

import { audit } from '../../../application/audit.ts';
import { actorOf, signInEmailOf, type TokenOwner } from '../../../application/auth.ts';
import { notFound } from '../../../application/errors.ts';
import type { App } from '../../http/context.ts';
import { ADMIN } from '../../http/guard.ts';
import { defineRoute, idParam } from '../../http/route.ts';

const tags = ['auth'];

const resetRoute = (entity: 'staff' | 'members') =>
  defineRoute(ADMIN, {
    method: 'delete',
    path: `/api/v1/${entity}/{id}/sign-in-throttle`,
    tags,
    summary: `Clear the sign-in throttle of a ${entity === 'staff' ? 'staff account' : 'member'}`,
    description:
      'After repeated wrong passwords an account’s sign-in is refused (429) for a growing time. ' +
      'This ends the block at once, and takes the account out of the count of every address it ' +
      'failed from (lifting an address block its failures caused). Audited.',
    request: { params: idParam },
    responses: { 204: { description: 'Cleared (also when nothing was blocked)' } },
  });

const resetAllRoute = defineRoute(ADMIN, {
  method: 'delete',
  path: '/api/v1/auth/sign-in-throttle',
  tags,
  summary: 'Clear every sign-in block and count (all accounts, all addresses)',
  description: 'For a lab whose shared address was blocked by password spraying. Audited.',
  responses: { 204: { description: 'Cleared (also when nothing was blocked)' } },
});

export function registerThrottleRoutes(app: App): void {
  app.openapi(resetAllRoute, async (c) => {
    const { db, signInThrottle } = c.var.deps;
    signInThrottle.resetAll();
    await audit(db, {
      actor: actorOf(c.var.principal),
      action: 'reset_sign_in_throttle',
      entity: 'auth',
      entityId: 'all',
    });
    return c.body(null, 204);
  });

  for (const entity of ['staff', 'members'] as const) {
    app.openapi(resetRoute(entity), async (c) => {
      const { db, signInThrottle } = c.var.deps;
      const { id } = c.req.valid('param');
      const owner: TokenOwner = entity === 'staff' ? { staffId: id } : { memberId: id };
      const email = await signInEmailOf(db, owner);
      if (email === null) throw notFound(entity === 'staff' ? 'staff account' : 'member', id);
      await signInThrottle.reset(email);
      await audit(db, {
        actor: actorOf(c.var.principal),
        action: 'reset_sign_in_throttle',
        entity: entity === 'staff' ? 'staff' : 'member',
        entityId: id,
      });
      return c.body(null, 204);
    });
  }
}
