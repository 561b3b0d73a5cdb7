/**
 * No control characters in any text the API receives (SPEC §4, issue #9): checked once,
 * for every /api route, before any handler runs, so that no route can forget. A NUL reaching
 * PostgreSQL is a 500 (`invalid byte sequence for encoding "UTF8": 0x00`); other C0 codes
 * and DEL corrupt exports, logs and terminal output. Query strings and path segments refuse
 * every C0 code and DEL; JSON bodies allow tab, LF and CR (multi-line notes) in values,
 * never in keys.
 */
import type { MiddlewareHandler } from 'hono';
import { type FieldError, fieldError, Problem } from './problem.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: this is the list being refused
const ANY_CONTROL = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: this is the list being refused
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function describe(value: string, pattern: RegExp): string {
  const code = pattern.exec(value)?.[0].charCodeAt(0) ?? 0;
  return `contains the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}; remove it`;
}

/** Every string (and key) of a parsed JSON value holding a refused character. */
export function controlCharacterErrors(value: unknown, path: PropertyKey[] = []): FieldError[] {
  if (typeof value === 'string') {
    return CONTROL_BUT_LINES.test(value)
      ? [fieldError('body', path, describe(value, CONTROL_BUT_LINES))]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => controlCharacterErrors(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      ANY_CONTROL.test(k)
        ? [fieldError('body', [...path, k], `the field name ${describe(k, ANY_CONTROL)}`)]
        : controlCharacterErrors(v, [...path, k]),
    );
  }
  return [];
}

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function queryAndPathErrors(url: URL): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of url.searchParams) {
    if (ANY_CONTROL.test(key))
      errors.push(fieldError('query', [key], `the parameter name ${describe(key, ANY_CONTROL)}`));
    else if (ANY_CONTROL.test(value)) errors.push(fieldError('query', [key], describe(value, ANY_CONTROL)));
  }
  const segments = url.pathname.split('/');
  segments.forEach((segment, i) => {
    const decoded = decode(segment);
    if (decoded === null) errors.push(fieldError('path', [i], 'is not valid percent-encoding; fix the URL'));
    else if (ANY_CONTROL.test(decoded)) errors.push(fieldError('path', [i], describe(decoded, ANY_CONTROL)));
  });
  return errors;
}

const isJson = (type: string | undefined) =>
  type !== undefined && /^application\/([\w.-]+\+)?json/i.test(type);

function problemOf(errors: FieldError[]): Problem {
  const names = [...new Set(errors.map((e) => `${e.in} ${e.field || '(whole)'}`))].join(', ');
  return new Problem(
    400,
    `Control characters are not accepted (${names}): send plain text (tab and line breaks only in body values).`,
    errors,
  );
}

/** Refuses control characters in the query and the path, on every route (dashboard included). */
export const refuseControlCharactersInUrl: MiddlewareHandler = async (c, next) => {
  const errors = queryAndPathErrors(new URL(c.req.url));
  if (errors.length > 0) throw problemOf(errors);
  await next();
};

/** Refuses control characters in a JSON body (400 naming each field). */
export const refuseControlCharacters: MiddlewareHandler = async (c, next) => {
  if (c.req.raw.body !== null && isJson(c.req.header('content-type'))) {
    // The text is cached by Hono: the route's validator parses the same bytes. A body that
    // is not JSON is left to the validator, which answers its own 400.
    // Reading may throw the 413 of bodyLimit: let it through; only the parse is guarded.
    const text = await c.req.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const found = controlCharacterErrors(parsed);
    if (found.length > 0) throw problemOf(found);
  }
  await next();
};
