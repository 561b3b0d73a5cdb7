/**
 * The lab's agglomeration for funders' attendance figures (issue #11): GET for staff who read
 * money reports, PUT for admins; the use case is application/attendance-settings.ts.
 */
import { z } from '@hono/zod-openapi';
import { attendanceSettings, saveAttendanceSettings } from '../../../application/attendance-settings.ts';
import { useCaseContext } from '../../../application/use-case.ts';
import type { App } from '../../http/context.ts';
import { ADMIN, MONEY } from '../../http/guard.ts';
import { defineRoute, jsonBody, jsonResponse } from '../../http/route.ts';

const tags = ['settings'];

const body = z
  .object({
    agglomeration: z
      .string()
      .trim()
      .min(1)
      .max(120)
      .nullable()
      .openapi({ description: 'e.g. "Amiens Métropole"; null: not named', example: 'Amiens Métropole' }),
  })
  .strict()
  .openapi('AttendanceSettings');

const get = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/settings/attendance',
  tags,
  summary: "The lab's agglomeration that members' residence (inside/outside) refers to",
  responses: { 200: jsonResponse('Settings', body) },
});

const put = defineRoute(ADMIN, {
  method: 'put',
  path: '/api/v1/settings/attendance',
  tags,
  summary: "Name the lab's agglomeration for the attendance report (issue #11)",
  request: { body: jsonBody(body) },
  responses: { 200: jsonResponse('Settings now', body) },
});

export function registerAttendanceSettingsRoutes(app: App): void {
  app.openapi(get, async (c) => c.json(await attendanceSettings(c.var.deps.db), 200));
  app.openapi(put, async (c) =>
    c.json(
      await saveAttendanceSettings(useCaseContext(c.var.deps, c.var.principal), c.req.valid('json')),
      200,
    ),
  );
}
