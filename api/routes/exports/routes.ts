/**
 * Issue #5 exports (admin, treasurer): Paheko "simplifié" CSV, sessions CSV, top-ups CSV and
 * the funders' attendance CSV, all for `?from=&to=` (SPEC §3 report ranges); and the
 * attendance report as JSON at GET /api/v1/reports/attendance.
 */
import { z } from '@hono/zod-openapi';
import { attendanceReport } from '../../../application/attendance.ts';
import { attendanceCsv } from '../../../application/attendance-csv.ts';
import { sessionsCsv, topupsCsv } from '../../../application/csv-exports.ts';
import { pahekoExport } from '../../../application/paheko.ts';
import type { App } from '../../http/context.ts';
import { MONEY } from '../../http/guard.ts';
import { defineRoute, jsonResponse } from '../../http/route.ts';
import { attachment, queryRange, rangeQuery } from './range.ts';

const tags = ['exports'];
const CSV = 'text/csv; charset=utf-8';
const csvResponse = (description: string) => ({
  200: { description, content: { 'text/csv': { schema: z.string() } } },
});
const minimumCount = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .optional()
  .openapi({ description: 'counts from 1 to this − 1 are suppressed (default 5)' });

const paheko = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/exports/paheko',
  tags,
  summary: 'Paheko "simplifié" CSV import file (one entry per session, top-up, refund, adjustment)',
  description:
    "Columns: Numéro d'écriture (empty), Date (DD/MM/YYYY), Type (Avancé), Compte de débit, Compte de crédit, " +
    'Montant (decimal comma), Libellé (machine and member names), Numéro pièce comptable ("session <id>" or our ' +
    'transaction id), Référence paiement, Remarques (VAT code of machine use). `;`-separated, UTF-8 with BOM. ' +
    "A session's minute debits are summed into one entry (issue #11); `detail=minute` writes one line per " +
    'ledger transaction instead, with the same totals. Account numbers: GET/PUT /api/v1/settings/accounting.',
  request: {
    query: z
      .object({
        ...rangeQuery,
        detail: z.enum(['event', 'minute']).optional().openapi({
          description: 'event (default): one entry per session; minute: one per ledger transaction',
        }),
      })
      .strict(),
  },
  responses: csvResponse('The CSV file, as an attachment'),
});

const sessions = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/exports/sessions',
  tags,
  summary: 'Machine sessions started in the range, as CSV (`;`, UTF-8 with BOM, French dates and amounts)',
  request: { query: z.object(rangeQuery).strict() },
  responses: csvResponse('The CSV file, as an attachment'),
});

const topups = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/exports/topups',
  tags,
  summary: 'Card top-ups and refunds in the range (reversals as negative amounts), as CSV',
  request: { query: z.object(rangeQuery).strict() },
  responses: csvResponse('The CSV file, as an attachment'),
});

const attendanceExport = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/exports/attendance',
  tags,
  summary:
    'Attendance for funders, per month (default), per day or per commune, as CSV; small counts left empty',
  request: {
    query: z
      .object({ ...rangeQuery, per: z.enum(['month', 'day', 'commune']).optional(), minimumCount })
      .strict(),
  },
  responses: csvResponse('The CSV file, as an attachment'),
});

const countOrNull = z.number().int().nullable();
const figures = z.object({
  visitors: countOrNull,
  visits: countOrNull,
  byCategory: z.record(z.string(), countOrNull),
  byAgeBand: z.record(z.string(), countOrNull),
  byGender: z
    .record(z.string(), countOrNull)
    .openapi({ description: 'woman, man, other, unknown (issue #11)' }),
  byResidence: z
    .record(z.string(), countOrNull)
    .openapi({ description: "inside, outside the lab's agglomeration, unknown (issue #11)" }),
  byCommune: z
    .array(z.object({ commune: z.string().nullable(), visitors: countOrNull }))
    .openapi({ description: 'visitors per commune as members gave it (null: not given), largest first' }),
  newMembers: countOrNull,
  returningMembers: countOrNull,
  sessionsByMachineKind: z
    .record(z.string(), countOrNull)
    .openapi({ description: 'machine sessions started; `door`: door entries (visits)' }),
});

const attendance = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/reports/attendance',
  tags: ['reports'],
  summary:
    'Attendance from door and machine badges: unique visitors per day and month, by category, age band, gender and residence',
  description:
    'Visitors are distinct members who badged (granted or not) at any reader; days are LAB_TIMEZONE days. ' +
    'New members: created in the period. Age: reached in the period’s year (minor < 18, 18-25, over-25). ' +
    'Counts from 1 to minimumCount − 1 are null, with a second cell hidden when one alone would be; ' +
    'months whose raw events were purged come from stored figures (`source: stored`).',
  request: { query: z.object({ ...rangeQuery, minimumCount }).strict() },
  responses: {
    200: jsonResponse(
      'The report',
      z
        .object({
          from: z.string(),
          to: z.string(),
          timeZone: z.string(),
          minimumCount: z.number().int(),
          complete: z.boolean(),
          agglomeration: z.string().nullable(),
          total: figures,
          months: z.array(
            figures.extend({ month: z.string(), source: z.enum(['events', 'stored']), partial: z.boolean() }),
          ),
          days: z.array(
            z.object({ date: z.string(), visitors: countOrNull, source: z.enum(['events', 'stored']) }),
          ),
        })
        .openapi('AttendanceReport'),
    ),
  },
});

export function registerExportRoutes(app: App): void {
  app.openapi(paheko, async (c) => {
    const { db, labTimeZone } = c.var.deps;
    const q = c.req.valid('query');
    const file = await pahekoExport(db, queryRange(q.from, q.to, labTimeZone), {
      timeZone: labTimeZone,
      ...(q.detail ? { detail: q.detail } : {}),
    });
    return attachment(file.content, file.filename, CSV) as never;
  });

  app.openapi(sessions, async (c) => {
    const { db, labTimeZone } = c.var.deps;
    const q = c.req.valid('query');
    const file = await sessionsCsv(db, queryRange(q.from, q.to, labTimeZone), { timeZone: labTimeZone });
    return attachment(file.content, file.filename, CSV) as never;
  });

  app.openapi(topups, async (c) => {
    const { db, labTimeZone } = c.var.deps;
    const q = c.req.valid('query');
    const file = await topupsCsv(db, queryRange(q.from, q.to, labTimeZone), { timeZone: labTimeZone });
    return attachment(file.content, file.filename, CSV) as never;
  });

  app.openapi(attendanceExport, async (c) => {
    const { db, labTimeZone } = c.var.deps;
    const q = c.req.valid('query');
    const file = await attendanceCsv(db, queryRange(q.from, q.to, labTimeZone), {
      timeZone: labTimeZone,
      ...(q.per ? { per: q.per } : {}),
      ...(q.minimumCount ? { minimumCount: q.minimumCount } : {}),
    });
    return attachment(file.content, file.filename, CSV) as never;
  });

  app.openapi(attendance, async (c) => {
    const { db, labTimeZone } = c.var.deps;
    const q = c.req.valid('query');
    const report = await attendanceReport(db, queryRange(q.from, q.to, labTimeZone), {
      timeZone: labTimeZone,
      ...(q.minimumCount ? { minimumCount: q.minimumCount } : {}),
    });
    return c.json(report, 200);
  });
}
