/** Topic kind -> its handler, for every kind a device publishes (issue #10). */
import type { TopicKind } from '../../core/mqtt-contract.ts';
import { badgeHandler } from './badge.ts';
import { materialHandler } from './material.ts';
import { endHandler, runtimeHandler } from './meter.ts';
import { reportHandler } from './report.ts';
import { statusHandler } from './status.ts';
import type { TopicHandler } from './types.ts';

export const HANDLERS = {
  badge: badgeHandler,
  runtime: runtimeHandler,
  end: endHandler,
  status: statusHandler,
  report: reportHandler,
  material: materialHandler,
} as const;

export type HandledKind = keyof typeof HANDLERS;

export function handlerFor(kind: TopicKind): TopicHandler<HandledKind, unknown> | undefined {
  return (HANDLERS as Partial<Record<TopicKind, TopicHandler<HandledKind, unknown>>>)[kind];
}
