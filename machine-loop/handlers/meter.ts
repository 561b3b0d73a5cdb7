/** `runtime` and `end` (SPEC §2, §3): bill the greatest runningSeconds, close on `end`; acked after the commit. */

import {
  handleEnd,
  handleRuntime,
  type MeterOutcome,
} from '../../application/machine-loop/metering-service.ts';
import type { EndEvent, RuntimeEvent, TopicKind } from '../../core/mqtt-contract.ts';
import { type LoopContext, rejectInvalid, type TopicHandler } from './types.ts';

async function meterEffects(
  ctx: LoopContext,
  machineId: string,
  kind: 'runtime' | 'end',
  event: RuntimeEvent | EndEvent,
  outcome: MeterOutcome,
) {
  // Stored, or already stored (a replay): either way the board may forget it.
  ctx.ack(machineId, kind, event.eventId, 'stored');
  if (!outcome.applied) return;
  if (outcome.clamped) {
    ctx.log('warn', 'offline running time clamped to the elapsed time', {
      machineId,
      sessionId: outcome.sessionId,
      eventId: event.eventId,
      ...outcome.clamped,
    });
  }
  if (outcome.lock) {
    await ctx.lock(machineId, outcome.lock.reason, outcome.sessionId, outcome.lock.graceSeconds);
  }
  ctx.balancesChanged();
}

export const runtimeHandler: TopicHandler<'runtime', MeterOutcome> = {
  kind: 'runtime',
  handle: (ctx, machineId, event) => handleRuntime(ctx.db, machineId, event, ctx.now(), ctx.keys.badgeKey),
  effects: (ctx, machineId, event, outcome) => meterEffects(ctx, machineId, 'runtime', event, outcome),
  invalid: rejectInvalid('runtime'),
};

export const endHandler: TopicHandler<'end', MeterOutcome> = {
  kind: 'end',
  handle: (ctx, machineId, event) => handleEnd(ctx.db, machineId, event, ctx.now(), ctx.keys.badgeKey),
  effects: (ctx, machineId, event, outcome) => meterEffects(ctx, machineId, 'end', event, outcome),
  invalid: rejectInvalid('end'),
};

export type MeterKind = Extract<TopicKind, 'runtime' | 'end'>;
