/** Refusals as pages (a member opening someone else's profile gets this, with status 403). */
import type { DashContext } from '../context.ts';
import { dictionaries } from '../i18n/index.ts';
import { page } from './layout.tsx';

export function forbiddenPage(c: DashContext) {
  const { t } = c.var;
  return page(
    c,
    t.forbiddenTitle,
    <p>
      {t.forbiddenText} <a href="/">{t.backHome}</a>
    </p>,
    [],
    403,
  );
}

export function notFoundPage(c: DashContext) {
  const { t } = c.var;
  return page(
    c,
    t.notFoundTitle,
    <p>
      {t.notFoundText} <a href="/">{t.backHome}</a>
    </p>,
    [],
    404,
  );
}

/**
 * A failure as a page: unknown ids (404), refusals, invalid input (400, 409) with the
 * service's explanation, or a generic message for server errors.
 */
export function errorPage(c: DashContext, status: number, detail: string) {
  // The guard may not have run (an error before it): fall back to French words.
  const t = c.var.t ?? dictionaries.fr;
  if (c.var.t === undefined) {
    c.set('t', t);
    c.set('user', null);
    c.set('flash', null);
    c.set('lang', 'fr');
  }
  if (status === 404) return notFoundPage(c);
  if (status === 403) return forbiddenPage(c);
  const text = status >= 500 ? t.serverError : detail;
  return page(
    c,
    t.errorTitle,
    <p>
      {text} <a href="/">{t.backHome}</a>
    </p>,
    [],
    (status >= 400 && status < 600 ? status : 500) as 500,
  );
}

/** An oversized form (over MAX_FORM_BYTES, or without Content-Length), status 413. */
export function formTooLargePage(c: DashContext) {
  const { t } = c.var;
  return page(
    c,
    t.formTooLargeTitle,
    <p>
      {t.formTooLargeText} <a href="/">{t.backHome}</a>
    </p>,
    [],
    413,
  );
}

/**
 * A form post refused by the same-origin check (status 403): not an account matter, so say
 * where it came from and what to do (outsider's check, issue #12).
 */
export function crossSitePage(c: DashContext) {
  const { t } = c.var;
  return page(
    c,
    t.crossSiteTitle,
    <p>
      {t.crossSiteText} <a href="/">{t.crossSiteReload}</a>
    </p>,
    [],
    403,
  );
}
