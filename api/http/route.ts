/** Route definitions: an OpenAPI route always comes with its guard (deny by default). */
import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { SLUG_PATTERN } from '../../core/ids.ts';
import { type Access, guard } from './guard.ts';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z
      .array(
        z.object({
          in: z.enum(['body', 'query', 'path', 'header']),
          field: z.string(),
          pointer: z.string(),
          detail: z.string(),
        }),
      )
      .optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** The error answers every guarded route may give (SPEC §3). */
export const errorResponses = {
  400: problem('Invalid input: see errors[]'),
  401: problem('No token, or an unknown, revoked or expired one'),
  403: problem('Your role may not do this; or a dashboard-cookie write from another origin'),
  404: problem('Unknown id'),
  409: problem('Conflict with the current state'),
  413: problem('Body too large (the connection is then closed: Connection: close)'),
  415: problem('Body not application/json on a request without a bearer token (the dashboard cookie)'),
} as const;

const SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

export function defineRoute<const R extends Omit<RouteConfig, 'middleware'>>(access: Access, config: R) {
  const roles = access === 'public' ? 'anyone' : [...access.roles].join(', ');
  return createRoute({
    ...config,
    description:
      `${config.description ?? ''}\n\nWho: ${roles}${access !== 'public' && access.selfParam ? ', or the member themself' : ''}.`.trim(),
    security: access === 'public' ? [] : SECURITY,
    responses: { ...errorResponses, ...config.responses },
    middleware: [guard(access)] as const,
  });
}

/** JSON request body: required, unknown fields refused (SPEC §3), bounded by bodyLimit. */
export function jsonBody<T extends z.ZodType>(schema: T, required = true) {
  return { required, content: { 'application/json': { schema } } };
}

export function jsonResponse<T extends z.ZodType>(description: string, schema: T) {
  return { description, content: { 'application/json': { schema } } };
}

export const pagination = {
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ description: 'page size (1–500)' }),
  offset: z.coerce.number().int().min(0).default(0),
};

export const idParam = z.object({ id: z.string().min(1).max(200) });

export const isoDate = z.iso.datetime({ offset: true }).openapi({ example: '2025-01-31T12:00:00Z' });

/**
 * Machine and qualification ids (SPEC §3). Built here rather than reusing core's slugSchema:
 * `.openapi()` exists only on schemas created after @hono/zod-openapi extended zod, and core
 * may be loaded first (env.ts imports it).
 */
export const slug = z.string().regex(SLUG_PATTERN, 'must match [a-z0-9][a-z0-9-]{0,63}');
