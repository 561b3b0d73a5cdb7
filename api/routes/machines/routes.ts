/** SPEC §3 /machines: create (409 on an existing id), read with live status, list, change. */
import { z } from '@hono/zod-openapi';
import {
  addMachine,
  changeMachine,
  confirmMachineCheck,
  reportMachineProblem,
  restoreMachineToService,
} from '../../../application/machine-use-cases.ts';
import { getMachine, listMachines } from '../../../application/machines.ts';
import { useCaseContext } from '../../../application/use-case.ts';
import { Problem } from '../../../web/problem.ts';
import type { App } from '../../http/context.ts';
import { ADMIN, STAFF } from '../../http/guard.ts';
import { defineRoute, jsonBody, jsonResponse } from '../../http/route.ts';
import { emptyBody } from '../members/schemas.ts';
import { createMachineBody, machineSchema, updateMachineBody } from './schemas.ts';

const tags = ['machines'];
const machineParam = z.object({ id: z.string().min(1).max(64) });

const create = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/machines',
  tags,
  summary: 'Create a machine',
  request: { body: jsonBody(createMachineBody) },
  responses: { 201: jsonResponse('The machine', machineSchema) },
});

const list = defineRoute(STAFF, {
  method: 'get',
  path: '/api/v1/machines',
  tags,
  summary: 'List machines with their live status',
  responses: { 200: jsonResponse('Machines', z.object({ items: z.array(machineSchema) })) },
});

const read = defineRoute(STAFF, {
  method: 'get',
  path: '/api/v1/machines/{id}',
  tags,
  summary: 'Read a machine: settings, online, inUse and the open sessionId',
  request: { params: machineParam },
  responses: { 200: jsonResponse('The machine', machineSchema) },
});

const update = defineRoute(ADMIN, {
  method: 'patch',
  path: '/api/v1/machines/{id}',
  tags,
  summary: 'Change a machine: pricing, policy, qualifications, state',
  description: 'Setting state `locked_out` while a session is open sends the board a `lock` command.',
  request: { params: machineParam, body: jsonBody(updateMachineBody) },
  responses: { 200: jsonResponse('The machine', machineSchema) },
});

const report = defineRoute(STAFF, {
  method: 'post',
  path: '/api/v1/machines/{id}/report',
  tags,
  summary: 'Report a problem: the machine goes into maintenance with the note',
  description:
    'Issue #6. The running session, if any, is not cut; the board refuses new sessions until the machine is restored.',
  request: {
    params: machineParam,
    body: jsonBody(
      z
        .object({ note: z.string().trim().max(500).optional().openapi({ example: 'Lentille sale' }) })
        .strict()
        .openapi('ReportProblem'),
      false,
    ),
  },
  responses: { 200: jsonResponse('The machine, in maintenance', machineSchema) },
});

const restore = defineRoute(STAFF, {
  method: 'post',
  path: '/api/v1/machines/{id}/restore',
  tags,
  summary: 'Put a machine back in service after maintenance',
  description:
    'Issue #6: only an admin, a trainer of one of its qualifications, or staff holding valid certifications for all of them (403 otherwise). Resets the running hours since maintenance.',
  request: { params: machineParam, body: jsonBody(emptyBody, false) },
  responses: { 200: jsonResponse('The machine, available', machineSchema) },
});

const check = defineRoute(STAFF, {
  method: 'post',
  path: '/api/v1/machines/{id}/check',
  tags,
  summary: 'Confirm the post-use check (clean bed, lens, chips) so the machine unlocks again',
  request: { params: machineParam, body: jsonBody(emptyBody, false) },
  responses: { 200: jsonResponse('The machine, its check confirmed', machineSchema) },
});

export function registerMachineRoutes(app: App): void {
  // Issue #12: the routes translate HTTP; the use cases write, audit, notify and lock.
  const ctxOf = (c: Parameters<Parameters<typeof app.openapi>[1]>[0]) =>
    useCaseContext(c.var.deps, c.var.principal);

  app.openapi(create, async (c) => c.json(await addMachine(ctxOf(c), c.req.valid('json')), 201));

  app.openapi(list, async (c) => c.json({ items: await listMachines(c.var.deps.db) }, 200));

  app.openapi(read, async (c) => c.json(await getMachine(c.var.deps.db, c.req.valid('param').id), 200));

  app.openapi(update, async (c) => {
    const input = { machineId: c.req.valid('param').id, patch: c.req.valid('json') };
    return c.json(await changeMachine(ctxOf(c), input), 200);
  });

  app.openapi(report, async (c) => {
    const body = c.req.valid('json') as { note?: string } | undefined;
    const input = { machineId: c.req.valid('param').id, note: body?.note };
    return c.json(await reportMachineProblem(ctxOf(c), input), 200);
  });

  app.openapi(restore, async (c) => {
    if (c.var.principal.kind !== 'staff')
      throw new Problem(403, 'Only staff may put a machine back in service.');
    return c.json(await restoreMachineToService(ctxOf(c), { machineId: c.req.valid('param').id }), 200);
  });

  app.openapi(check, async (c) =>
    c.json(await confirmMachineCheck(ctxOf(c), { machineId: c.req.valid('param').id }), 200),
  );
}
