/**
 * One FEC request, whoever asks (the API route, the dashboard's download, the CLI): either a
 * financial year (`year`, issue #11 item 6) or a `from`–`to` range (SPEC §3), with the
 * treasurer's settings (account numbers, SIREN, the year's first day) read here so no adapter
 * repeats it. Every option is checked with zod; a bad one is a FecRequestError naming it.
 */
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { FEC_CHARSETS, type FecFile, FecOptionsError, fecExport, fecYearExport } from './fec.ts';
import { FIRST_YEAR, LAST_YEAR } from './financial-year.ts';
import { parseReportRange, RangeInputError } from './report-range.ts';
import { accountingSettings } from './treasury-settings.ts';

export const fecRequestSchema = z
  .object({
    /** the financial year starting in that calendar year (the lab's `yearStart`) */
    year: z.coerce.number().int().min(FIRST_YEAR).max(LAST_YEAR).optional(),
    from: z.string().max(64).optional(),
    to: z.string().max(64).optional(),
    siren: z
      .string()
      .regex(/^\d{9}$/, 'the SIREN is 9 digits')
      .optional(),
    lineEnding: z.enum(['LF', 'CRLF']).optional(),
    charset: z.enum(FEC_CHARSETS).optional(),
    /** issue #11 item 4: one écriture per session (default) or per billed step */
    detail: z.enum(['event', 'minute']).optional(),
  })
  .strict();
export type FecRequest = z.infer<typeof fecRequestSchema>;

export class FecRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FecRequestError';
  }
}

export async function fecFile(
  db: DbOrTx,
  input: unknown,
  context: { timeZone: string; now?: Date },
): Promise<FecFile> {
  const parsed = fecRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'query';
    throw new FecRequestError(field, `${field}: ${issue.message}`);
  }
  const q = parsed.data;
  const settings = await accountingSettings(db);
  const siren = q.siren ?? settings.siren;
  const options = {
    timeZone: context.timeZone,
    accounts: settings,
    ...(siren ? { siren } : {}),
    ...(q.lineEnding ? { lineEnding: q.lineEnding } : {}),
    ...(q.charset ? { charset: q.charset } : {}),
    ...(q.detail ? { detail: q.detail } : {}),
    ...(context.now ? { now: context.now } : {}),
  };
  try {
    if (q.year !== undefined) {
      if (q.from !== undefined || q.to !== undefined) {
        throw new FecRequestError(
          'year',
          'give either year (a financial year) or from and to (a range), not both',
        );
      }
      return await fecYearExport(db, q.year, settings.yearStart, options);
    }
    let range: ReturnType<typeof parseReportRange>;
    try {
      range = parseReportRange(q.from, q.to, context.timeZone);
    } catch (e) {
      if (e instanceof RangeInputError) {
        throw new FecRequestError(e.field, `${e.message} (or give year, a financial year, instead)`);
      }
      throw e;
    }
    return await fecExport(db, range, options);
  } catch (e) {
    if (e instanceof FecOptionsError) throw new FecRequestError('query', e.message);
    throw e;
  }
}
