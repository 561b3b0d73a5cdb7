/** `report` (issue #6): a problem reported from the board's button puts the machine in maintenance. */
import { handleReport } from '../../application/machine-loop/board-events.ts';
import { rejectInvalid, type TopicHandler } from './types.ts';

export const reportHandler: TopicHandler<'report', boolean> = {
  kind: 'report',
  handle: (ctx, machineId, event) => handleReport(ctx.db, machineId, event, ctx.now()),
  async effects(ctx, machineId, event, applied) {
    ctx.ack(machineId, 'report', event.eventId, 'stored');
    if (!applied) return;
    ctx.log('info', 'problem reported from the board', { machineId });
    ctx.allowListsChanged();
  },
  invalid: rejectInvalid('report'),
};
