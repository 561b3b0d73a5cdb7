/** SPEC §3 GET /reports/cards and GET /exports/fec (admin, treasurer). */
import { z } from '@hono/zod-openapi';
import { FecOptionsError, fecExport } from '../../../application/fec.ts';
import { parseReportRange, RangeInputError, type ReportRange } from '../../../application/report-range.ts';
import { cardReport } from '../../../application/reports.ts';
import { accountingSettings } from '../../../application/treasury-settings.ts';
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
  request: {
    query: z
      .object({
        ...rangeQuery,
        siren: z
          .string()
          .regex(/^\d{9}$/, 'the SIREN is 9 digits')
          .optional()
          .openapi({ description: 'used in the file name' }),
        lineEnding: z.enum(['LF', 'CRLF']).optional(),
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
    const q = c.req.valid('query');
    const r = range(q.from, q.to, labTimeZone);
    try {
      // Issue #5: the account numbers and SIREN set in PUT /api/v1/settings/accounting.
      const accounts = await accountingSettings(db);
      const siren = q.siren ?? accounts.siren;
      const file = await fecExport(db, r, {
        timeZone: labTimeZone,
        accounts,
        ...(siren ? { siren } : {}),
        ...(q.lineEnding ? { lineEnding: q.lineEnding } : {}),
      });
      return c.text(file.content, 200, {
        'content-type': 'text/plain; charset=utf-8',
        'content-disposition': `attachment; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"`,
      });
    } catch (e) {
      if (e instanceof FecOptionsError) throw new Problem(400, e.message);
      throw e;
    }
  });
}
