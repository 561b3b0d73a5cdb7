/** SPEC §3 /machines: create (409 on an existing id), read with live status, list, change. */
import { z } from '@hono/zod-openapi';
import type { App } from '../../http/context.ts';
import { ADMIN, STAFF } from '../../http/guard.ts';
import { defineRoute, jsonBody, jsonResponse } from '../../http/route.ts';
import { actorOf } from '../../services/auth.ts';
import { createMachine, getMachine, listMachines, updateMachine } from '../../services/machines.ts';
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

export function registerMachineRoutes(app: App): void {
  app.openapi(create, async (c) => {
    const { db, loop } = c.var.deps;
    const machine = await createMachine(db, actorOf(c.var.principal), c.req.valid('json'));
    loop.changed({ machineIds: [machine.id] });
    return c.json(machine, 201);
  });

  app.openapi(list, async (c) => c.json({ items: await listMachines(c.var.deps.db) }, 200));

  app.openapi(read, async (c) => c.json(await getMachine(c.var.deps.db, c.req.valid('param').id), 200));

  app.openapi(update, async (c) => {
    const { db, loop, now } = c.var.deps;
    const { id } = c.req.valid('param');
    const machine = await updateMachine(db, actorOf(c.var.principal), id, c.req.valid('json'), now());
    loop.changed({ machineIds: [id] });
    // SPEC §2: a machine locked out stops its session.
    if (machine.state === 'locked_out' && machine.sessionId !== undefined) {
      await loop.lock(id, 'locked_out', machine.sessionId);
    }
    return c.json(machine, 200);
  });
}
