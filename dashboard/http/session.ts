/**
 * Dashboard sign-in: the API's password login (application/auth.ts) and its HttpOnly,
 * SameSite=Lax session cookie, shared with /api/v1 so the board's page and the API agree.
 */
import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { authenticateToken, SESSION_COOKIE } from '../../application/auth.ts';
import type { DashContext, DashEnv } from '../context.ts';

/** Sets `user` from the session cookie (null when absent, expired or revoked). */
export const session: MiddlewareHandler<DashEnv> = async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  const { db, now } = c.var.deps;
  c.set('user', token ? await authenticateToken(db, token, now()) : null);
  await next();
};

export function setSessionCookie(c: DashContext, token: string, expires: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: new URL(c.req.url).protocol === 'https:',
    expires,
  });
}

export function clearSessionCookie(c: DashContext): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}
