/**
 * `badge` (SPEC §2): decide, open the session, answer on `decision`; malformed requests are
 * answered too. A request published again is answered again with the same decision by the
 * process that made it (answered-requests.ts); the others stay silent.
 */

import { type BadgeOutcome, handleBadge } from '../../application/machine-loop/access-service.ts';
import { machineTopic } from '../../core/mqtt-contract.ts';
import { metrics } from '../../logging/metrics.ts';
import { readField, summarise, type TopicHandler } from './types.ts';

const decisionSeconds = metrics.histogram(
  'sesame_decision_seconds',
  'Time from a badge request reaching the server to its decision being published',
  [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
);
const decisionsTotal = metrics.counter('sesame_decisions_total', 'Badge decisions by reason');

type Outcome = BadgeOutcome & { repeated?: true };

export const badgeHandler: TopicHandler<'badge', Outcome> = {
  kind: 'badge',
  async handle(ctx, machineId, request) {
    // The same request again (a board's retry, a redelivery): the same decision, nothing opened.
    const before = ctx.answered.get(machineId, request.requestId, request.badge);
    if (before !== null) return { decision: before, memberId: null, closedSessionId: null, repeated: true };
    const outcome = await handleBadge(ctx.db, ctx.keys.badgeKey, machineId, request, ctx.now());
    if (outcome.decision !== null)
      ctx.answered.remember(machineId, request.requestId, request.badge, outcome.decision);
    return outcome;
  },
  async effects(ctx, machineId, request, outcome, meta) {
    if (outcome.decision === null) return; // another server process answered
    await ctx.publish(machineTopic(ctx.topicRoot, machineId, 'decision'), outcome.decision);
    if (outcome.repeated) {
      ctx.log('info', 'decision repeated', { machineId, requestId: request.requestId });
      return;
    }
    const elapsedMs = performance.now() - meta.receivedAt;
    decisionSeconds.observe(elapsedMs / 1000);
    decisionsTotal.inc({ reason: outcome.decision.reason });
    ctx.onDecision?.(machineId, outcome.decision, elapsedMs);
    ctx.log('info', 'decision', {
      machineId,
      requestId: request.requestId,
      granted: outcome.decision.granted,
      reason: outcome.decision.reason,
      sessionId: outcome.decision.sessionId,
    });
    if (outcome.decision.granted || outcome.closedSessionId) ctx.balancesChanged();
  },
  async invalid(ctx, machineId, json, error) {
    // SPEC §2: malformed requests are answered too, echoing requestId when readable.
    ctx.log('warn', 'invalid badge request', { machineId, issues: summarise(error) });
    await ctx.publish(machineTopic(ctx.topicRoot, machineId, 'decision'), {
      requestId: readField(json, 'requestId'),
      granted: false,
      reason: 'invalid_request',
    });
  },
};
