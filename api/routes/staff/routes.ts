/** SPEC §3 POST /staff and staff management (admin), passwords (admin or self). */
import { z } from '@hono/zod-openapi';
import { actorOf, type Principal } from '../../../application/auth.ts';
import { setPassword } from '../../../application/passwords.ts';
import { createStaff, getStaff, listStaff, updateStaff } from '../../../application/staff.ts';
import { STAFF_ROLES } from '../../../core/domain.ts';
import { Problem } from '../../../web/problem.ts';
import type { App } from '../../http/context.ts';
import { ADMIN } from '../../http/guard.ts';
import { defineRoute, idParam, jsonBody, jsonResponse, slug } from '../../http/route.ts';
import { email, name, passwordBody } from '../members/schemas.ts';
import { registerStaffTokenRoutes } from './tokens.ts';

const tags = ['staff'];

const roles = z.array(z.enum(STAFF_ROLES)).min(1, 'give at least one role: admin, trainer or treasurer');

const staffSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    roles: z.array(z.enum(STAFF_ROLES)),
    trainerOf: z.array(z.string()),
    memberId: z.string().nullable(),
    hasPassword: z.boolean(),
    disabledAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Staff');

const create = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/staff',
  tags,
  summary: 'Create a staff account and its API token (shown once)',
  request: {
    body: jsonBody(
      z
        .object({
          name,
          email,
          roles,
          trainerOf: z.array(slug).optional(),
          memberId: z
            .string()
            .min(1)
            .nullable()
            .optional()
            .openapi({ description: 'member record holding their badges' }),
        })
        .strict()
        .openapi('CreateStaff'),
    ),
  },
  responses: { 201: jsonResponse('The account and its token', staffSchema.extend({ token: z.string() })) },
});

const list = defineRoute(ADMIN, {
  method: 'get',
  path: '/api/v1/staff',
  tags,
  summary: 'List staff accounts',
  responses: { 200: jsonResponse('Staff accounts', z.object({ items: z.array(staffSchema) })) },
});

const read = defineRoute(
  { roles: ['admin', 'trainer', 'treasurer'] },
  {
    method: 'get',
    path: '/api/v1/staff/{id}',
    tags,
    summary: 'Read a staff account (admin, or the account itself)',
    request: { params: idParam },
    responses: { 200: jsonResponse('The account', staffSchema) },
  },
);

const update = defineRoute(ADMIN, {
  method: 'patch',
  path: '/api/v1/staff/{id}',
  tags,
  summary: 'Change roles, trainer qualifications, linked member, or disable an account',
  request: {
    params: idParam,
    body: jsonBody(
      z
        .object({
          name,
          email,
          roles,
          trainerOf: z.array(slug),
          memberId: z.string().min(1).nullable(),
          disabled: z.boolean(),
        })
        .partial()
        .strict()
        .openapi('UpdateStaff'),
    ),
  },
  responses: { 200: jsonResponse('The account', staffSchema) },
});

const password = defineRoute(
  { roles: ['admin', 'trainer', 'treasurer'] },
  {
    method: 'put',
    path: '/api/v1/staff/{id}/password',
    tags,
    summary: 'Set a staff dashboard password (admin, or the account itself)',
    request: { params: idParam, body: jsonBody(passwordBody) },
    responses: { 204: { description: 'Password set; the account’s web sessions are ended' } },
  },
);

export function assertAdminOrSelf(p: Principal, id: string): void {
  if (p.kind !== 'staff' || (!p.roles.includes('admin') && p.id !== id)) {
    throw new Problem(403, 'Only an admin may do this for another staff account.');
  }
}

export function registerStaffRoutes(app: App): void {
  app.openapi(create, async (c) => {
    const { db } = c.var.deps;
    return c.json(await createStaff(db, actorOf(c.var.principal), c.req.valid('json')), 201);
  });

  app.openapi(list, async (c) => c.json({ items: await listStaff(c.var.deps.db) }, 200));

  app.openapi(read, async (c) => {
    const { id } = c.req.valid('param');
    assertAdminOrSelf(c.var.principal, id);
    return c.json(await getStaff(c.var.deps.db, id), 200);
  });

  app.openapi(update, async (c) => {
    const { db, now } = c.var.deps;
    const { id } = c.req.valid('param');
    return c.json(await updateStaff(db, actorOf(c.var.principal), id, c.req.valid('json'), now()), 200);
  });

  app.openapi(password, async (c) => {
    const { db, now } = c.var.deps;
    const { id } = c.req.valid('param');
    const p = c.var.principal;
    assertAdminOrSelf(p, id);
    await setPassword(db, actorOf(p), { staffId: id }, c.req.valid('json').password, now());
    return c.body(null, 204);
  });

  registerStaffTokenRoutes(app);
}
