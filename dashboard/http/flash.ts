/** One message carried across a redirect (post/redirect/get), in a short-lived cookie. */
import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { DashContext, DashEnv, Flash } from '../context.ts';

const FLASH_COOKIE = 'sesame_flash';

export function flash(c: DashContext, kind: Flash['kind'], text: string): void {
  setCookie(c, FLASH_COOKIE, encodeURIComponent(JSON.stringify({ kind, text })), {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    maxAge: 60,
  });
}

/** Redirects (303) with a message for the next page. */
export function redirectWith(c: DashContext, to: string, kind: Flash['kind'], text: string): Response {
  flash(c, kind, text);
  return c.redirect(to, 303);
}

export const readFlash: MiddlewareHandler<DashEnv> = async (c, next) => {
  c.set('flash', null);
  const raw = c.req.method === 'GET' ? getCookie(c, FLASH_COOKIE) : undefined;
  if (raw !== undefined) {
    try {
      const parsed = JSON.parse(decodeURIComponent(raw)) as Flash;
      if ((parsed.kind === 'ok' || parsed.kind === 'error') && typeof parsed.text === 'string') {
        c.set('flash', { kind: parsed.kind, text: parsed.text.slice(0, 500) });
      }
    } catch {}
    deleteCookie(c, FLASH_COOKIE, { path: '/' });
  }
  await next();
};
