/** Dashboard login (password → HttpOnly session cookie), logout, and "who am I". */
import { z } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import {
  type Principal,
  revokeToken,
  SignInThrottled,
  signIn,
  WEB_SESSION_HOURS,
} from '../../../application/auth.ts';
import { clientAddress } from '../../../web/client-address.ts';
import { Problem } from '../../../web/problem.ts';
import type { App } from '../../http/context.ts';
import { SESSION_COOKIE } from '../../http/guard.ts';
import { defineRoute, jsonBody, jsonResponse, problemSchema } from '../../http/route.ts';
import { emptyBody } from '../members/schemas.ts';
import { registerThrottleRoutes } from './throttle-routes.ts';

const tags = ['auth'];
const EVERYONE = { roles: ['admin', 'trainer', 'treasurer', 'member'] } as const;

export const principalSchema = z
  .object({
    kind: z.enum(['staff', 'member']),
    id: z.string(),
    name: z.string(),
    email: z.string(),
    roles: z.array(z.string()).openapi({ description: 'staff roles, or ["member"]' }),
    trainerOf: z.array(z.string()),
    memberId: z.string().nullable(),
  })
  .openapi('Principal');

export function publicPrincipal(p: Principal) {
  return {
    kind: p.kind,
    id: p.id,
    name: p.name,
    email: p.email,
    roles: p.kind === 'staff' ? p.roles : ['member'],
    trainerOf: p.kind === 'staff' ? p.trainerOf : [],
    memberId: p.memberId,
  };
}

const loginRoute = defineRoute('public', {
  method: 'post',
  path: '/api/v1/auth/login',
  tags,
  summary: 'Log in with email and password (dashboard)',
  description:
    `Sets an HttpOnly, SameSite=Lax session cookie valid ${WEB_SESSION_HOURS} h, accepted like a bearer token. ` +
    'Throttled per account and per address: after repeated wrong passwords, 429 with Retry-After ' +
    '(a growing back-off that ends by itself; an admin can clear an account at once).',
  request: {
    body: jsonBody(
      z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(200) }).strict(),
    ),
  },
  responses: {
    200: jsonResponse(
      'Logged in',
      z.object({ token: z.string(), expiresAt: z.string(), principal: principalSchema }),
    ),
    429: {
      description: 'Too many failed attempts: retry after Retry-After seconds; no password was checked',
      content: { 'application/problem+json': { schema: problemSchema } },
    },
  },
});

const logoutRoute = defineRoute(EVERYONE, {
  method: 'post',
  path: '/api/v1/auth/logout',
  tags,
  summary: 'End the current session (or revoke the token used)',
  request: { body: jsonBody(emptyBody, false) },
  responses: { 204: { description: 'Logged out' } },
});

const meRoute = defineRoute(EVERYONE, {
  method: 'get',
  path: '/api/v1/me',
  tags,
  summary: 'Who am I: the caller behind the token',
  responses: { 200: jsonResponse('The caller', principalSchema) },
});

export function registerAuthRoutes(app: App): void {
  app.openapi(loginRoute, async (c) => {
    const { db, now, signInThrottle } = c.var.deps;
    const { email, password } = c.req.valid('json');
    const session = await signIn(db, signInThrottle, email, password, clientAddress(c), now()).catch((e) => {
      if (e instanceof SignInThrottled) throw throttledProblem(e);
      throw e;
    });
    if (session === null) {
      throw new Problem(401, 'Wrong email or password (or no password set: ask an admin to set one).');
    }
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      secure: new URL(c.req.url).protocol === 'https:',
      expires: session.expiresAt,
    });
    return c.json(
      {
        token: session.token,
        expiresAt: session.expiresAt.toISOString(),
        principal: publicPrincipal(session.principal),
      },
      200,
    );
  });

  app.openapi(logoutRoute, async (c) => {
    const { db, now } = c.var.deps;
    await revokeToken(db, c.var.principal.tokenId, now());
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  app.openapi(meRoute, (c) => c.json(publicPrincipal(c.var.principal), 200));
  registerThrottleRoutes(app);
}

export function throttledProblem(e: SignInThrottled): Problem {
  const what =
    e.scope === 'account'
      ? 'Too many wrong passwords for this account: it is blocked, even with the right password, ' +
        `until the wait ends: retry in ${e.retryAfterSeconds} s (the wait grows with each new series of failures), ` +
        'or ask an admin to clear it at once (DELETE /api/v1/staff/{id}/sign-in-throttle or /members/{id}/sign-in-throttle).'
      : 'Too many different accounts failed to sign in from your address: new accounts are refused from it. ' +
        `Please retry in ${e.retryAfterSeconds} s, or ask an admin to clear it (DELETE /api/v1/auth/sign-in-throttle).`;
  return new Problem(429, what, [], { 'retry-after': String(e.retryAfterSeconds) });
}
