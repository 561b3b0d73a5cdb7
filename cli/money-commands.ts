/** CLI commands for the treasurer (issue #5): exports, month close, HelloAsso sync. */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { attendanceCsv } from '../application/attendance-csv.ts';
import { sessionsCsv, topupsCsv } from '../application/csv-exports.ts';
import { FecRequestError, fecFile } from '../application/fec-request.ts';
import { clientFor, syncPayments } from '../application/helloasso/sync.ts';
import { pahekoExport } from '../application/paheko.ts';
import { closePeriod } from '../application/periods.ts';
import { parseReportRange, RangeInputError } from '../application/report-range.ts';
import { helloassoSettings } from '../application/treasury-settings.ts';
import { helloassoEnv } from '../server/env.ts';
import { type CliContext, type Command, emit, need, UsageError } from './command.ts';

function range(ctx: CliContext, values: Record<string, string | boolean | undefined>) {
  try {
    return parseReportRange(need(values, 'from'), need(values, 'to'), ctx.env.LAB_TIMEZONE);
  } catch (e) {
    if (e instanceof RangeInputError) throw new UsageError(`--${e.field}: ${e.message}`);
    throw e;
  }
}

const rangeOptions = {
  from: { type: 'string', help: 'start, inclusive: 2026-03-01 (midnight in LAB_TIMEZONE) or a date-time' },
  to: { type: 'string', help: 'end, exclusive: 2026-04-01' },
  out: { type: 'string', help: 'write to this file instead of stdout' },
} as const;

const KINDS = ['fec', 'paheko', 'sessions', 'topups', 'attendance'] as const;

export const exportCommand: Command = {
  name: 'export',
  usage: `export <${KINDS.join('|')}> --from 2026-03-01 --to 2026-04-01 [--out file]  (fec: or --year 2026)`,
  summary: 'Accounting and funder exports (FEC, Paheko simplifié CSV, sessions, top-ups, attendance)',
  options: {
    ...rangeOptions,
    siren: { type: 'string', help: 'fec: the SIREN used in the file name (9 digits)' },
    crlf: { type: 'boolean', help: 'fec: end lines with CRLF' },
    year: { type: 'string', help: 'fec: the financial year starting in that year (instead of --from/--to)' },
    charset: { type: 'string', help: 'fec: utf-8 (default) or iso-8859-15' },
    per: { type: 'string', help: 'attendance: month (default) or day' },
    detail: { type: 'string', help: 'paheko, fec: event (default, one entry per session) or minute' },
  },
  async run(ctx, [kind], values) {
    const parsed = z.enum(KINDS).safeParse(kind);
    if (!parsed.success) throw new UsageError(`export what? one of ${KINDS.join(', ')}`);
    // --year instead of --from/--to is the FEC's alone: the range is read where it is needed.
    const r = () => range(ctx, values);
    const tz = ctx.env.LAB_TIMEZONE;
    let file: { filename: string; content: string };
    switch (parsed.data) {
      case 'fec': {
        // The API's request (issue #11): a financial year, or a range; settings read there.
        const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
        const query = Object.fromEntries(
          Object.entries({
            year: str('year'),
            from: str('from'),
            to: str('to'),
            siren: str('siren'),
            charset: str('charset'),
            detail: str('detail'),
            lineEnding: values.crlf ? 'CRLF' : undefined,
          }).filter(([, v]) => v !== undefined),
        );
        try {
          const fec = await fecFile(ctx.db, query, { timeZone: tz });
          if (typeof values.out === 'string' && values.out !== '') {
            writeFileSync(values.out, fec.bytes);
            ctx.say(`fec export (suggested name ${fec.filename}) written to ${values.out}`);
          } else if (fec.charset !== 'utf-8') {
            throw new UsageError('--charset iso-8859-15 writes bytes: give --out <file>');
          } else {
            ctx.out(fec.content);
          }
        } catch (e) {
          if (e instanceof FecRequestError) throw new UsageError(`--${e.field}: ${e.message}`);
          throw e;
        }
        return;
      }
      case 'paheko': {
        const detail = z.enum(['event', 'minute']).optional().safeParse(values.detail);
        if (!detail.success) throw new UsageError('--detail is event or minute');
        file = await pahekoExport(ctx.db, r(), {
          timeZone: tz,
          ...(detail.data ? { detail: detail.data } : {}),
        });
        break;
      }
      case 'sessions':
        file = await sessionsCsv(ctx.db, r(), { timeZone: tz });
        break;
      case 'topups':
        file = await topupsCsv(ctx.db, r(), { timeZone: tz });
        break;
      case 'attendance': {
        const per = values.per ?? 'month';
        if (per !== 'month' && per !== 'day') throw new UsageError('--per is month or day');
        file = await attendanceCsv(ctx.db, r(), { timeZone: tz, per });
        break;
      }
      default:
        throw new UsageError(`export what? one of ${KINDS.join(', ')}`);
    }
    emit(ctx, file.content, values.out, `${parsed.data} export (suggested name ${file.filename})`);
  },
};

export const closeMonthCommand: Command = {
  name: 'close-month',
  usage: 'close-month <YYYY-MM> [--force --reason "…"]',
  summary: 'Close a month once its card report balances; nothing may be dated in it afterwards',
  options: {
    force: { type: 'boolean', help: 'close although the report has discrepancies (needs --reason)' },
    reason: { type: 'string', help: 'why the month is closed with discrepancies' },
  },
  async run(ctx, [period], values) {
    if (!period) throw new UsageError('which month? e.g. close-month 2026-03');
    const closed = await closePeriod(
      ctx.db,
      'cli',
      {
        period,
        force: values.force === true,
        reason: typeof values.reason === 'string' ? values.reason : undefined,
      },
      { timeZone: ctx.env.LAB_TIMEZONE, now: ctx.now },
    );
    ctx.say(
      `${closed.period} closed${closed.forced ? ' (forced)' : ''}: members held ${(closed.closingLiabilityCents ?? 0) / 100} € at its end`,
    );
    ctx.out(JSON.stringify({ ...closed, report: undefined }, null, 2));
  },
};

export const helloassoSyncCommand: Command = {
  name: 'helloasso-sync',
  usage: 'helloasso-sync --from 2026-03-01 --to 2026-04-01',
  summary:
    'Fetch the machine-card form’s HelloAsso payments updated over a period and apply what was missed (credits, refunds, chargebacks)',
  options: { from: rangeOptions.from, to: rangeOptions.to },
  async run(ctx, _positionals, values) {
    const r = range(ctx, values);
    const settings = await helloassoSettings(ctx.db, helloassoEnv(ctx.env));
    const { memberIds: _moved, ...result } = await syncPayments(
      ctx.db,
      clientFor(settings),
      settings,
      r,
      ctx.now,
      (seen) => {
        if (seen % 20 === 0) ctx.say(`… ${seen} payments looked at`);
      },
    );
    ctx.say(
      `${result.seen} payments: ${result.credited} credited, ${result.refunded} refunded, ${result.contested} contested, ${result.reversed} with credit taken back, ${result.unmatched} waiting for the treasurer, ${result.unchanged} unchanged`,
    );
    ctx.out(JSON.stringify(result));
  },
};
