/**
 * The admin's way to let someone back in at once after the sign-in throttle blocked their
 * account (issue #9); otherwise the block ends by itself. Audited.
 */
import type { App } from '../../http/context.ts';
import { ADMIN } from '../../http/guard.ts';
import { defineRoute, idParam } from '../../http/route.ts';
import { audit } from '../../services/audit.ts';
import { actorOf, signInEmailOf, type TokenOwner } from '../../services/auth.ts';
import { notFound } from '../../services/errors.ts';

const tags = ['auth'];

const resetRoute = (entity: 'staff' | 'members') =>
  defineRoute(ADMIN, {
    method: 'delete',
    path: `/api/v1/${entity}/{id}/sign-in-throttle`,
    tags,
    summary: `Clear the sign-in throttle of a ${entity === 'staff' ? 'staff account' : 'member'}`,
    description:
      'After repeated wrong passwords an account’s sign-in is refused (429) for a growing time. ' +
      'This ends the block at once, for the account (not for the addresses that failed). Audited.',
    request: { params: idParam },
    responses: { 204: { description: 'Cleared (also when nothing was blocked)' } },
  });

export function registerThrottleRoutes(app: App): void {
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
