/**
 * Access control, deny by default (SPEC §3 roles). Every /api/v1 route carries exactly one
 * guard naming who may call it; createApp refuses to start if a route has none.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { authenticateToken, type Principal } from '../../application/auth.ts';
import type { Role } from '../../core/domain.ts';
import type { Db } from '../../db/client.ts';
import { assertJsonBody, assertSameOriginWrite } from '../../web/origin.ts';
import { Problem } from '../../web/problem.ts';
import type { AppEnv } from './context.ts';

export { SESSION_COOKIE } from '../../application/auth.ts';

import { SESSION_COOKIE } from '../../application/auth.ts';

export type Access =
  | 'public'
  | {
      /** roles allowed; admin is always allowed. `member` lets any member token through. */
      roles: readonly Role[];
      /** a member may also call the route for their own record: the path parameter holding it */
      selfParam?: string;
    };

const GUARD = Symbol('sesame.guard');

export function isGuard(handler: unknown): boolean {
  return typeof handler === 'function' && GUARD in handler;
}

/** The credential presented and how: a bearer header wins over the cookie. */
function presentedToken(c: Context): { token: string; via: 'bearer' | 'cookie' } | null {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return { token: match?.[1] ?? '', via: 'bearer' };
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie === undefined ? null : { token: cookie, via: 'cookie' };
}

const unauthorized = (detail: string) =>
  new Problem(401, detail, [], { 'www-authenticate': 'Bearer realm="sesame"' });

export async function authenticate(
  c: Context,
  db: Db,
  now: Date,
  allowedOrigins: readonly string[] = [],
): Promise<Principal> {
  const presented = presentedToken(c);
  if (presented === null) {
    throw unauthorized(
      'Send an API token as "Authorization: Bearer <token>" or log in at POST /api/v1/auth/login.',
    );
  }
  const { token, via } = presented;
  // Cookie-borne writes must come from this site's own pages, as JSON (SPEC §3, issue #9):
  // checked before the token is even looked up, so a forged request learns nothing.
  if (via === 'cookie') {
    assertSameOriginWrite(c, allowedOrigins);
    assertJsonBody(c);
  }
  const principal = token === '' ? null : await authenticateToken(db, token, now);
  if (principal === null) {
    throw unauthorized(
      'This token is unknown, revoked or expired; ask an admin for a new one or log in again.',
    );
  }
  return principal;
}

export function allowed(principal: Principal, access: Exclude<Access, 'public'>, c: Context): boolean {
  if (principal.kind === 'staff') {
    return principal.roles.includes('admin') || principal.roles.some((r) => access.roles.includes(r));
  }
  if (access.roles.includes('member')) return true;
  return access.selfParam !== undefined && c.req.param(access.selfParam) === principal.memberId;
}

export function guard(access: Access): MiddlewareHandler<AppEnv> {
  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (access !== 'public') {
      const { db, now, allowedOrigins } = c.var.deps;
      const principal = await authenticate(c, db, now(), allowedOrigins);
      if (!allowed(principal, access, c)) {
        const who = principal.kind === 'member' ? 'a member' : `roles ${principal.roles.join(', ')}`;
        const need = access.roles.length > 0 ? access.roles.join(' or ') : 'admin';
        throw new Problem(
          403,
          `This route needs the role ${need}${access.selfParam ? ' (or the member themself)' : ''}; your token has ${who}.`,
        );
      }
      c.set('principal', principal);
    }
    await next();
  };
  return Object.assign(middleware, { [GUARD]: true });
}

/** Admin, trainer and treasurer: "any staff" in SPEC §3. */
export const STAFF: Access = { roles: ['admin', 'trainer', 'treasurer'] };
export const ADMIN: Access = { roles: ['admin'] };
export const MONEY: Access = { roles: ['admin', 'treasurer'] };
