/** The page frame: skip link, header with navigation by role, language switch, sign-out. */

import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { DashContext } from '../context.ts';
import { type Access, ADMIN, can, MEMBERS, MONEY, STAFF, TRAINERS } from '../http/access.ts';

interface NavItem {
  href: string;
  label: string;
  access: Access;
  /** other paths that light this item up */
  prefix: string;
}

export function Layout(props: { c: DashContext; title: string; children?: Child; scripts?: string[] }) {
  const { c, title } = props;
  const { t, user, lang, flash } = c.var;
  const path = c.req.path;
  const items: NavItem[] = [
    { href: '/board', label: t.navBoard, access: STAFF, prefix: '/board' },
    { href: '/today', label: t.navToday, access: STAFF, prefix: '/today' },
    { href: '/sessions', label: t.navSessions, access: STAFF, prefix: '/sessions' },
    { href: '/attendance', label: t.navAttendance, access: STAFF, prefix: '/attendance' },
    { href: '/members', label: t.navMembers, access: STAFF, prefix: '/members' },
    { href: '/trainers', label: t.navTrainers, access: TRAINERS, prefix: '/trainers' },
    { href: '/treasurer', label: t.navTreasurer, access: MONEY, prefix: '/treasurer' },
    { href: '/admin/machines', label: t.navAdmin, access: ADMIN, prefix: '/admin' },
    { href: '/me/machines', label: t.navMyMachines, access: MEMBERS, prefix: '/me/machines' },
    { href: '/me', label: t.navMe, access: MEMBERS, prefix: '/me' },
  ].filter((i) => can(user, i.access));
  // The first item whose prefix matches is the current page ('/me/machines' before '/me').
  const current = items.find((i) => path === i.prefix || path.startsWith(`${i.prefix}/`));
  const other = lang === 'fr' ? 'en' : 'fr';
  const here = new URL(c.req.url);
  here.searchParams.set('lang', other);
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · Sésame`}</title>
          <link rel="icon" href="/favicon.ico" type="image/svg+xml" />
          <link rel="stylesheet" href="/assets/style.css" />
          <script src="/assets/app.js" defer></script>
          {(props.scripts ?? []).map((s) => (
            <script src={s} defer></script>
          ))}
        </head>
        <body>
          <a class="skip" href="#main">
            {t.skipToContent}
          </a>
          <header class="top">
            <a class="brand" href="/">
              Sésame
            </a>
            {/* Issue #12 item 6: on a phone the navigation folds behind "Menu" (a <details>,
                no script); from 40rem up it is always shown (style.css). */}
            {items.length > 0 && (
              <nav aria-label={t.mainNav}>
                <details class="menu">
                  <summary>
                    {t.menu}
                    {current && <span class="menu-here">{` · ${current.label}`}</span>}
                  </summary>
                  <ul>
                    {items.map((i) => (
                      <li>
                        <a href={i.href} aria-current={i === current ? 'page' : undefined}>
                          {i.label}
                        </a>
                      </li>
                    ))}
                  </ul>
                </details>
              </nav>
            )}
            <div class="who">
              <a href={`${here.pathname}${here.search}`} lang={other} hreflang={other}>
                {t.switchLanguage}
              </a>
              {user && (
                <form method="post" action="/sign-out">
                  <span class="name">{user.name}</span>{' '}
                  <button type="submit" class="link">
                    {t.signOut}
                  </button>
                </form>
              )}
            </div>
          </header>
          <main id="main" tabindex={-1}>
            <h1>{title}</h1>
            {flash && (
              <p class={`flash ${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'}>
                <span aria-hidden="true">{flash.kind === 'ok' ? '✓ ' : '✕ '}</span>
                {flash.text}
              </p>
            )}
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/** Renders a full page. */
export function page(c: DashContext, title: string, body: Child, scripts?: string[], status = 200) {
  return c.html(
    <Layout c={c} title={title} scripts={scripts ?? []}>
      {body}
    </Layout>,
    status as 200,
  );
}
