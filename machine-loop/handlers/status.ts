/** `status` and wills (SPEC §2): presence, see ../presence.ts. */
import { applyStatus } from '../presence.ts';
import { summarise, type TopicHandler } from './types.ts';

export const statusHandler: TopicHandler<'status', void> = {
  kind: 'status',
  handle: (ctx, machineId, status) =>
    applyStatus(ctx.db, machineId, status, ctx.now(), ctx.presenceFromBroker),
  effects: async () => {},
  async invalid(ctx, machineId, _json, error) {
    ctx.log('warn', 'invalid status message', { machineId, issues: summarise(error) });
  },
};
