/** SPEC §3 POST /qualifications, and the list staff pick from. */
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../../application/auth.ts';
import { createQualification, listQualifications } from '../../../application/qualifications.ts';
import type { App } from '../../http/context.ts';
import { ADMIN, STAFF } from '../../http/guard.ts';
import { defineRoute, jsonBody, jsonResponse, slug } from '../../http/route.ts';
import { name } from '../members/schemas.ts';

const tags = ['qualifications'];

const qualificationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    validityDays: z.number().int(),
    lapseAfterUnusedDays: z.number().int().nullable(),
    prerequisites: z.array(z.string()),
    createdAt: z.string(),
  })
  .openapi('Qualification');

const create = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/qualifications',
  tags,
  summary: 'Create a qualification',
  description: 'Its name is unique, ignoring case and spaces: another "Découpe laser" answers 409.',
  request: {
    body: jsonBody(
      z
        .object({
          id: slug.openapi({ example: 'laser-basic' }),
          name,
          validityDays: z.number().int().min(1).max(36_500),
          lapseAfterUnusedDays: z.number().int().min(1).max(36_500).nullable().optional().openapi({
            description: 'a certification lapses after this many days without using a machine needing it',
          }),
          prerequisites: z.array(slug).max(50).optional().openapi({
            description: 'qualifications a member must hold (valid) before being certified for this one',
          }),
        })
        .strict()
        .openapi('CreateQualification'),
    ),
  },
  responses: { 201: jsonResponse('The qualification', qualificationSchema) },
});

const list = defineRoute(STAFF, {
  method: 'get',
  path: '/api/v1/qualifications',
  tags,
  summary: 'List qualifications',
  responses: { 200: jsonResponse('Qualifications', z.object({ items: z.array(qualificationSchema) })) },
});

export function registerQualificationRoutes(app: App): void {
  app.openapi(create, async (c) => {
    const { db } = c.var.deps;
    return c.json(await createQualification(db, actorOf(c.var.principal), c.req.valid('json')), 201);
  });
  app.openapi(list, async (c) => c.json({ items: await listQualifications(c.var.deps.db) }, 200));
}
