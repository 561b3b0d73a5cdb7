/** GET /audit (admin): the audit log, newest first. */
import { z } from '@hono/zod-openapi';
import { listAudit } from '../../../application/audit.ts';
import type { App } from '../../http/context.ts';
import { ADMIN } from '../../http/guard.ts';
import { defineRoute, jsonResponse, pagination } from '../../http/route.ts';

const entrySchema = z
  .object({
    id: z.string(),
    actor: z.string().openapi({ description: '`staff:<id>`, `member:<id>` or `system`' }),
    action: z.string(),
    entity: z.string(),
    entityId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    at: z.string(),
  })
  .openapi('AuditEntry');

const list = defineRoute(ADMIN, {
  method: 'get',
  path: '/api/v1/audit',
  tags: ['audit'],
  summary: 'The audit log of every change (never secrets)',
  request: {
    query: z
      .object({
        entity: z.string().min(1).max(50).optional(),
        entityId: z.string().min(1).max(200).optional(),
        ...pagination,
      })
      .strict(),
  },
  responses: {
    200: jsonResponse(
      'A page of entries',
      z.object({
        items: z.array(entrySchema),
        total: z.number().int(),
        limit: z.number().int(),
        offset: z.number().int(),
      }),
    ),
  },
});

export function registerAuditRoutes(app: App): void {
  app.openapi(list, async (c) => c.json(await listAudit(c.var.deps.db, c.req.valid('query')), 200));
}
