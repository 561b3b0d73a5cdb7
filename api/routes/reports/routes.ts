/** SPEC §3 GET /reports/cards and GET /exports/fec (admin, treasurer). */
import { z } from '@hono/zod-openapi';
import { FEC_CHARSETS } from '../../../application/fec.ts';
import { FecRequestError, fecFile } from '../../../application/fec-request.ts';
import { FIRST_YEAR, LAST_YEAR } from '../../../application/financial-year.ts';
import { parseReportRange, RangeInputError, type ReportRange } from '../../../application/report-range.ts';
import { cardReport } from '../../../application/reports.ts';
import { fieldError, Problem } from '../../../web/problem.ts';
import type { App } from '../../http/context.ts';
import { MONEY } from '../../http/guard.ts';
import { defineRoute, jsonResponse } from '../../http/route.ts';

const tags = ['reports'];

const bound = (what: string) =>
  z
    .string()
    .max(64)
    .optional()
    .openapi({
      description: `${what}: an ISO-8601 date (midnight in LAB_TIMEZONE) or date-time`,
      example: '2026-03-01',
    });
const rangeQuery = { from: bound('start, inclusive'), to: bound('end, exclusive') };

function range(from: string | undefined, to: string | undefined, timeZone: string): ReportRange {
  try {
    return parseReportRange(from, to, timeZone);
  } catch (e) {
    if (e instanceof RangeInputError)
      throw new Problem(400, e.message, [fieldError('query', [e.field], e.message)]);
    throw e;
  }
}

const cards = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/reports/cards',
  tags,
  summary: 'Machine-card report: liability, top-ups, usage, materials, refunds, adjustments, per machine',
  request: { query: z.object(rangeQuery).strict() },
  responses: {
    200: jsonResponse(
      'The report',
      z
        .object({
          from: z.string(),
          to: z.string(),
          openingLiabilityCents: z.number().int(),
          topupsCents: z.number().int(),
          usageCents: z.number().int().openapi({ description: 'machine use, materials excluded' }),
          materialsCents: z
            .number()
            .int()
            .openapi({ description: 'materials sold in sessions (issue #11), net of reversals' }),
          refundsCents: z.number().int(),
          adjustmentsCents: z.number().int(),
          closingLiabilityCents: z.number().int(),
          byMachine: z.array(
            z
              .object({
                machineId: z.string(),
                usageCents: z.number().int(),
                materialsCents: z.number().int(),
                runningSeconds: z.number().int(),
                sessions: z.number().int(),
              })
              .passthrough(),
          ),
        })
        .passthrough()
        .openapi('CardReport'),
    ),
  },
});

const fec = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/exports/fec',
  tags,
  summary: 'French FEC export (18 tab-separated columns, header line)',
  description:
    "Either `year` (issue #11): the FEC of the financial year starting in that calendar year on the lab's " +
    '`yearStart` (PUT /api/v1/settings/accounting, default 01-01): the à-nouveaux first (journal AN), then the ' +
    "year's écritures, named `SirenFECAAAAMMJJ.txt` with the year's closing date. Or `from` and `to` (SPEC): the " +
    "range's écritures only, no à-nouveaux, named after its last day: not a year's FEC. EcritureNum runs 1, 2, 3… " +
    "over the whole file. ValidDate: the day the écriture's month was closed, else the export date (then " +
    '`X-Fec-Provisional: true`). `charset=iso-8859-15` writes the file in ISO 8859-15, labels fitted to it.',
  request: {
    query: z
      .object({
        ...rangeQuery,
        year: z
          .string()
          .regex(/^\d{4}$/, 'a year such as 2026')
          .optional()
          .openapi({
            description: `financial year (${FIRST_YEAR}–${LAST_YEAR}), instead of from/to`,
            example: '2026',
          }),
        siren: z
          .string()
          .regex(/^\d{9}$/, 'the SIREN is 9 digits')
          .optional()
          .openapi({ description: 'used in the file name' }),
        lineEnding: z.enum(['LF', 'CRLF']).optional(),
        charset: z
          .enum(FEC_CHARSETS)
          .optional()
          .openapi({ description: 'utf-8 (default) or iso-8859-15 (LPF art. A47 A-1, XII 1°)' }),
        detail: z.enum(['event', 'minute']).optional().openapi({
          description:
            'event (default): one écriture per session, top-up, refund…; minute: one per billed step',
        }),
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'The FEC file, as an attachment',
      content: { 'text/plain': { schema: z.string() } },
    },
  },
});

export function registerReportRoutes(app: App): void {
  app.openapi(cards, async (c) => {
    const { db, labTimeZone } = c.var.deps;
    const q = c.req.valid('query');
    const report = await cardReport(db, range(q.from, q.to, labTimeZone));
    return c.json(report, 200);
  });

  app.openapi(fec, async (c) => {
    const { db, labTimeZone } = c.var.deps;
    try {
      // Issue #5/#11: the account numbers, SIREN and year start set in PUT /api/v1/settings/accounting.
      const file = await fecFile(db, c.req.valid('query'), { timeZone: labTimeZone });
      return new Response(file.bytes, {
        status: 200,
        headers: {
          'content-type': `text/plain; charset=${file.charset}`,
          'content-disposition': `attachment; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
          'x-fec-provisional': String(file.provisional),
        },
      }) as never;
    } catch (e) {
      if (e instanceof FecRequestError) {
        const field = ['from', 'to', 'year', 'siren', 'lineEnding', 'charset', 'detail'].includes(e.field)
          ? e.field
          : 'query';
        throw new Problem(400, e.message, [fieldError('query', [field], e.message)]);
      }
      throw e;
    }
  });
}
