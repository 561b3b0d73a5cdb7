/** Issue #6 GET /enrolments: badges presented at a reader in enrolment mode, waiting to be issued. */
import { z } from '@hono/zod-openapi';
import { listEnrolments } from '../../../application/enrolments.ts';
import type { App } from '../../http/context.ts';
import { ADMIN } from '../../http/guard.ts';
import { defineRoute, jsonResponse } from '../../http/route.ts';

const enrolmentSchema = z
  .object({
    id: z.string(),
    uid: z.string().openapi({ description: 'the badge UID (hex), to issue with POST /members/{id}/badges' }),
    machineId: z.string(),
    machineName: z.string(),
    staffId: z.string().nullable().openapi({ description: 'the admin who armed the reader' }),
    createdAt: z.string(),
  })
  .openapi('Enrolment');

const list = defineRoute(ADMIN, {
  method: 'get',
  path: '/api/v1/enrolments',
  tags: ['badges'],
  summary: 'Badges presented in enrolment mode in the last 10 minutes, not yet issued',
  description:
    'An admin badges with `mode: enrol`, then an unknown badge at the same reader: its UID waits here. Issuing a badge with that UID (POST /members/{id}/badges) consumes it.',
  responses: {
    200: jsonResponse('Pending enrolments, newest first', z.object({ items: z.array(enrolmentSchema) })),
  },
});

export function registerEnrolmentRoutes(app: App): void {
  app.openapi(list, async (c) => {
    const { db, now } = c.var.deps;
    return c.json({ items: await listEnrolments(db, now()) }, 200);
  });
}
