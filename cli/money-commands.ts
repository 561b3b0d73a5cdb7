/** CLI commands for the treasurer (issue #5): exports, month close, HelloAsso sync. */
import { z } from 'zod';
import { attendanceCsv } from '../application/attendance-csv.ts';
import { sessionsCsv, topupsCsv } from '../application/csv-exports.ts';
import { fecExport } from '../application/fec.ts';
import { clientFor, syncPayments } from '../application/helloasso/sync.ts';
import { pahekoExport } from '../application/paheko.ts';
import { closePeriod } from '../application/periods.ts';
import { parseReportRange, RangeInputError } from '../application/report-range.ts';
import { accountingSettings, helloassoSettings } from '../application/treasury-settings.ts';
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
  usage: `export <${KINDS.join('|')}> --from 2026-03-01 --to 2026-04-01 [--out file]`,
  summary: 'Accounting and funder exports (FEC, Paheko simplifié CSV, sessions, top-ups, attendance)',
  options: {
    ...rangeOptions,
    siren: { type: 'string', help: 'fec: the SIREN used in the file name (9 digits)' },
    crlf: { type: 'boolean', help: 'fec: end lines with CRLF' },
    per: { type: 'string', help: 'attendance: month (default) or day' },
    detail: { type: 'string', help: 'paheko: event (default, one entry per session) or minute' },
  },
  async run(ctx, [kind], values) {
    const parsed = z.enum(KINDS).safeParse(kind);
    if (!parsed.success) throw new UsageError(`export what? one of ${KINDS.join(', ')}`);
    const r = range(ctx, values);
    const tz = ctx.env.LAB_TIMEZONE;
    let file: { filename: string; content: string };
    switch (parsed.data) {
      case 'fec': {
        const siren = typeof values.siren === 'string' ? values.siren : undefined;
        if (siren !== undefined && !/^\d{9}$/.test(siren)) throw new UsageError('--siren is 9 digits');
        const accounts = await accountingSettings(ctx.db);
        const fileSiren = siren ?? accounts.siren;
        file = await fecExport(ctx.db, r, {
          timeZone: tz,
          accounts,
          ...(fileSiren ? { siren: fileSiren } : {}),
          ...(values.crlf ? { lineEnding: 'CRLF' as const } : {}),
        });
        break;
      }
      case 'paheko': {
        const detail = z.enum(['event', 'minute']).optional().safeParse(values.detail);
        if (!detail.success) throw new UsageError('--detail is event or minute');
        file = await pahekoExport(ctx.db, r, {
          timeZone: tz,
          ...(detail.data ? { detail: detail.data } : {}),
        });
        break;
      }
      case 'sessions':
        file = await sessionsCsv(ctx.db, r, { timeZone: tz });
        break;
      case 'topups':
        file = await topupsCsv(ctx.db, r, { timeZone: tz });
        break;
      case 'attendance': {
        const per = values.per ?? 'month';
        if (per !== 'month' && per !== 'day') throw new UsageError('--per is month or day');
        file = await attendanceCsv(ctx.db, r, { timeZone: tz, per });
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
