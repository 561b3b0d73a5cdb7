/**
 * `accounting`: show or change the accounting settings from a terminal (issue #11), through
 * the same use case as PUT /api/v1/settings/accounting and the dashboard page.
 */
import { readAccounting, updateAccounting } from '../application/accounting-settings.ts';
import { useCases } from './card-commands.ts';
import { type Command, UsageError } from './command.ts';

export const accountingCommand: Command = {
  name: 'accounting',
  usage: `accounting [--set '{"chart":"pca-2018","cash":"531"}']`,
  summary: 'Show, or change (--set, JSON as PUT /settings/accounting), the chart and account numbers',
  options: {
    set: { type: 'string', help: 'the fields to change, as JSON; accounts are checked against the chart' },
  },
  async run(ctx, _positionals, values) {
    if (typeof values.set !== 'string') {
      ctx.out(JSON.stringify(await readAccounting(ctx.db), null, 2));
      return;
    }
    let patch: unknown;
    try {
      patch = JSON.parse(values.set);
    } catch {
      throw new UsageError('--set takes JSON, e.g. \'{"cash":"531"}\'');
    }
    const after = await updateAccounting(await useCases(ctx), patch);
    ctx.say(`accounting settings saved (chart: ${after.chartName})`);
    ctx.out(JSON.stringify(after, null, 2));
  },
};
