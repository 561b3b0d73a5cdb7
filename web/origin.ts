/**
 * Cross-site request refusal for the dashboard's session cookie on /api/v1 (SPEC §3, issue #9).
 *
 * A browser attaches the `sesame_session` cookie to requests any page sends, including
 * `fetch(…, {mode: 'no-cors', credentials: 'include'})` and plain HTML forms from another
 * port of the same host or a sibling sub-domain (same-site, so SameSite=Lax does not stop
 * them). A cookie-authenticated write is therefore accepted only when the browser says it
 * comes from this origin: `Sec-Fetch-Site: same-origin`, or (older browsers, no
 * `Sec-Fetch-Site`) an `Origin` equal to this server's own origin or to one listed in
 * ALLOWED_ORIGINS. Neither header: refused (deny by default). Bearer-token clients send no
 * cookie-borne credential a page could borrow, so they are not checked.
 */
import type { Context } from 'hono';
import { Problem } from './problem.ts';

const SAFE_METHODS = /^(GET|HEAD|OPTIONS)$/;

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.test(method);
}

/** The origin the request was addressed to, from its URL (Host header and scheme). */
function ownOrigin(c: Context): string | null {
  try {
    return new URL(c.req.url).origin;
  } catch {
    return null;
  }
}

/** Why a cookie-authenticated write must be refused, or null when it comes from this site. */
export function foreignOriginReason(c: Context, allowedOrigins: readonly string[]): string | null {
  const site = c.req.header('sec-fetch-site');
  const origin = c.req.header('origin');
  const allowed = (o: string) => o === ownOrigin(c) || allowedOrigins.includes(o);
  if (site !== undefined) {
    if (site !== 'same-origin') return `Sec-Fetch-Site is ${JSON.stringify(site)}, not "same-origin"`;
    // A browser never pairs same-origin with another Origin; a proxy rewriting Host might.
    return null;
  }
  if (origin === undefined) return 'the request carries neither Sec-Fetch-Site nor Origin';
  if (!allowed(origin)) return `Origin ${JSON.stringify(origin)} is not this server's origin`;
  return null;
}

/** Throws 403 for a cookie-authenticated write coming from another origin. */
export function assertSameOriginWrite(c: Context, allowedOrigins: readonly string[]): void {
  if (isSafeMethod(c.req.method)) return;
  const reason = foreignOriginReason(c, allowedOrigins);
  if (reason !== null) {
    throw new Problem(
      403,
      `The dashboard's session cookie is accepted on /api/v1 writes only from this site's own pages (${reason}). ` +
        'Scripts and other tools: send "Authorization: Bearer <token>" instead; behind a reverse proxy, list the public origin in ALLOWED_ORIGINS.',
    );
  }
}

/**
 * JSON or nothing: a cookie-authenticated body in another type (text/plain, a form) is
 * refused, never read as JSON. A body without Content-Type meets the route's own media-type
 * gate (415) since only bearer requests get the no-type-means-JSON leniency (api/app.ts).
 */
export function assertJsonBody(c: Context): void {
  if (isSafeMethod(c.req.method)) return;
  const type = c.req.header('content-type');
  if (type === undefined || isJsonType(type)) return;
  throw new Problem(
    415,
    `A body sent with the dashboard's session cookie must be JSON with Content-Type: application/json (got ${JSON.stringify(type.split(';')[0]?.trim())}).`,
  );
}

export function isJsonType(type: string): boolean {
  return /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type);
}
