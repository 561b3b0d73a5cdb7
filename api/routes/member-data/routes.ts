/**
 * Member data (issue #5): importing the team's spreadsheet (admin), GDPR export (admin or the
 * member themself) and erasure (admin), and the badge-event retention purge (admin).
 */
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../../application/auth.ts';
import { eraseMemberData, exportMemberData } from '../../../application/gdpr.ts';
import { commitImport, ImportRejectedError, previewImport } from '../../../application/member-import.ts';
import { purgeBadgeEvents } from '../../../application/retention.ts';
import { useCaseContext } from '../../../application/use-case.ts';
import { fieldError, Problem } from '../../../web/problem.ts';
import type { App } from '../../http/context.ts';
import { ADMIN } from '../../http/guard.ts';
import { defineRoute, idParam, jsonBody, jsonResponse } from '../../http/route.ts';

const csvBody = jsonBody(
  z
    .object({
      csv: z.string().min(1, 'paste the CSV file’s content').openapi({
        description:
          "The spreadsheet as CSV text: header Nom;Prénom;Email;Catégorie;Année de naissance;Adhésion jusqu'au (';' or ',', BOM tolerated). Larger files: the CLI.",
      }),
    })
    .strict()
    .openapi('MemberImport'),
);

const rowError = z.object({
  line: z.number().int(),
  field: z.string(),
  code: z.string().openapi({ description: 'what is wrong, for translation (email_invalid, date_invalid…)' }),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  detail: z.string(),
});
const previewSchema = z
  .object({
    rows: z.number().int(),
    valid: z.number().int(),
    created: z.number().int(),
    updated: z.number().int().openapi({ description: 'existing members (by e-mail) the file changes' }),
    unchanged: z.number().int(),
    errors: z.array(rowError),
    members: z.array(
      z.object({
        line: z.number().int(),
        name: z.string(),
        email: z.string(),
        category: z.string().nullable(),
        birthYear: z.number().int().nullable(),
        membershipValidUntil: z.string().nullable(),
        action: z.enum(['create', 'update', 'unchanged']),
        memberId: z.string().nullable(),
        gender: z.string().nullable(),
        residenceCommune: z.string().nullable(),
        residenceArea: z.string().nullable(),
        changes: z.array(
          z.enum([
            'name',
            'category',
            'birthYear',
            'gender',
            'residenceCommune',
            'residenceArea',
            'membershipValidUntil',
          ]),
        ),
      }),
    ),
    ignoredColumns: z.array(z.string()),
  })
  .openapi('MemberImportPreview');

const preview = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/imports/members/preview',
  tags: ['members'],
  summary: 'Check a member spreadsheet (CSV): every row’s errors, nothing written',
  request: { body: csvBody },
  responses: { 200: jsonResponse('What an import would do', previewSchema) },
});

const commit = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/imports/members/commit',
  tags: ['members'],
  summary:
    'Import a member spreadsheet: creates new e-mails, updates (renews) existing members by e-mail; all rows or none (422 with the preview when a row is invalid)',
  request: { body: csvBody },
  responses: {
    201: jsonResponse(
      'Imported',
      z.object({
        created: z.number().int(),
        updated: z.number().int(),
        unchanged: z.number().int(),
        ids: z.array(z.string()),
        updatedIds: z.array(z.string()),
      }),
    ),
    422: jsonResponse('Some rows are invalid: nothing was written', previewSchema),
  },
});

const exportRoute = defineRoute(
  { roles: [], selfParam: 'id' },
  {
    method: 'get',
    path: '/api/v1/members/{id}/data-export',
    tags: ['members'],
    summary: 'GDPR: everything held about a member, as JSON (badges as their last 4 hex digits)',
    request: { params: idParam },
    responses: { 200: jsonResponse('The member’s data', z.record(z.string(), z.unknown())) },
  },
);

const erase = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/members/{id}/erase',
  tags: ['members'],
  summary: 'GDPR: pseudonymise a member (identity, badges, tokens, password) and keep the ledger',
  description:
    'Irreversible. Send `{"confirm": "<member id>"}`. Refused while the member has a session open.',
  request: {
    params: idParam,
    body: jsonBody(
      z
        .object({ confirm: z.string().min(1).max(200) })
        .strict()
        .openapi('EraseMember'),
    ),
  },
  responses: {
    200: jsonResponse(
      'Erased',
      z.object({
        id: z.string(),
        erasedAt: z.string(),
        badgesRevoked: z.number().int(),
        badgeEventsAnonymised: z.number().int(),
      }),
    ),
  },
});

const purge = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/maintenance/purge-badge-events',
  tags: ['members'],
  summary: 'Run the retention job now: delete raw badge events older than the retention period',
  description:
    'Attendance figures of the purged days and months are stored first; sessions and the ledger are kept. ' +
    'The server also runs this once a day.',
  request: {
    body: jsonBody(z.object({ days: z.number().int().min(1).max(3650).optional() }).strict(), false),
  },
  responses: {
    200: jsonResponse(
      'Purged',
      z.object({
        cutoff: z.string(),
        retentionDays: z.number().int(),
        deletedEvents: z.number().int(),
        storedDays: z.number().int(),
        storedMonths: z.number().int(),
      }),
    ),
  },
});

export function registerMemberDataRoutes(app: App): void {
  app.openapi(preview, async (c) => {
    const { db, labTimeZone, now } = c.var.deps;
    return c.json(
      await previewImport(db, c.req.valid('json').csv, { timeZone: labTimeZone, now: now() }),
      200,
    );
  });

  app.openapi(commit, async (c) => {
    try {
      const result = await commitImport(useCaseContext(c.var.deps, c.var.principal), c.req.valid('json'));
      return c.json(result, 201);
    } catch (e) {
      if (e instanceof ImportRejectedError) return c.json(e.preview, 422);
      throw e;
    }
  });

  app.openapi(exportRoute, async (c) => {
    const { db, now } = c.var.deps;
    const { id } = c.req.valid('param');
    const data = await exportMemberData(db, id, now());
    c.header(
      'content-disposition',
      `attachment; filename="member-${id.replace(/[^A-Za-z0-9-]/g, '_')}.json"`,
    );
    return c.json(JSON.parse(JSON.stringify(data)) as Record<string, unknown>, 200);
  });

  app.openapi(erase, async (c) => {
    const { id } = c.req.valid('param');
    if (c.req.valid('json').confirm !== id) {
      throw new Problem(400, 'Erasure is irreversible: send {"confirm": "<the member id>"} to confirm it.', [
        fieldError('body', ['confirm'], 'must be the member id'),
      ]);
    }
    const result = await eraseMemberData(useCaseContext(c.var.deps, c.var.principal), { memberId: id });
    return c.json(result, 200);
  });

  app.openapi(purge, async (c) => {
    const { db, now, labTimeZone } = c.var.deps;
    const body = (c.req.valid('json') as { days?: number } | undefined) ?? {};
    const result = await purgeBadgeEvents(db, {
      now: now(),
      timeZone: labTimeZone,
      actor: actorOf(c.var.principal),
      ...(body.days ? { days: body.days } : {}),
    });
    return c.json(result, 200);
  });
}
