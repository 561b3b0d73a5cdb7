/**
 * The shape every topic handler has (issue #10): the payload is parsed with the contract's
 * schema for its kind (core/mqtt-contract.ts `TOPIC_SCHEMAS`), `handle` does the work in the
 * database (the services open their transactions; it is retried while the database is
 * unreachable), then `effects` answers, acks, locks and republishes, once, after the commit.
 */
import type { z } from 'zod';
import type { SiteKeys } from '../../application/site-keys.ts';
import type { AckedKind, Decision, TopicKind, TopicPayload } from '../../core/mqtt-contract.ts';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../logging/logger.ts';
import type { AnsweredRequests } from '../answered-requests.ts';

/** What handlers may use of the machine loop. */
export interface LoopContext {
  db: Db;
  keys: SiteKeys;
  topicRoot: string;
  log: Logger;
  now(): Date;
  /** presence comes from the embedded broker's connections, not from `status` messages */
  presenceFromBroker: boolean;
  publish(topic: string, message: unknown, retain?: boolean): Promise<void>;
  lock(machineId: string, reason: string, sessionId?: string, graceSeconds?: number): Promise<void>;
  /** on the machine's `ack` topic (docs/mqtt.md) */
  ack(
    machineId: string,
    kind: AckedKind,
    eventId: string,
    status: 'stored' | 'rejected',
    error?: string,
  ): void;
  /** allow-lists must be republished soon (members, machines, maintenance) */
  allowListsChanged(): void;
  /** balances moved (debits): allow-lists republished after a longer debounce */
  balancesChanged(): void;
  onDecision?: (machineId: string, decision: Decision, elapsedMs: number) => void;
  /** the badge decisions this process published, answered again on a repeated request */
  answered: AnsweredRequests;
}

export interface MessageMeta {
  /** performance.now() when the message reached the server */
  receivedAt: number;
}

export interface TopicHandler<K extends TopicKind, R> {
  readonly kind: K;
  /** the work in the database; must be safe to run again after a transient failure */
  handle(ctx: LoopContext, machineId: string, payload: TopicPayload<K>, meta: MessageMeta): Promise<R>;
  /** after the commit: answers, acks, locks, allow-lists */
  effects(
    ctx: LoopContext,
    machineId: string,
    payload: TopicPayload<K>,
    result: R,
    meta: MessageMeta,
  ): Promise<void>;
  /** a payload the schema refuses: nothing is changed; the device is told when it can be */
  invalid(ctx: LoopContext, machineId: string, json: unknown, error: z.ZodError): Promise<void>;
}

export function summarise(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
}

/** A string field of a payload that failed validation, when it is readable. */
export function readField(json: unknown, field: string): string | null {
  if (typeof json === 'object' && json !== null && field in json) {
    const v = (json as Record<string, unknown>)[field];
    if (typeof v === 'string' && v.length > 0 && v.length <= 128) return v;
  }
  return null;
}

/** The shared `invalid` of the acked kinds: log, and a `rejected` ack when the eventId is readable. */
export function rejectInvalid(kind: AckedKind) {
  return async (ctx: LoopContext, machineId: string, json: unknown, error: z.ZodError) => {
    const why = summarise(error);
    ctx.log('warn', `invalid ${kind} event`, { machineId, issues: why });
    const eventId = readField(json, 'eventId');
    if (eventId !== null) ctx.ack(machineId, kind, eventId, 'rejected', why.slice(0, 500));
  };
}
