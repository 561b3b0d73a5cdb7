/**
 * Who may open which page (issue #4: role checks on every page, deny by default). Every
 * dashboard route carries one `requires(...)` guard; createDashboard refuses to start if a
 * route has none. Admins may do everything; members only reach their own account.
 *
 * The guard also prepares the request (language, signed-in person, flash message) and checks
 * form posts against CSRF: the dashboard's routes live beside /api/v1 in one app, so this is
 * per route rather than an app-wide `use('*')` that would run on every API call too.
 */
import type { MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import type { Principal } from '../../application/auth.ts';
import type { Role } from '../../core/domain.ts';
import type { DashContext, DashEnv } from '../context.ts';
import { language } from '../i18n/index.ts';
import { crossSitePage, forbiddenPage, formTooLargePage, notFoundPage } from '../views/errors.tsx';
import { readFlash } from './flash.ts';
import { session } from './session.ts';

/** Form posts are small; anything larger is refused before it is read. */
export const MAX_FORM_BYTES = 64 * 1024;

// Cookie-authenticated form posts must come from this site (Origin or Sec-Fetch-Site), on
// top of the session cookie's SameSite=Lax.
const sameOrigin = csrf();
const noop = async () => {};

/** `static`: a public file, served without reading the session (no database query). */
export type Access = 'static' | 'public' | readonly Role[];

export const STAFF: Access = ['admin', 'trainer', 'treasurer'];
export const ADMIN: Access = ['admin'];
export const MONEY: Access = ['admin', 'treasurer'];
export const TRAINERS: Access = ['admin', 'trainer'];
export const MEMBERS: Access = ['member'];
export const STAFF_OR_MEMBER: Access = ['admin', 'trainer', 'treasurer', 'member'];

export function rolesOf(p: Principal): Role[] {
  return p.kind === 'staff' ? p.roles : ['member'];
}

export function can(p: Principal | null, access: Access): boolean {
  if (access === 'public' || access === 'static') return true;
  if (p === null) return false;
  const roles = rolesOf(p);
  // Admins may do everything staff may; member-only pages (their own account) are for members.
  const memberOnly = access.every((r) => r === 'member');
  if (roles.includes('admin') && !memberOnly) return true;
  return roles.some((r) => access.includes(r));
}

const GUARD = Symbol('sesame.dashboard.guard');

export function isDashboardGuard(handler: unknown): boolean {
  return typeof handler === 'function' && GUARD in handler;
}

export function requires(access: Access): MiddlewareHandler<DashEnv> {
  const middleware: MiddlewareHandler<DashEnv> = async (c, next) => {
    if (access === 'static') return next();
    await language(c, noop);
    await session(c, noop);
    await readFlash(c, noop);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const length = Number(c.req.header('content-length') ?? Number.NaN);
      // server/http-app.ts adds `Connection: close` to every 413 (the body is left unread).
      if (!(length <= MAX_FORM_BYTES)) return formTooLargePage(c);
      try {
        await sameOrigin(c, noop);
      } catch (e) {
        if (e instanceof HTTPException && e.status === 403) return crossSitePage(c);
        throw e;
      }
    }
    if (access !== 'public') {
      const user = c.var.user;
      if (user === null) {
        if (c.req.method !== 'GET') return c.redirect('/sign-in', 303);
        const here = new URL(c.req.url);
        return c.redirect(`/sign-in?next=${encodeURIComponent(here.pathname + here.search)}`, 303);
      }
      if (!can(user, access)) return forbiddenPage(c);
    }
    await next();
  };
  return Object.assign(middleware, { [GUARD]: true });
}

/**
 * The page for an address no route answers (a mistyped dashboard address), in the visitor's
 * language; server/http-app.ts mounts it for every path outside /api/, which keeps its
 * problem+json. Reads the session so that the layout shows the signed-in menu.
 */
export const dashboardNotFound = async (c: DashContext) => {
  await language(c, noop);
  await session(c, noop);
  await readFlash(c, noop);
  return notFoundPage(c);
};
