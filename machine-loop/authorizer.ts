/**
 * The server side of the machine loop (SPEC §2): answers badge requests, meters runtime,
 * closes sessions, sends `lock`, tracks presence and publishes signed allow-lists. Works
 * the same on the embedded broker and on an external one. Several processes may run it on
 * one database: each request and event is claimed once in the database, so only one process
 * acts on it (the others see a duplicate, and ack it too).
 *
 * Issue #10, at least once end to end. Its parts:
 * - transport.ts: the MQTT client (persistent session; PUBACK once the message is held);
 * - inbox.ts: runtime/end/report/material are written there before their PUBACK and
 *   deleted once applied, so neither a crash nor a database outage loses them;
 * - queues.ts: one queue per machine, in arrival order, retried while the database fails;
 * - handlers/: one module per topic kind (parse -> handle -> effects);
 * - scheduler.ts: the sweep and the allow-lists.
 * Badge requests are subscribed at QoS 0: a request is worth answering only while its board
 * waits (1.5 s), so the broker must not queue it for us while we are away, and one that
 * waited too long here (the database being down) is dropped rather than answered late.
 */
import type { IClientOptions } from 'mqtt';
import type { MachineEvents, MachineLoopPort } from '../application/ports/machine-loop.ts';
import type { SiteKeys } from '../application/site-keys.ts';
import {
  ACKED_KINDS,
  type AckedKind,
  type Decision,
  machineTopic,
  parseMachineTopic,
  TOPIC_SCHEMAS,
} from '../core/mqtt-contract.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logging/logger.ts';
import { metrics } from '../logging/metrics.ts';
import { AnsweredRequests } from './answered-requests.ts';
import { BadgeFlood, type BadgeFloodLimits, busyDecision } from './badge-flood.ts';
import { type HandledKind, handlerFor } from './handlers/index.ts';
import type { LoopContext, MessageMeta } from './handlers/types.ts';
import { Inbox } from './inbox.ts';
import { type Job, MachineQueues } from './queues.ts';
import { backoffMs, isTransient } from './retry.ts';
import { Scheduler } from './scheduler.ts';
import { MqttTransport } from './transport.ts';

const messagesTotal = metrics.counter(
  'sesame_mqtt_messages_total',
  'Machine messages received, by topic kind',
);
const locksTotal = metrics.counter('sesame_locks_total', 'Lock commands sent, by reason');

/** A badge request not decided within this long after it arrived is dropped (its board gave up). */
export const BADGE_GIVE_UP_MS = 10_000;

export interface AuthorizerOptions {
  db: Db;
  keys: SiteKeys;
  topicRoot: string;
  mqttUrl: string;
  username: string;
  password: string;
  /** the MQTT client id, stable across restarts so the broker keeps our session (default: random) */
  clientId?: string;
  log: Logger;
  now?: () => Date;
  /** how often sessions without events are looked for (ms) */
  sweepIntervalMs?: number;
  /** debounce of allow-list republishing after a change (ms) */
  allowListDebounceMs?: number;
  /** how often changes recorded by other processes are looked for (ms, issue #12; 0: never) */
  changesPollMs?: number;
  /** debounce after balance-only changes (debits), which are frequent (ms) */
  balanceDebounceMs?: number;
  /** lets tests and benchmarks observe decision latency */
  onDecision?: (machineId: string, decision: Decision, elapsedMs: number) => void;
  connectOptions?: Partial<IClientOptions>;
  /** presence comes from the embedded broker's connections (status messages only refresh lastSeenAt) */
  presenceFromBroker?: boolean;
  /** no other process uses this database (PGlite): every inbox row left at start is ours */
  soleProcess?: boolean;
  /** badge requests per machine beyond which they are answered machine_busy at once (issue #9) */
  badgeFlood?: Partial<BadgeFloodLimits>;
}

interface Incoming {
  machineId: string;
  kind: HandledKind;
  json: unknown;
  meta: MessageMeta;
  inboxId?: number;
}

export class Authorizer implements MachineLoopPort, MachineEvents {
  private readonly listeners = new Set<(machineId: string) => void>();
  private readonly clientId: string;
  private readonly transport: MqttTransport;
  private readonly inbox: Inbox;
  private readonly queues: MachineQueues;
  private readonly scheduler: Scheduler;
  private readonly ctx: LoopContext;
  private readonly flood: BadgeFlood;
  private stopped = false;

  constructor(private readonly opts: AuthorizerOptions) {
    this.flood = new BadgeFlood(opts.badgeFlood);
    this.clientId = opts.clientId ?? `sesame-server-${crypto.randomUUID().slice(0, 8)}`;
    this.inbox = new Inbox(opts.db, this.clientId);
    this.queues = new MachineQueues(opts.log, (machineId) => this.emit(machineId));
    const now = () => this.now();
    const publish = (topic: string, message: unknown, retain?: boolean) =>
      this.transport.publish(topic, message, retain);
    this.scheduler = new Scheduler({
      db: opts.db,
      keys: opts.keys,
      topicRoot: opts.topicRoot,
      log: opts.log,
      now,
      sweepIntervalMs: opts.sweepIntervalMs ?? 5000,
      changesPollMs: opts.changesPollMs ?? 1000,
      allowListDebounceMs: opts.allowListDebounceMs ?? 200,
      publish,
      lock: (machineId, reason, sessionId) => this.lock(machineId, reason, sessionId),
      emit: (machineId) => this.emit(machineId),
      eventsWaiting: () => this.queues.pending.retrying > 0,
      lastFailure: () => this.queues.lastTransientFailure,
    });
    this.scheduler.balanceDebounceMs = opts.balanceDebounceMs ?? 10_000;
    this.ctx = {
      db: opts.db,
      keys: opts.keys,
      topicRoot: opts.topicRoot,
      log: opts.log,
      now,
      presenceFromBroker: opts.presenceFromBroker ?? false,
      publish,
      lock: (machineId, reason, sessionId, graceSeconds) =>
        this.lock(machineId, reason, sessionId, graceSeconds),
      ack: (machineId, kind, eventId, status, error) => this.ack(machineId, kind, eventId, status, error),
      allowListsChanged: () => this.scheduler.scheduleAllowLists(opts.allowListDebounceMs ?? 200),
      balancesChanged: () => this.scheduler.scheduleAllowLists(this.scheduler.balanceDebounceMs),
      ...(opts.onDecision ? { onDecision: opts.onDecision } : {}),
      answered: new AnsweredRequests(),
    };
    const root = opts.topicRoot;
    this.transport = new MqttTransport({
      mqttUrl: opts.mqttUrl,
      username: opts.username,
      password: opts.password,
      clientId: this.clientId,
      log: opts.log,
      ...(opts.connectOptions ? { connectOptions: opts.connectOptions } : {}),
      subscriptions: [
        { topic: `${root}/v1/machines/+/badge`, qos: 0 },
        ...['status', ...ACKED_KINDS].map((k) => ({ topic: `${root}/v1/machines/+/${k}`, qos: 1 as const })),
      ],
      accept: (topic, payload, _qos, current) => this.accept(topic, payload, current),
      onConnect: () => this.scheduler.republishAll(),
    });
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  async start(): Promise<void> {
    // Events left in the inbox by a crash go first, before anything the broker redelivers.
    const left = await this.inbox.recover(this.now(), this.opts.soleProcess ?? false);
    if (left.length > 0) this.opts.log('info', 'inbox events resumed', { count: left.length });
    for (const row of left) {
      this.dispatch({
        machineId: row.machineId,
        kind: row.kind,
        json: row.payload,
        meta: { receivedAt: performance.now() },
        inboxId: row.id,
      });
    }
    // Issue #12: changes recorded from now on by other processes are republished by the poll.
    await this.scheduler
      .primeChanges()
      .catch((err: unknown) =>
        this.opts.log('warn', 'machine-loop changes not read at start', { error: String(err) }),
      );
    await this.transport.start();
    this.scheduler.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.scheduler.stop();
    this.queues.stop();
    await this.queues.drain();
    await this.transport.stop();
  }

  get connected(): boolean {
    return this.transport.connected;
  }

  /** Device events received and not yet applied, and how many of them wait for the database. */
  get pending(): { pending: number; retrying: number } {
    return this.queues.pending;
  }

  // MachineEvents -------------------------------------------------------------------

  subscribe(listener: (machineId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(machineId: string): void {
    for (const listener of this.listeners) {
      try {
        listener(machineId);
      } catch {}
    }
  }

  // MachineLoopPort -----------------------------------------------------------------

  changed(_scope: { machineIds?: string[]; memberIds?: string[] }): void {
    this.scheduler.scheduleAllowLists(this.opts.allowListDebounceMs ?? 200);
  }

  async lock(machineId: string, reason: string, sessionId?: string, graceSeconds?: number): Promise<void> {
    this.opts.log('info', 'lock', {
      machineId,
      reason,
      sessionId,
      ...(graceSeconds ? { graceSeconds } : {}),
    });
    locksTotal.inc({ reason });
    await this.transport.publish(machineTopic(this.opts.topicRoot, machineId, 'command'), {
      commandId: crypto.randomUUID(),
      action: 'lock',
      reason,
      ...(sessionId ? { sessionId } : {}),
      ...(graceSeconds ? { graceSeconds } : {}),
    });
  }

  /** Builds every machine's list and publishes the ones whose content changed. */
  publishAllowLists(): Promise<number> {
    return this.scheduler.publishAllowLists();
  }

  // Messages ------------------------------------------------------------------------

  private ack(
    machineId: string,
    kind: AckedKind,
    eventId: string,
    status: 'stored' | 'rejected',
    error?: string,
  ): void {
    const message = { eventId, kind, status, ...(error ? { error } : {}) };
    this.transport
      .publish(machineTopic(this.opts.topicRoot, machineId, 'ack'), message)
      .catch((err: unknown) =>
        this.opts.log('warn', 'ack not sent', { machineId, eventId, error: String(err) }),
      );
  }

  /**
   * A message from the broker; resolves when it may be acknowledged. Acked kinds are written
   * to the inbox first (retried while the database is away and this connection lives);
   * the rest is queued at once.
   */
  private async accept(topic: string, payload: Buffer, current: () => boolean): Promise<void> {
    const receivedAt = performance.now();
    const where = parseMachineTopic(this.opts.topicRoot, topic);
    if (where === null) return;
    // Stopping: no PUBACK, the broker keeps the message for our next session.
    if (this.stopped) throw new Error('stopping');
    const { machineId, kind } = where;
    if (handlerFor(kind) === undefined) return; // decision, command, allowlist, ack: our own
    this.opts.log('debug', 'mqtt message', { machineId, kind, bytes: payload.length });
    messagesTotal.inc({ kind });
    // Issue #9: a badge flood is answered at once (machine_busy), not queued (badge-flood.ts).
    if (kind === 'badge' && !this.flood.admit(machineId)) {
      void this.transport
        .publish(machineTopic(this.opts.topicRoot, machineId, 'decision'), busyDecision(payload))
        .catch(() => {});
      return;
    }
    const json = parseJson(payload);
    const parsed = TOPIC_SCHEMAS[kind as HandledKind].safeParse(json);
    const incoming: Incoming = { machineId, kind: kind as HandledKind, json, meta: { receivedAt } };
    if (isAcked(kind) && parsed.success) {
      incoming.inboxId = await this.queues.track(this.store(machineId, kind, json, current));
    }
    this.dispatch(incoming, parsed);
  }

  private async store(machineId: string, kind: AckedKind, json: unknown, current: () => boolean) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.inbox.add(machineId, kind, json);
      } catch (err) {
        // Not held: no PUBACK. The broker keeps the message and delivers it again.
        if (!isTransient(err) || this.stopped || !current()) throw err;
        this.queues.lastTransientFailure = Date.now();
        if (attempt === 0) {
          this.opts.log('warn', 'device event waits for the database', {
            machineId,
            kind,
            error: String(err),
          });
        }
        await this.queues.backOff(backoffMs(attempt));
      }
    }
  }

  /** Queues a message on its machine: parse -> handle (retried while transient) -> effects. */
  private dispatch(m: Incoming, parsed = TOPIC_SCHEMAS[m.kind].safeParse(m.json)): void {
    const handler = handlerFor(m.kind)!;
    let result: unknown;
    const job: Job = {
      machineId: m.machineId,
      kind: m.kind,
      apply: async () => {
        if (!parsed.success) return;
        result = await handler.handle(this.ctx, m.machineId, parsed.data as never, m.meta);
        if (m.inboxId !== undefined) await this.inbox.done(m.inboxId);
      },
      after: async () => {
        if (!parsed.success) return handler.invalid(this.ctx, m.machineId, m.json, parsed.error);
        await handler.effects(this.ctx, m.machineId, parsed.data as never, result, m.meta);
      },
      dropped: (why) => {
        if (why !== 'stopping') {
          this.opts.log('warn', 'machine message dropped', { machineId: m.machineId, kind: m.kind, why });
        }
      },
    };
    // A badge request nobody waits for any more must not open a session.
    if (m.kind === 'badge') job.deadline = Date.now() + BADGE_GIVE_UP_MS;
    this.queues.enqueue(job);
  }
}

function isAcked(kind: string): kind is AckedKind {
  return (ACKED_KINDS as readonly string[]).includes(kind);
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}
