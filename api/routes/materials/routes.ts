/** Issue #6 /materials: consumables priced per unit (grams of filament, ml of resin, sheets). */
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../../application/auth.ts';
import { createMaterial, listMaterials, updateMaterial } from '../../../application/lab-practices.ts';
import type { App } from '../../http/context.ts';
import { ADMIN, STAFF } from '../../http/guard.ts';
import { defineRoute, jsonBody, jsonResponse, slug } from '../../http/route.ts';
import { name } from '../members/schemas.ts';

const tags = ['materials'];
const materialParam = z.object({ id: z.string().min(1).max(64) });

const unit = z.string().trim().min(1).max(20).openapi({ example: 'g', description: 'g, ml, feuille…' });
const price = z.number().int().min(0).max(1_000_000).openapi({ description: 'price of one unit, in cents' });

export const materialSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    unit: z.string(),
    pricePerUnitCents: z.number().int(),
    active: z.boolean().openapi({ description: 'false: no longer offered; past uses keep it' }),
    createdAt: z.string(),
  })
  .openapi('Material');

const create = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/materials',
  tags,
  summary: 'Create a material',
  request: {
    body: jsonBody(
      z
        .object({ id: slug.openapi({ example: 'pla' }), name, unit, pricePerUnitCents: price })
        .strict()
        .openapi('CreateMaterial'),
    ),
  },
  responses: { 201: jsonResponse('The material', materialSchema) },
});

const list = defineRoute(STAFF, {
  method: 'get',
  path: '/api/v1/materials',
  tags,
  summary: 'List materials (active and inactive)',
  responses: { 200: jsonResponse('Materials', z.object({ items: z.array(materialSchema) })) },
});

const update = defineRoute(ADMIN, {
  method: 'patch',
  path: '/api/v1/materials/{id}',
  tags,
  summary: 'Change a material: name, unit, price, or deactivate it',
  description: 'A new price applies to uses recorded from now on; past uses keep their amount.',
  request: {
    params: materialParam,
    body: jsonBody(
      z
        .object({ name, unit, pricePerUnitCents: price, active: z.boolean() })
        .partial()
        .strict()
        .openapi('UpdateMaterial'),
    ),
  },
  responses: { 200: jsonResponse('The material', materialSchema) },
});

export function registerMaterialRoutes(app: App): void {
  app.openapi(create, async (c) => {
    const material = await createMaterial(c.var.deps.db, actorOf(c.var.principal), c.req.valid('json'));
    return c.json(material, 201);
  });

  app.openapi(list, async (c) => c.json({ items: await listMaterials(c.var.deps.db) }, 200));

  app.openapi(update, async (c) => {
    const { id } = c.req.valid('param');
    const material = await updateMaterial(c.var.deps.db, actorOf(c.var.principal), id, c.req.valid('json'));
    return c.json(material, 200);
  });
}
