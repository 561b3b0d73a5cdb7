/** Sign-in (staff and members, by password), sign-out, and the one-time access links. */
import type { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import {
  ACCESS_LINK_HOURS,
  accessLinkOwner,
  MIN_PASSWORD_LENGTH,
  redeemAccessLink,
} from '../../application/access-links.ts';
import { revokeToken, SignInThrottled, signIn } from '../../application/auth.ts';
import { findMember } from '../../application/members.ts';
import { adminExists } from '../../application/setup-link.ts';
import { getStaff } from '../../application/staff.ts';
import { clientAddress } from '../../web/client-address.ts';
import type { DashContext, DashEnv } from '../context.ts';
import { requires, STAFF_OR_MEMBER } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { clearSessionCookie, setSessionCookie } from '../http/session.ts';
import { setupWords } from '../i18n/setup.ts';
import { page } from '../views/layout.tsx';
import { Field } from '../views/ui.tsx';

const EMAIL_COOKIE = 'sesame_signin_email';

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return '';
  }
}

/** Only local paths: `next` must not send people to another site after signing in. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/';
}

function signInPage(c: DashContext, opts: { email?: string; error?: boolean; retryAfter?: number } = {}) {
  const { t } = c.var;
  const next = safeNext(c.req.query('next'));
  return page(
    c,
    t.signInTitle,
    <form
      method="post"
      action={`/sign-in${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`}
      class="card narrow"
    >
      <p>{t.signInIntro}</p>
      {(opts.error || opts.retryAfter !== undefined) && (
        <p class="flash error" role="alert">
          <span aria-hidden="true">✕ </span>
          {opts.retryAfter !== undefined ? t.signInThrottled(opts.retryAfter) : t.signInFailed}
        </p>
      )}
      <Field label={t.email} name="email" type="email" value={opts.email} required autocomplete="username" />
      <Field label={t.password} name="password" type="password" required autocomplete="current-password" />
      <button type="submit">{t.signIn}</button>
    </form>,
    [],
    opts.retryAfter !== undefined ? 429 : opts.error ? 401 : 200,
  );
}

function notSetUpPage(c: DashContext) {
  const s = setupWords(c);
  return page(
    c,
    s.notSetUpTitle,
    <div class="card narrow">
      <p>{s.notSetUp}</p>
      <p>{s.notSetUpExpired}</p>
    </div>,
  );
}

export function registerSignIn(app: Hono<DashEnv>): void {
  app.get('/', requires('public'), (c) => {
    const user = c.var.user;
    if (user === null) return c.redirect('/sign-in', 303);
    return c.redirect(user.kind === 'member' ? '/me' : '/board', 303);
  });

  app.get('/sign-in', requires('public'), async (c) => {
    // Issue #12: before the first admin exists nobody can sign in; say how to finish the setup.
    if (!(await adminExists(c.var.deps.db))) return notSetUpPage(c);
    const remembered = getCookie(c, EMAIL_COOKIE);
    if (remembered === undefined) return signInPage(c);
    deleteCookie(c, EMAIL_COOKIE, { path: '/sign-in' });
    const email = z.email().max(320).safeParse(safeDecode(remembered));
    return signInPage(c, email.success ? { email: email.data } : {});
  });

  app.post('/sign-in', requires('public'), async (c) => {
    const form = await parseForm(
      c,
      z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(200) }),
    );
    if (!form.ok) return signInPage(c, { error: true });
    const { db, now } = c.var.deps;
    const { signInThrottle } = c.var.deps;
    let session: Awaited<ReturnType<typeof signIn>>;
    try {
      // The API's throttle (issue #9): a blocked attempt checks no password.
      session = await signIn(
        db,
        signInThrottle,
        form.data.email,
        form.data.password,
        clientAddress(c),
        now(),
      );
    } catch (e) {
      if (!(e instanceof SignInThrottled)) throw e;
      c.header('retry-after', String(e.retryAfterSeconds));
      return signInPage(c, { email: form.data.email, retryAfter: e.retryAfterSeconds });
    }
    if (session === null) return signInPage(c, { email: form.data.email, error: true });
    setSessionCookie(c, session.token, session.expiresAt);
    const fallback = session.principal.kind === 'member' ? '/me' : '/board';
    const next = safeNext(c.req.query('next'));
    return c.redirect(next === '/' ? fallback : next, 303);
  });

  app.post('/sign-out', requires(STAFF_OR_MEMBER), async (c) => {
    const { db, now } = c.var.deps;
    const user = c.var.user;
    if (user !== null) await revokeToken(db, user.tokenId, now());
    clearSessionCookie(c);
    return redirectWith(c, '/sign-in', 'ok', c.var.t.signedOut);
  });

  app.get('/access/:token', requires('public'), async (c) => {
    const { t } = c.var;
    const { db, now } = c.var.deps;
    const owner = await accessLinkOwner(db, c.req.param('token'), now());
    if (owner === null) {
      return page(c, t.accessTitle, <p>{t.accessLinkInvalid}</p>, [], 404);
    }
    return page(
      c,
      t.accessTitle,
      <form method="post" class="card narrow">
        <p>{t.accessIntro(ACCESS_LINK_HOURS)}</p>
        <Field
          label={t.newPassword}
          name="password"
          type="password"
          required
          autocomplete="new-password"
          hint={t.passwordHint(MIN_PASSWORD_LENGTH)}
        />
        <button type="submit">{t.savePassword}</button>
      </form>,
    );
  });

  app.post('/access/:token', requires('public'), async (c) => {
    const { t } = c.var;
    const { db, now } = c.var.deps;
    const token = c.req.param('token');
    const form = await parseForm(c, z.object({ password: z.string().min(MIN_PASSWORD_LENGTH).max(200) }));
    if (!form.ok)
      return redirectWith(
        c,
        `/access/${encodeURIComponent(token)}`,
        'error',
        t.passwordHint(MIN_PASSWORD_LENGTH),
      );
    const owner = await redeemAccessLink(db, token, form.data.password, now());
    if (owner === null) return page(c, t.accessTitle, <p>{t.accessLinkInvalid}</p>, [], 404);
    // Issue #12 item 7: the sign-in form comes back with the account's e-mail filled in,
    // carried in a short-lived cookie rather than the URL (addresses stay out of logs).
    const who = 'staffId' in owner ? await getStaff(db, owner.staffId) : await findMember(db, owner.memberId);
    setCookie(c, EMAIL_COOKIE, encodeURIComponent(who.email), {
      path: '/sign-in',
      httpOnly: true,
      sameSite: 'Lax',
      maxAge: 300,
    });
    return redirectWith(c, '/sign-in', 'ok', t.passwordSaved);
  });
}
