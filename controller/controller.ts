/**
 * The controller of one machine (SPEC §2): badge reader (initiator) -> MQTT; MQTT -> relay (actor).
 *
 * - A badge with no open session becomes a `badge` request; a granted `decision` closes the
 *   relay and opens the session; the same badge again opens the relay and publishes `end`
 *   (`badge_out`); another badge during the session is ignored (the machine is busy).
 * - During a session, `runtime` every `heartbeatSeconds` with the cumulative running seconds.
 * - `command` lock (for this session, or with no session named) opens the relay, `end` `command`.
 * - No answer within `decisionTimeoutMs` (server or broker unreachable; a request waits for a
 *   reconnection only that long): decide alone from the last signed allow-list (allow-list.ts). Offline sessions get an `off-` id and their events carry
 *   `badge` and `startedAt` (core/mqtt-contract.ts, docs/mqtt.md "Offline sessions").
 * - Every runtime/end event goes through the durable outbox (outbox.ts) before MQTT.
 * - FAIL SECURE: the relay is off at start, on every fault and on stop; only a grant closes it.
 *
 * Lifecycle: the constructor assigns; `start()` connects; `stop()` ends the session, clears
 * timers and listeners and closes the socket; `abort()` drops everything like a power cut.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { mqttConnectNoDelay } from '../broker/nodelay-stream.ts';
import { normaliseUid } from '../core/ids.ts';
import {
  type AllowList,
  commandSchema,
  decisionSchema,
  type EndEvent,
  type EndReason,
  endEventSchema,
  machineTopic,
  OFFLINE_SESSION_PREFIX,
  type RuntimeEvent,
  runtimeEventSchema,
  type TopicKind,
} from '../core/mqtt-contract.ts';
import { decideOffline, loadAllowList, saveAllowList, verifyAllowList } from './allow-list.ts';
import type { ControllerConfig } from './config.ts';
import type { MachineIo } from './machine-io.ts';
import { Outbox, type OutboxEntry } from './outbox.ts';
import { RunningMeter } from './running-meter.ts';

export type ControllerEvent =
  | { type: 'connected' }
  | { type: 'disconnected' }
  | { type: 'mqtt_error'; message: string }
  | { type: 'invalid_badge'; raw: string }
  | { type: 'request'; uid: string; requestId: string }
  | { type: 'ignored_badge'; uid: string; why: 'busy' | 'pending' | 'fault' }
  | { type: 'denied'; uid: string; reason: string; offline: boolean; message?: string }
  | {
      type: 'session_open';
      sessionId: string;
      uid: string;
      offline: boolean;
      name?: string;
      maxSeconds?: number;
    }
  | { type: 'session_end'; sessionId: string; reason: EndReason; runningSeconds: number }
  | { type: 'relay'; on: boolean }
  | { type: 'running'; running: boolean }
  | { type: 'runtime'; sessionId: string; seq: number; runningSeconds: number }
  | { type: 'acked'; eventId: string; topic: string }
  | { type: 'allowlist'; accepted: boolean; reason?: string; entries?: number }
  | { type: 'late_grant_closed'; sessionId: string }
  | { type: 'fault'; message: string };

export interface ControllerOptions {
  config: ControllerConfig;
  machine: MachineIo;
  /** clock (ms since epoch); default Date.now */
  now?: () => number;
  /** how often session limits are checked, ms (default 1000) */
  tickMs?: number;
  /** MQTT reconnect period, ms (default 2000) */
  reconnectPeriodMs?: number;
  onEvent?: (event: ControllerEvent) => void;
}

interface Session {
  id: string;
  uid: string;
  offline: boolean;
  startedAt: string;
  seq: number;
  meter: RunningMeter;
  /** end with `timeout` once the machine ran this long (credit) */
  maxRunningSeconds: number | null;
  /** end with `timeout` at this instant (offline sessions' maxOfflineSessionSeconds) */
  deadlineMs: number | null;
  timers: NodeJS.Timeout[];
}

type State =
  | { kind: 'idle' }
  | { kind: 'asking'; uid: string; requestId: string; at: string; sent: boolean; timer: NodeJS.Timeout }
  | { kind: 'session'; session: Session }
  | { kind: 'fault' };

/** What survives a power cut of an open session (session.json), so it can be ended on restart. */
interface SessionRecord {
  sessionId: string;
  uid: string;
  offline: boolean;
  startedAt: string;
  runningSeconds: number;
}

const SESSION_FILE = 'session.json';
const MAX_ABANDONED = 32;

export class Controller {
  readonly #config: ControllerConfig;
  readonly #machine: MachineIo;
  readonly #now: () => number;
  readonly #tickMs: number;
  readonly #reconnectPeriodMs: number;
  readonly #onEvent: (event: ControllerEvent) => void;
  readonly #outbox: Outbox;
  #client: MqttClient | null = null;
  #state: State = { kind: 'idle' };
  #allowList: AllowList | null = null;
  /** outbox entries handed to mqtt.js in this process (it resends them itself on reconnect) */
  #handed = new Set<string>();
  /** requests whose decision came too late: a late grant must not leave a session open */
  #abandoned: string[] = [];
  #started = false;

  constructor(opts: ControllerOptions) {
    this.#config = opts.config;
    this.#machine = opts.machine;
    this.#now = opts.now ?? Date.now;
    this.#tickMs = opts.tickMs ?? 1000;
    this.#reconnectPeriodMs = opts.reconnectPeriodMs ?? 2000;
    this.#onEvent = opts.onEvent ?? (() => {});
    this.#outbox = new Outbox(opts.config.dataDir);
  }

  async start(): Promise<void> {
    mkdirSync(this.#config.dataDir, { recursive: true });
    this.#machine.attach({
      onFault: (err) => this.#fault(err),
      onRunningChange: (running) => this.#guard(() => this.#onRunning(running)),
    });
    await this.#machine.start(); // the relay is off from here on
    this.#emit({ type: 'relay', on: false });
    const key = this.#config.allowListPublicKey;
    if (key) this.#allowList = loadAllowList(this.#config.dataDir, key, this.#config.machineId, this.#now());

    const pending = this.#outbox.open();
    const client = mqttConnectNoDelay(this.#config.mqttUrl, {
      clientId: this.#config.deviceId,
      username: this.#config.deviceId,
      password: this.#config.secret,
      protocolVersion: 4,
      // A persistent session: a `lock` published while the board was briefly away still arrives.
      clean: false,
      keepalive: 30,
      connectTimeout: 5000,
      reconnectPeriod: this.#reconnectPeriodMs,
      will: {
        topic: this.#topic('status'),
        payload: Buffer.from(JSON.stringify({ online: false, relay: 'off' })),
        qos: 1,
        retain: true,
      },
    });
    this.#client = client;
    client.on('connect', () => this.#guard(() => this.#onConnect()));
    client.on('close', () => this.#emit({ type: 'disconnected' }));
    client.on('error', (err) => this.#emit({ type: 'mqtt_error', message: err.message }));
    client.on('message', (topic, payload) => this.#guard(() => this.#onMessage(topic, payload)));
    // Left over from the previous run, in order, before anything new (mqtt.js queues them
    // until connected and keeps their order).
    for (const entry of pending) this.#send(entry);
    this.#recoverSession();
    this.#started = true;
  }

  /** A badge was read (any case; normalised here). */
  badge(raw: string): void {
    this.#guard(() => this.#onBadge(raw));
  }

  get relayOn(): boolean {
    return this.#machine.relayOn;
  }

  get sessionId(): string | null {
    return this.#state.kind === 'session' ? this.#state.session.id : null;
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** Events not yet acknowledged by the broker. */
  pendingEvents(): OutboxEntry[] {
    return this.#outbox.pending();
  }

  /** Running seconds of the open session (0 without one). */
  runningSeconds(): number {
    return this.#state.kind === 'session' ? this.#state.session.meter.seconds(this.#now()) : 0;
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#guard(() => {
      if (this.#state.kind === 'session') this.#endSession('power_loss');
    });
    this.#clearState();
    this.#machine.forceOff();
    const client = this.#client;
    if (client) {
      if (client.connected) {
        client.publish(this.#topic('status'), JSON.stringify({ online: false, relay: 'off' }), {
          qos: 1,
          retain: true,
        });
      }
      // Give in-flight events a moment for their PUBACK; whatever is left stays in the outbox.
      await Promise.race([client.endAsync(false), new Promise((r) => setTimeout(r, 2000).unref())]);
      this.#client = null;
      client.removeAllListeners();
      client.on('error', () => {});
      await client.endAsync(true);
    }
    this.#outbox.close();
    await this.#machine.stop();
  }

  /** Drops everything at once, as a power cut would: no `end`, no status, no file write. */
  abort(): void {
    this.#started = false;
    this.#clearState();
    this.#machine.forceOff();
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => {});
      client.end(true);
    }
    this.#outbox.close();
    void this.#machine.stop().catch(() => {});
  }

  // --- badges and decisions -------------------------------------------------------------

  #onBadge(raw: string): void {
    const uid = normaliseUid(raw);
    if (uid === null) {
      this.#emit({ type: 'invalid_badge', raw });
      return;
    }
    const state = this.#state;
    switch (state.kind) {
      case 'fault':
        this.#emit({ type: 'ignored_badge', uid, why: 'fault' });
        return;
      case 'asking':
        this.#emit({ type: 'ignored_badge', uid, why: 'pending' });
        return;
      case 'session':
        if (state.session.uid === uid) this.#endSession('badge_out');
        else this.#emit({ type: 'ignored_badge', uid, why: 'busy' });
        return;
      case 'idle':
        break;
      default:
        assertNever(state);
    }
    const requestId = randomUUID();
    const timer = setTimeout(
      () => this.#guard(() => this.#onDecisionTimeout(requestId)),
      this.#config.decisionTimeoutMs,
    );
    this.#state = { kind: 'asking', uid, requestId, at: this.#iso(), sent: false, timer };
    this.#emit({ type: 'request', uid, requestId });
    this.#sendRequest();
  }

  /**
   * Publishes the pending badge request if the broker is there; otherwise `#onConnect` does it
   * if the connection comes back before the decision timeout. Never queued inside mqtt.js: a
   * request delivered hours later would open a session nobody is standing at.
   */
  #sendRequest(): void {
    const state = this.#state;
    const client = this.#client;
    if (state.kind !== 'asking' || state.sent || client === null || !client.connected) return;
    state.sent = true;
    const request = { requestId: state.requestId, badge: state.uid, at: state.at };
    client.publish(this.#topic('badge'), JSON.stringify(request), { qos: 1 });
  }

  #onDecisionTimeout(requestId: string): void {
    if (this.#state.kind !== 'asking' || this.#state.requestId !== requestId) return;
    const { uid, sent } = this.#state;
    if (sent) this.#abandon(requestId);
    this.#state = { kind: 'idle' };
    this.#decideOffline(uid);
  }

  #decideOffline(uid: string): void {
    const decision = decideOffline(this.#allowList?.body ?? null, uid, this.#now());
    if (!decision.granted) {
      this.#emit({ type: 'denied', uid, reason: `offline:${decision.reason}`, offline: true });
      return;
    }
    this.#openSession({
      id: `${OFFLINE_SESSION_PREFIX}${randomUUID()}`,
      uid,
      offline: true,
      name: decision.name,
      maxRunningSeconds: decision.maxRunningSeconds,
      deadlineMs: this.#now() + decision.maxWallSeconds * 1000,
    });
  }

  #onDecision(payload: unknown): void {
    const parsed = decisionSchema.safeParse(payload);
    if (!parsed.success) return;
    const d = parsed.data;
    if (d.requestId !== null && this.#abandoned.includes(d.requestId)) {
      // We decided alone meanwhile; a late grant opened a server session nobody holds: close it.
      if (d.granted && d.sessionId && d.sessionId !== this.sessionId) {
        this.#publishEvent('end', {
          eventId: randomUUID(),
          sessionId: d.sessionId,
          runningSeconds: 0,
          reason: 'takeover',
          at: this.#iso(),
        });
        this.#emit({ type: 'late_grant_closed', sessionId: d.sessionId });
      }
      return;
    }
    const state = this.#state;
    if (state.kind !== 'asking' || state.requestId !== d.requestId) return; // another device's, or stale
    clearTimeout(state.timer);
    this.#state = { kind: 'idle' };
    if (!d.granted || !d.sessionId) {
      this.#emit({
        type: 'denied',
        uid: state.uid,
        reason: d.granted ? 'invalid_request' : d.reason,
        offline: false,
        ...(d.message ? { message: d.message } : {}),
      });
      return;
    }
    this.#openSession({
      id: d.sessionId,
      uid: state.uid,
      offline: false,
      name: d.member?.name,
      maxRunningSeconds: d.maxSeconds ?? null,
      deadlineMs: null,
    });
  }

  // --- sessions -------------------------------------------------------------------------

  #openSession(o: {
    id: string;
    uid: string;
    offline: boolean;
    name: string | undefined;
    maxRunningSeconds: number | null;
    deadlineMs: number | null;
  }): void {
    const now = this.#now();
    this.#machine.setRelay(true);
    const session: Session = {
      id: o.id,
      uid: o.uid,
      offline: o.offline,
      startedAt: new Date(now).toISOString(),
      seq: 0,
      meter: new RunningMeter(this.#machine.running, now),
      maxRunningSeconds: o.maxRunningSeconds,
      deadlineMs: o.deadlineMs,
      timers: [],
    };
    this.#state = { kind: 'session', session };
    session.timers.push(
      setInterval(() => this.#guard(() => this.#heartbeat()), this.#config.heartbeatSeconds * 1000),
      setInterval(() => this.#guard(() => this.#checkLimits()), this.#tickMs),
    );
    this.#emit({ type: 'relay', on: true });
    this.#emit({
      type: 'session_open',
      sessionId: o.id,
      uid: o.uid,
      offline: o.offline,
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o.maxRunningSeconds !== null ? { maxSeconds: o.maxRunningSeconds } : {}),
    });
    this.#saveSession(session, 0);
    this.#publishStatus();
    // First runtime at once: an offline session becomes known to the server as soon as it can be.
    this.#heartbeat();
  }

  #heartbeat(): void {
    if (this.#state.kind !== 'session') return;
    const s = this.#state.session;
    const runningSeconds = s.meter.seconds(this.#now());
    const event: RuntimeEvent = {
      eventId: randomUUID(),
      sessionId: s.id,
      seq: s.seq++,
      runningSeconds,
      at: this.#iso(),
      ...this.#offlineFields(s),
    };
    this.#publishEvent('runtime', event);
    this.#saveSession(s, runningSeconds);
    this.#emit({ type: 'runtime', sessionId: s.id, seq: event.seq, runningSeconds });
  }

  #checkLimits(): void {
    if (this.#state.kind !== 'session') return;
    const s = this.#state.session;
    const now = this.#now();
    if (
      (s.maxRunningSeconds !== null && s.meter.seconds(now) >= s.maxRunningSeconds) ||
      (s.deadlineMs !== null && now >= s.deadlineMs)
    ) {
      this.#endSession('timeout');
    }
  }

  #onRunning(running: boolean): void {
    if (this.#machine.hasRunningInput) this.#emit({ type: 'running', running });
    if (this.#state.kind === 'session') this.#state.session.meter.set(running, this.#now());
  }

  #endSession(reason: EndReason): void {
    if (this.#state.kind !== 'session') return;
    const s = this.#state.session;
    // Relay first: whatever happens next, the machine is off.
    this.#machine.forceOff();
    const now = this.#now();
    s.meter.set(false, now);
    const runningSeconds = s.meter.seconds(now);
    for (const t of s.timers) clearInterval(t);
    this.#state = { kind: 'idle' };
    this.#emit({ type: 'relay', on: false });
    const event: EndEvent = {
      eventId: randomUUID(),
      sessionId: s.id,
      runningSeconds,
      reason,
      at: new Date(now).toISOString(),
      ...this.#offlineFields(s),
    };
    this.#publishEvent('end', event);
    this.#clearSavedSession();
    this.#emit({ type: 'session_end', sessionId: s.id, reason, runningSeconds });
    this.#publishStatus();
  }

  #offlineFields(s: Session): { badge?: string; startedAt?: string } {
    return s.offline ? { badge: s.uid, startedAt: s.startedAt } : {};
  }

  #onCommand(payload: unknown): void {
    const parsed = commandSchema.safeParse(payload);
    if (!parsed.success) return;
    const c = parsed.data;
    if (this.#state.kind !== 'session') {
      this.#machine.forceOff(); // nothing to end, but a lock is a lock
      return;
    }
    const s = this.#state.session;
    if (c.sessionId !== undefined && c.sessionId !== s.id) return; // about an older session
    const grace = c.graceSeconds ?? 0;
    if (grace > 0) {
      s.timers.push(setTimeout(() => this.#guard(() => this.#lockIfStill(s.id)), grace * 1000));
      return;
    }
    this.#endSession('command');
  }

  #lockIfStill(sessionId: string): void {
    if (this.sessionId === sessionId) this.#endSession('command');
  }

  // --- MQTT -----------------------------------------------------------------------------

  #onConnect(): void {
    this.#emit({ type: 'connected' });
    const client = this.#client;
    if (client === null) return;
    client.subscribe(
      (['decision', 'command', 'allowlist'] as const).map((k) => this.#topic(k)),
      { qos: 1 },
      (err) => {
        if (err) this.#emit({ type: 'mqtt_error', message: `subscribe: ${err.message}` });
      },
    );
    this.#publishStatus();
    this.#sendRequest();
    // Events whose hand-over failed earlier (mqtt.js resends the ones it still holds).
    for (const entry of this.#outbox.pending()) if (!this.#handed.has(entry.id)) this.#send(entry);
  }

  #onMessage(topic: string, payload: Buffer): void {
    const kind = topic.split('/').at(-1);
    if (topic !== this.#topic(kind as TopicKind)) return;
    if (kind === 'allowlist') {
      this.#onAllowList(payload);
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(payload.toString('utf8'));
    } catch {
      return; // not ours to answer: the server validates what it sends
    }
    if (kind === 'decision') this.#onDecision(data);
    else if (kind === 'command') this.#onCommand(data);
  }

  #onAllowList(payload: Buffer): void {
    const key = this.#config.allowListPublicKey;
    if (!key || payload.length === 0) return;
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#emit({ type: 'allowlist', accepted: false, reason: 'malformed' });
      return;
    }
    const result = verifyAllowList(raw, key, this.#config.machineId, this.#now());
    if (!result.ok) {
      this.#emit({ type: 'allowlist', accepted: false, reason: result.reason });
      return;
    }
    const current = this.#allowList;
    if (current && Date.parse(current.body.issuedAt) > Date.parse(result.list.body.issuedAt)) {
      this.#emit({ type: 'allowlist', accepted: false, reason: 'older' });
      return;
    }
    this.#allowList = result.list;
    saveAllowList(this.#config.dataDir, result.list);
    this.#emit({ type: 'allowlist', accepted: true, entries: result.list.body.entries.length });
  }

  /** Validates an event against the contract, writes it to the outbox, then hands it to MQTT. */
  #publishEvent(kind: 'runtime' | 'end', event: RuntimeEvent | EndEvent): void {
    const schema = kind === 'runtime' ? runtimeEventSchema : endEventSchema;
    const payload = JSON.stringify(schema.parse(event));
    const entry = { id: event.eventId, topic: this.#topic(kind), payload };
    this.#outbox.append(entry);
    this.#send(entry);
  }

  #send(entry: OutboxEntry): void {
    const client = this.#client;
    if (client === null) return;
    this.#handed.add(entry.id);
    client.publish(entry.topic, entry.payload, { qos: 1 }, (err) => {
      if (this.#client !== client) return; // stopped or aborted: the outbox keeps it for next time
      this.#handed.delete(entry.id);
      if (err) return;
      // A disk failure here is a fault like any other: the relay opens.
      this.#guard(() => this.#outbox.ack(entry.id));
      this.#emit({ type: 'acked', eventId: entry.id, topic: entry.topic });
    });
  }

  #publishStatus(): void {
    const client = this.#client;
    if (client === null || !client.connected) return; // sent again on connect
    const status = {
      online: true,
      relay: this.#machine.relayOn ? 'on' : 'off',
      ...(this.sessionId ? { sessionId: this.sessionId } : {}),
    };
    client.publish(this.#topic('status'), JSON.stringify(status), { qos: 1, retain: true });
  }

  // --- faults and persistence -------------------------------------------------------------

  /** Runs a handler; any error cuts the machine and ends the session (fail secure). */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#emit({ type: 'fault', message: (err as Error).message ?? String(err) });
      this.#machine.forceOff();
      try {
        if (this.#state.kind === 'session') this.#endSession('power_loss');
      } catch {
        // the outbox itself failed: the relay is off, nothing more to do safely
      }
      this.#clearState();
      this.#emit({ type: 'relay', on: false });
    }
  }

  #fault(err: Error): void {
    this.#guard(() => {
      throw err;
    });
    this.#state = { kind: 'fault' }; // the board is gone: no badge until a restart
    this.#publishStatus();
  }

  #clearState(): void {
    const state = this.#state;
    if (state.kind === 'asking') clearTimeout(state.timer);
    if (state.kind === 'session') for (const t of state.session.timers) clearInterval(t);
    this.#state = { kind: 'idle' };
  }

  #abandon(requestId: string): void {
    this.#abandoned.push(requestId);
    if (this.#abandoned.length > MAX_ABANDONED) this.#abandoned.shift();
  }

  #saveSession(s: Session, runningSeconds: number): void {
    const record: SessionRecord = {
      sessionId: s.id,
      uid: s.uid,
      offline: s.offline,
      startedAt: s.startedAt,
      runningSeconds,
    };
    writeFileSync(path.join(this.#config.dataDir, SESSION_FILE), JSON.stringify(record), { flush: true });
  }

  #clearSavedSession(): void {
    rmSync(path.join(this.#config.dataDir, SESSION_FILE), { force: true });
  }

  /** A session open when the power went: the relay is off now, so end it (`power_loss`). */
  #recoverSession(): void {
    const file = path.join(this.#config.dataDir, SESSION_FILE);
    if (!existsSync(file)) return;
    let record: SessionRecord | null = null;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as SessionRecord;
    } catch {
      record = null;
    }
    if (record && typeof record.sessionId === 'string') {
      this.#publishEvent('end', {
        eventId: randomUUID(),
        sessionId: record.sessionId,
        runningSeconds: record.runningSeconds,
        reason: 'power_loss',
        at: this.#iso(),
        ...(record.offline ? { badge: record.uid, startedAt: record.startedAt } : {}),
      });
      this.#emit({
        type: 'session_end',
        sessionId: record.sessionId,
        reason: 'power_loss',
        runningSeconds: record.runningSeconds,
      });
    }
    this.#clearSavedSession();
  }

  #topic(kind: TopicKind): string {
    return machineTopic(this.#config.topicRoot, this.#config.machineId, kind);
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }

  #emit(event: ControllerEvent): void {
    try {
      this.#onEvent(event);
    } catch {
      // an observer's bug must not reach the relay logic
    }
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected state ${JSON.stringify(x)}`);
}
