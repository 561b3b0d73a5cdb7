/** Report-range query parameters (SPEC §3: from inclusive, to exclusive) shared by issue #5 routes. */
import { z } from '@hono/zod-openapi';
import { parseReportRange, RangeInputError, type ReportRange } from '../../../application/report-range.ts';
import { fieldError, Problem } from '../../../web/problem.ts';

const bound = (what: string) =>
  z
    .string()
    .max(64)
    .optional()
    .openapi({
      description: `${what}: an ISO-8601 date (midnight in LAB_TIMEZONE) or date-time`,
      example: '2026-03-01',
    });

export const rangeQuery = { from: bound('start, inclusive'), to: bound('end, exclusive') };

export function queryRange(from: string | undefined, to: string | undefined, timeZone: string): ReportRange {
  try {
    return parseReportRange(from, to, timeZone);
  } catch (e) {
    if (e instanceof RangeInputError)
      throw new Problem(400, e.message, [fieldError('query', [e.field], e.message)]);
    throw e;
  }
}

/** An attachment answer: the file name is made safe for the header. */
export function attachment(content: string, filename: string, type: string): Response {
  return new Response(content, {
    status: 200,
    headers: {
      'content-type': type,
      'content-disposition': `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    },
  });
}
