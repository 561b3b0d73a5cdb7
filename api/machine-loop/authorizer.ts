/**
 * The server side of the machine loop (SPEC §2): an MQTT client with its own credentials
 * that answers badge requests, meters runtime, closes sessions, sends `lock`, tracks device
 * status and publishes signed allow-lists. Works the same on the embedded broker and on an
 * external one. Several processes may run it on one database: each request and event is
 * claimed once in the database, so only one process acts on it.
 */
import { eq } from 'drizzle-orm';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { z } from 'zod';
import { mqttConnectNoDelay } from '../../broker/nodelay-stream.ts';
import {
  badgeRequestSchema,
  type Decision,
  endEventSchema,
  machineTopic,
  materialEventSchema,
  parseMachineTopic,
  reportEventSchema,
  runtimeEventSchema,
  statusSchema,
} from '../../core/mqtt-contract.ts';
import type { Db } from '../db/client.ts';
import { machines } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { MachineEvents, MachineLoopPort } from '../machine-loop-port.ts';
import { metrics } from '../metrics.ts';

import type { SiteKeys } from '../services/site-keys.ts';
import { handleBadge } from './access-service.ts';
import { buildAllowLists, recordAllowList, signAllowList } from './allowlist.ts';
import { BadgeFlood, type BadgeFloodLimits, busyDecision } from './badge-flood.ts';
import { handleMaterial, handleReport } from './board-events.ts';
import { handleEnd, handleRuntime, type MeterOutcome, sweepTimedOutSessions } from './metering-service.ts';

const decisionSeconds = metrics.histogram(
  'sesame_decision_seconds',
  'Time from a badge request reaching the server to its decision being published',
  [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
);
const decisionsTotal = metrics.counter('sesame_decisions_total', 'Badge decisions by reason');
const messagesTotal = metrics.counter(
  'sesame_mqtt_messages_total',
  'Machine messages received, by topic kind',
);
const locksTotal = metrics.counter('sesame_locks_total', 'Lock commands sent, by reason');

export interface AuthorizerOptions {
  db: Db;
  keys: SiteKeys;
  topicRoot: string;
  mqttUrl: string;
  username: string;
  password: string;
  clientId?: string;
  log: Logger;
  now?: () => Date;
  /** how often sessions without events are looked for (ms) */
  sweepIntervalMs?: number;
  /** debounce of allow-list republishing after a change (ms) */
  allowListDebounceMs?: number;
  /** debounce after balance-only changes (debits), which are frequent (ms) */
  balanceDebounceMs?: number;
  /** lets tests and benchmarks observe decision latency */
  onDecision?: (machineId: string, decision: Decision, elapsedMs: number) => void;
  connectOptions?: Partial<IClientOptions>;
  /** badge requests per machine beyond which they are answered machine_busy at once (issue #9) */
  badgeFlood?: Partial<BadgeFloodLimits>;
}

export class Authorizer implements MachineLoopPort, MachineEvents {
  private readonly listeners = new Set<(machineId: string) => void>();
  private client: MqttClient | null = null;
  private readonly queues = new Map<string, Promise<void>>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private allowListTimer: NodeJS.Timeout | null = null;
  private allowListDue = Number.POSITIVE_INFINITY;
  private readonly published = new Map<string, string>();
  private stopped = false;

  private readonly flood: BadgeFlood;

  constructor(private readonly opts: AuthorizerOptions) {
    this.flood = new BadgeFlood(opts.badgeFlood);
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  async start(): Promise<void> {
    const { topicRoot } = this.opts;
    // TCP_NODELAY on our socket too: without it a QoS 1 round trip costs 40+ ms (Nagle).
    const connect = /^(mqtt|tcp):\/\//.test(this.opts.mqttUrl) ? mqttConnectNoDelay : mqtt.connect;
    const client = connect(this.opts.mqttUrl, {
      clientId: this.opts.clientId ?? `sesame-server-${crypto.randomUUID().slice(0, 8)}`,
      username: this.opts.username,
      password: this.opts.password,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...this.opts.connectOptions,
    });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) => this.opts.log('warn', 'authorizer mqtt error', { error: err.message }));
    client.on('connect', () => {
      this.opts.log('info', 'authorizer connected', { url: redactUrl(this.opts.mqttUrl) });
      // Lists are retained: republish them all after every (re)connect in case the broker lost them.
      this.published.clear();
      this.scheduleAllowLists(0);
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        client.off('connect', onConnect);
        reject(err);
      };
      const onConnect = () => {
        client.off('error', onError);
        resolve();
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
    const kinds = ['badge', 'runtime', 'end', 'status', 'report', 'material'] as const;
    await client.subscribeAsync(
      kinds.map((k) => `${topicRoot}/v1/machines/+/${k}`),
      { qos: 1 },
    );
    this.sweepTimer = setInterval(() => {
      this.sweep().catch((err: unknown) =>
        this.opts.log('error', 'session sweep failed', { error: String(err) }),
      );
    }, this.opts.sweepIntervalMs ?? 5000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.allowListTimer) clearTimeout(this.allowListTimer);
    this.sweepTimer = null;
    this.allowListTimer = null;
    await Promise.allSettled([...this.queues.values()]);
    await this.client?.endAsync();
    this.client = null;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
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
    this.scheduleAllowLists(this.opts.allowListDebounceMs ?? 200);
  }

  async lock(machineId: string, reason: string, sessionId?: string, graceSeconds?: number): Promise<void> {
    this.opts.log('info', 'lock', {
      machineId,
      reason,
      sessionId,
      ...(graceSeconds ? { graceSeconds } : {}),
    });
    locksTotal.inc({ reason });
    await this.publish(machineTopic(this.opts.topicRoot, machineId, 'command'), {
      commandId: crypto.randomUUID(),
      action: 'lock',
      reason,
      ...(sessionId ? { sessionId } : {}),
      ...(graceSeconds ? { graceSeconds } : {}),
    });
  }

  // Messages ------------------------------------------------------------------------

  private onMessage(topic: string, payload: Buffer): void {
    const receivedAt = performance.now();
    const parsed = parseMachineTopic(this.opts.topicRoot, topic);
    if (parsed === null) return;
    const { machineId, kind } = parsed;
    this.opts.log('debug', 'mqtt message', { machineId, kind, bytes: payload.length });
    messagesTotal.inc({ kind });
    // Issue #9: a badge flood is answered at once (machine_busy), not queued (badge-flood.ts).
    if (kind === 'badge' && !this.flood.admit(machineId)) {
      void this.publish(
        machineTopic(this.opts.topicRoot, machineId, 'decision'),
        busyDecision(payload),
      ).catch(() => {});
      return;
    }
    // Messages of one machine are handled in the order they arrived (SPEC §2: an `end`
    // takes effect before a badge request published after it).
    const previous = this.queues.get(machineId) ?? Promise.resolve();
    const next = previous
      .then(() => this.handle(machineId, kind, payload, receivedAt))
      .then(() => this.emit(machineId))
      .catch((err: unknown) =>
        this.opts.log('error', 'machine message failed', { machineId, kind, error: String(err) }),
      );
    this.queues.set(machineId, next);
    void next.finally(() => {
      if (this.queues.get(machineId) === next) this.queues.delete(machineId);
    });
  }

  private async handle(machineId: string, kind: string, payload: Buffer, receivedAt: number): Promise<void> {
    if (this.stopped) return;
    const json = parseJson(payload);
    switch (kind) {
      case 'badge':
        return this.onBadge(machineId, json, receivedAt);
      case 'runtime':
        return this.onMeter(machineId, 'runtime', json);
      case 'end':
        return this.onMeter(machineId, 'end', json);
      case 'status':
        return this.onStatus(machineId, json);
      case 'report':
        return this.onReport(machineId, json);
      case 'material':
        return this.onMaterial(machineId, json);
      default:
        // decision, command, allowlist: our own messages.
        return;
    }
  }

  private async onBadge(machineId: string, json: unknown, receivedAt: number): Promise<void> {
    const request = badgeRequestSchema.safeParse(json);
    const topic = machineTopic(this.opts.topicRoot, machineId, 'decision');
    if (!request.success) {
      // SPEC §2: malformed requests are answered too, echoing requestId when readable.
      const requestId = readRequestId(json);
      this.opts.log('warn', 'invalid badge request', { machineId, issues: summarise(request.error) });
      await this.publish(topic, { requestId, granted: false, reason: 'invalid_request' });
      return;
    }
    const outcome = await handleBadge(
      this.opts.db,
      this.opts.keys.badgeKey,
      machineId,
      request.data,
      this.now(),
    );
    if (outcome.decision === null) return; // another server process answered
    await this.publish(topic, outcome.decision);
    const elapsedMs = performance.now() - receivedAt;
    decisionSeconds.observe(elapsedMs / 1000);
    decisionsTotal.inc({ reason: outcome.decision.reason });
    this.opts.onDecision?.(machineId, outcome.decision, elapsedMs);
    this.opts.log('info', 'decision', {
      machineId,
      requestId: request.data.requestId,
      granted: outcome.decision.granted,
      reason: outcome.decision.reason,
      sessionId: outcome.decision.sessionId,
    });
    if (outcome.decision.granted || outcome.closedSessionId) this.scheduleBalanceChange();
  }

  private async onMeter(machineId: string, kind: 'runtime' | 'end', json: unknown): Promise<void> {
    const schema = kind === 'runtime' ? runtimeEventSchema : endEventSchema;
    const event = schema.safeParse(json);
    if (!event.success) {
      this.opts.log('warn', `invalid ${kind} event`, { machineId, issues: summarise(event.error) });
      return;
    }
    const now = this.now();
    const outcome: MeterOutcome =
      kind === 'runtime'
        ? await handleRuntime(
            this.opts.db,
            machineId,
            event.data as z.infer<typeof runtimeEventSchema>,
            now,
            this.opts.keys.badgeKey,
          )
        : await handleEnd(
            this.opts.db,
            machineId,
            event.data as z.infer<typeof endEventSchema>,
            now,
            this.opts.keys.badgeKey,
          );
    if (!outcome.applied) return;
    if (outcome.lock) {
      await this.lock(machineId, outcome.lock.reason, outcome.sessionId, outcome.lock.graceSeconds);
    }
    this.scheduleBalanceChange();
  }

  private async onReport(machineId: string, json: unknown): Promise<void> {
    const event = reportEventSchema.safeParse(json);
    if (!event.success) {
      this.opts.log('warn', 'invalid report event', { machineId, issues: summarise(event.error) });
      return;
    }
    if (await handleReport(this.opts.db, machineId, event.data, this.now())) {
      this.opts.log('info', 'problem reported from the board', { machineId });
      this.scheduleAllowLists(this.opts.allowListDebounceMs ?? 200);
    }
  }

  private async onMaterial(machineId: string, json: unknown): Promise<void> {
    const event = materialEventSchema.safeParse(json);
    if (!event.success) {
      this.opts.log('warn', 'invalid material event', { machineId, issues: summarise(event.error) });
      return;
    }
    const outcome = await handleMaterial(this.opts.db, machineId, event.data, this.now());
    if (outcome.refused)
      this.opts.log('warn', 'material not charged', { machineId, detail: outcome.refused });
    if (outcome.applied) this.scheduleBalanceChange();
  }

  private async onStatus(machineId: string, json: unknown): Promise<void> {
    const status = statusSchema.safeParse(json);
    if (!status.success) {
      this.opts.log('warn', 'invalid status message', { machineId, issues: summarise(status.error) });
      return;
    }
    await this.opts.db
      .update(machines)
      .set({ online: status.data.online, lastSeenAt: this.now() })
      .where(eq(machines.id, machineId));
  }

  private async sweep(): Promise<void> {
    const closed = await sweepTimedOutSessions(this.opts.db, this.now());
    for (const s of closed) {
      this.opts.log('info', 'session timed out', s);
      this.emit(s.machineId);
      // The board may still hold the relay closed: tell it to stop.
      await this.lock(s.machineId, 'timeout', s.sessionId);
    }
    if (closed.length > 0) this.scheduleBalanceChange();
  }

  // Allow-lists ---------------------------------------------------------------------

  private scheduleBalanceChange(): void {
    this.scheduleAllowLists(this.opts.balanceDebounceMs ?? 10_000);
  }

  private scheduleAllowLists(delayMs: number): void {
    if (this.stopped) return;
    const due = Date.now() + delayMs;
    if (this.allowListTimer !== null && this.allowListDue <= due) return;
    if (this.allowListTimer) clearTimeout(this.allowListTimer);
    this.allowListDue = due;
    this.allowListTimer = setTimeout(() => {
      this.allowListTimer = null;
      this.allowListDue = Number.POSITIVE_INFINITY;
      this.publishAllowLists().catch((err: unknown) =>
        this.opts.log('error', 'allow-list publication failed', { error: String(err) }),
      );
    }, delayMs);
  }

  /** Builds every machine's list and publishes the ones whose content changed. */
  async publishAllowLists(): Promise<number> {
    const lists = await buildAllowLists(this.opts.db, this.opts.keys, this.now());
    let count = 0;
    for (const body of lists) {
      const fingerprint = JSON.stringify({ ...body, issuedAt: '', validUntil: '' });
      if (this.published.get(body.machineId) === fingerprint) continue;
      await recordAllowList(this.opts.db, body); // issue #9: offline sessions are checked against it
      await this.publish(
        machineTopic(this.opts.topicRoot, body.machineId, 'allowlist'),
        signAllowList(body, this.opts.keys),
        true,
      );
      this.published.set(body.machineId, fingerprint);
      count++;
    }
    return count;
  }

  private async publish(topic: string, message: unknown, retain = false): Promise<void> {
    const client = this.client;
    if (client === null) return;
    await client.publishAsync(topic, JSON.stringify(message), { qos: 1, retain });
  }
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

function readRequestId(json: unknown): string | null {
  if (typeof json === 'object' && json !== null && 'requestId' in json) {
    const id = (json as { requestId: unknown }).requestId;
    if (typeof id === 'string' && id.length <= 128) return id;
  }
  return null;
}

function summarise(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
