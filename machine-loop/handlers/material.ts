/** `material` (issue #6): consumables charged on the session's card, each eventId once. */
import { handleMaterial } from '../../application/machine-loop/board-events.ts';
import { rejectInvalid, type TopicHandler } from './types.ts';

export const materialHandler: TopicHandler<'material', Awaited<ReturnType<typeof handleMaterial>>> = {
  kind: 'material',
  handle: (ctx, machineId, event) => handleMaterial(ctx.db, machineId, event, ctx.now()),
  async effects(ctx, machineId, event, outcome) {
    if (outcome.refused) {
      // Recorded once and refused for good (no such session or material, no credit): the
      // board must not send it again, and may show why.
      ctx.log('warn', 'material not charged', { machineId, detail: outcome.refused });
      ctx.ack(machineId, 'material', event.eventId, 'rejected', outcome.refused.slice(0, 500));
      return;
    }
    ctx.ack(machineId, 'material', event.eventId, 'stored');
    if (outcome.applied) ctx.balancesChanged();
  },
  invalid: rejectInvalid('material'),
};
