/**
 * RFC 9457 problem details (SPEC §3): every error answer is application/problem+json with
 * type, title, status and a detail telling the client what to do next; invalid fields are
 * listed in errors[] with their location and path.
 */
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { ServiceError } from '../application/errors.ts';

export type FieldLocation = 'body' | 'query' | 'path' | 'header';

export interface FieldError {
  in: FieldLocation;
  /** dotted path, e.g. `qualifications.1` */
  field: string;
  /** JSON pointer into the request part, e.g. `#/qualifications/1` */
  pointer: string;
  detail: string;
}

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ['invalid-input', 'Invalid input'],
  401: ['unauthorized', 'Authentication required'],
  403: ['forbidden', 'Not allowed for your role'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Request body too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  429: ['too-many-requests', 'Too many attempts'],
  500: ['internal', 'Internal server error'],
  503: ['unavailable', 'Service unavailable'],
};

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  toJSON(): Record<string, unknown> {
    const [slug, title] = TITLES[this.status] ?? ['error', 'Error'];
    return {
      // Relative URI: resolves to the rendered API docs, which describe each problem type.
      type: `/api/docs#problem-${slug}`,
      title,
      status: this.status,
      detail: this.detail,
      ...(this.errors.length > 0 ? { errors: this.errors } : {}),
    };
  }

  toResponse(): Response {
    return new Response(JSON.stringify(this.toJSON()), {
      status: this.status,
      headers: { 'content-type': 'application/problem+json', ...this.headers },
    });
  }
}

export const problemTypes = Object.values(TITLES);

export function fieldError(where: FieldLocation, path: readonly PropertyKey[], detail: string): FieldError {
  const parts = path.map(String);
  return { in: where, field: parts.join('.'), pointer: `#/${parts.join('/')}`, detail };
}

const LOCATIONS: Record<string, FieldLocation> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
};

/** A zod failure as a 400 listing every invalid field. */
export function zodProblem(error: ZodError, target: string): Problem {
  const where = LOCATIONS[target] ?? 'body';
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push(
          fieldError(where, [...issue.path, key], 'unknown field: remove it (see the OpenAPI document)'),
        );
      }
    } else {
      errors.push(fieldError(where, issue.path, issue.message));
    }
  }
  const names = errors.map((e) => e.field || `(${where})`).join(', ');
  return new Problem(400, `The request ${where} has invalid fields (${names}); fix them and retry.`, errors);
}

/** Maps anything thrown while handling a request to a problem. */
export function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  if (error instanceof ServiceError) {
    switch (error.kind) {
      case 'invalid':
        return new Problem(
          400,
          error.detail,
          error.fields.map((f) => fieldError('body', f.field.split('.'), f.detail)),
        );
      case 'forbidden':
        return new Problem(403, error.detail);
      case 'not_found':
        return new Problem(404, error.detail);
      case 'conflict':
        return new Problem(409, error.detail);
      default: {
        const never: never = error.kind;
        return new Problem(500, `unexpected error kind ${String(never)}`);
      }
    }
  }
  if (error instanceof HTTPException) {
    if (error.status === 400) {
      return new Problem(400, `${error.message || 'Malformed request'}: send a valid JSON body.`);
    }
    if (error.status === 415) {
      return new Problem(415, 'Send the body as JSON with Content-Type: application/json.');
    }
    return new Problem(error.status, error.message || 'Request refused.');
  }
  return new Problem(500, 'The server failed to handle this request; it was logged. Retry later.');
}
