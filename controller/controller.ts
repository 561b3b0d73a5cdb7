/**
 * The controller of one machine (SPEC §2): badge reader (initiator) -> MQTT; MQTT -> relay (actor).
 *
 * - A badge with no open session becomes a `badge` request; a granted `decision` closes the
 *   relay and opens the session; the same badge again opens the relay and publishes `end`
 *   (`badge_out`). While a request is pending, further badges are ignored.
 * - Badge modes (issue #6): the mode button (or `badge(uid, mode)`) arms `certify` / `enrol` for
 *   the next badge only (back to `use` after it, or after `modeResetMs`); the request carries
 *   `mode` when it is not `use`. Every online decision is shown (`display` event: reason, the
 *   server's `message`, the `check` to do).
 * - Takeover (issue #6): during a session another badge (or the holder's badge with a mode) is
 *   an ordinary request. A grant with a new sessionId ends the old session (`end` `takeover`)
 *   and opens the new one without opening the relay in between; anything else changes nothing.
 * - During a session, `runtime` every `heartbeatSeconds` with the cumulative running seconds
 *   and `unlockedSeconds` (relay closed); `end` carries both.
 * - `command` lock (for this session, or with no session named) opens the relay, `end` `command`;
 *   with `graceSeconds > 0` it warns first (`warning` event, warning output blinking) and cuts
 *   when the grace is over; a second lock does not extend a running grace, a lock without
 *   grace cuts at once.
 * - `report(note?)` and `recordMaterial(materialId, quantity)` publish `report` / `material`
 *   events (issue #6) through the same durable outbox; neither touches the relay.
 * - No answer within `decisionTimeoutMs` (server or broker unreachable; a request waits for a
 *   reconnection only that long): decide alone from the last signed allow-list (allow-list.ts). Offline sessions get an `off-` id and their events carry
 *   `badge` and `startedAt` (core/mqtt-contract.ts, docs/mqtt.md "Offline sessions").
 * - Every runtime/end/report/material event goes through the durable outbox (outbox.ts) before MQTT.
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
  type BadgeMode,
  type BadgeRequest,
  commandSchema,
  type DecisionReason,
  decisionSchema,
  type EndEvent,
  type EndReason,
  endEventSchema,
  type MaterialEvent,
  machineTopic,
  materialEventSchema,
  OFFLINE_SESSION_PREFIX,
  type ReportEvent,
  type RuntimeEvent,
  reportEventSchema,
  runtimeEventSchema,
  type TopicKind,
} from '../core/mqtt-contract.ts';
import { decideOffline, loadAllowList, saveAllowList, verifyAllowList } from './allow-list.ts';
import type { ControllerConfig } from './config.ts';
import type { ButtonName, MachineIo } from './machine-io.ts';
import { Outbox, type OutboxEntry } from './outbox.ts';
import { RunningMeter } from './running-meter.ts';

export type ControllerEvent =
  | { type: 'connected' }
  | { type: 'disconnected' }
  | { type: 'mqtt_error'; message: string }
  | { type: 'invalid_badge'; raw: string }
  /** `takeover`: sent during an open session (a grant would replace it) */
  | { type: 'request'; uid: string; requestId: string; mode: BadgeMode; takeover: boolean }
  | { type: 'ignored_badge'; uid: string; why: 'busy' | 'pending' | 'fault' }
  | { type: 'denied'; uid: string; reason: string; offline: boolean; message?: string; check?: string }
  /** what the reader shows for an online decision (issue #6): every reason, message and check */
  | {
      type: 'display';
      uid: string;
      granted: boolean;
      reason: DecisionReason;
      message?: string;
      check?: string;
    }
  /** the mode of the next badge changed (button, selectMode, used by a badge, or timed out) */
  | { type: 'mode'; mode: BadgeMode; why: 'button' | 'selected' | 'used' | 'timeout' }
  | {
      type: 'session_open';
      sessionId: string;
      uid: string;
      offline: boolean;
      name?: string;
      maxSeconds?: number;
    }
  | {
      type: 'session_end';
      sessionId: string;
      reason: EndReason;
      runningSeconds: number;
      unlockedSeconds?: number;
    }
  | { type: 'relay'; on: boolean }
  | { type: 'running'; running: boolean }
  | { type: 'runtime'; sessionId: string; seq: number; runningSeconds: number; unlockedSeconds: number }
  /** a lock with a grace: the relay opens at `cutAt` (ISO) unless the session ends first */
  | { type: 'warning'; sessionId: string; graceSeconds: number; reason: string; cutAt: string }
  | { type: 'report'; eventId: string; note?: string }
  | { type: 'material'; eventId: string; sessionId: string; materialId: string; quantity: number }
  | {
      type: 'material_refused';
      materialId: string;
      quantity: number;
      why: 'no_session' | 'invalid';
    }
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
  /** an armed certify/enrol mode falls back to `use` after this long, ms (default 30 000) */
  modeResetMs?: number;
  onEvent?: (event: ControllerEvent) => void;
}

interface Session {
  id: string;
  uid: string;
  offline: boolean;
  startedAt: string;
  seq: number;
  meter: RunningMeter;
  /** seconds the relay has been closed (issue #6 `unlockedSeconds`) */
  unlocked: RunningMeter;
  /** end with `timeout` once the machine ran this long (credit) */
  maxRunningSeconds: number | null;
  /** end with `timeout` at this instant (offline sessions' maxOfflineSessionSeconds) */
  deadlineMs: number | null;
  /** a lock with grace: the relay opens at this instant */
  cutAtMs: number | null;
  timers: NodeJS.Timeout[];
}

/** A badge request waiting for its decision (one at a time). */
interface Request {
  uid: string;
  requestId: string;
  at: string;
  mode: BadgeMode;
  sent: boolean;
  timer: NodeJS.Timeout;
}

const NEXT_MODE: Record<BadgeMode, BadgeMode> = { use: 'certify', certify: 'enrol', enrol: 'use' };

/** What survives a power cut of an open session (session.json), so it can be ended on restart. */
interface SessionRecord {
  sessionId: string;
  uid: string;
  offline: boolean;
  startedAt: string;
  runningSeconds: number;
  unlockedSeconds?: number;
}

const EVENT_SCHEMAS = {
  runtime: runtimeEventSchema,
  end: endEventSchema,
  report: reportEventSchema,
  material: materialEventSchema,
} as const;

const SESSION_FILE = 'session.json';
const MAX_ABANDONED = 32;

export class Controller {
  readonly #config: ControllerConfig;
  readonly #machine: MachineIo;
  readonly #now: () => number;
  readonly #tickMs: number;
  readonly #reconnectPeriodMs: number;
  readonly #modeResetMs: number;
  readonly #onEvent: (event: ControllerEvent) => void;
  readonly #outbox: Outbox;
  #client: MqttClient | null = null;
  #session: Session | null = null;
  #request: Request | null = null;
  /** the board failed: no badge until a restart */
  #faulted = false;
  #mode: BadgeMode = 'use';
  #modeTimer: NodeJS.Timeout | null = null;
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
    this.#modeResetMs = opts.modeResetMs ?? 30_000;
    this.#onEvent = opts.onEvent ?? (() => {});
    this.#outbox = new Outbox(opts.config.dataDir);
  }

  async start(): Promise<void> {
    mkdirSync(this.#config.dataDir, { recursive: true });
    this.#machine.attach({
      onFault: (err) => this.#fault(err),
      onRunningChange: (running) => this.#guard(() => this.#onRunning(running)),
      onButton: (button) => this.#onButton(button),
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

  /**
   * A badge was read (any case; normalised here). `mode` overrides the armed mode (keyboard
   * `cert <uid>` / `enrol <uid>`); without it the mode armed by the button is used.
   */
  badge(raw: string, mode?: BadgeMode): void {
    this.#guard(() => this.#onBadge(raw, mode));
  }

  /** The mode the next badge will carry. */
  get mode(): BadgeMode {
    return this.#mode;
  }

  /** The mode button: use -> certify -> enrol -> use. Returns the new mode. */
  pressModeButton(): BadgeMode {
    this.#setMode(NEXT_MODE[this.#mode], 'button');
    return this.#mode;
  }

  /** Arms a mode for the next badge (falls back to `use` after `modeResetMs`). */
  selectMode(mode: BadgeMode): void {
    this.#setMode(mode, 'selected');
  }

  /**
   * Report a problem (issue #6): a `report` event through the durable outbox. The session goes
   * on. Returns the eventId, or null when not started or the outbox failed (a fault).
   */
  report(note?: string): string | null {
    if (!this.#started) return null;
    let eventId: string | null = null;
    this.#guard(() => {
      const text = note?.trim().slice(0, 500);
      const event: ReportEvent = { eventId: randomUUID(), ...(text ? { note: text } : {}), at: this.#iso() };
      this.#publishEvent('report', event);
      eventId = event.eventId;
      this.#emit({ type: 'report', eventId: event.eventId, ...(text ? { note: text } : {}) });
    });
    return eventId;
  }

  /**
   * Consumables used in the open session (issue #6): a `material` event through the outbox.
   * Refused (null, `material_refused` event) without a session or with an invalid material id
   * (a slug) or quantity (a positive integer).
   */
  recordMaterial(materialId: string, quantity: number): string | null {
    if (!this.#started) return null;
    const s = this.#session;
    if (s === null) {
      this.#emit({ type: 'material_refused', materialId, quantity, why: 'no_session' });
      return null;
    }
    const parsed = materialEventSchema.safeParse({
      eventId: randomUUID(),
      sessionId: s.id,
      materialId,
      quantity,
      at: this.#iso(),
    });
    if (!parsed.success) {
      this.#emit({ type: 'material_refused', materialId, quantity, why: 'invalid' });
      return null;
    }
    const event: MaterialEvent = parsed.data;
    let eventId: string | null = null;
    this.#guard(() => {
      this.#publishEvent('material', event);
      eventId = event.eventId;
      this.#emit({ type: 'material', eventId: event.eventId, sessionId: s.id, materialId, quantity });
    });
    return eventId;
  }

  get relayOn(): boolean {
    return this.#machine.relayOn;
  }

  get sessionId(): string | null {
    return this.#session?.id ?? null;
  }

  /** A lock's grace is running (the warning output blinks). */
  get warning(): boolean {
    return (this.#session?.cutAtMs ?? null) !== null;
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
    return this.#session?.meter.seconds(this.#now()) ?? 0;
  }

  /** Seconds the relay has been closed in the open session (0 without one). */
  unlockedSeconds(): number {
    return this.#session?.unlocked.seconds(this.#now()) ?? 0;
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#guard(() => {
      if (this.#session !== null) this.#endSession('power_loss');
    });
    this.#clearState();
    this.#clearModeTimer();
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
    this.#clearModeTimer();
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

  // --- badges, modes and decisions ------------------------------------------------------

  #onBadge(raw: string, explicitMode: BadgeMode | undefined): void {
    const uid = normaliseUid(raw);
    if (uid === null) {
      this.#emit({ type: 'invalid_badge', raw });
      return;
    }
    if (this.#faulted) {
      this.#emit({ type: 'ignored_badge', uid, why: 'fault' });
      return;
    }
    if (this.#request !== null) {
      this.#emit({ type: 'ignored_badge', uid, why: 'pending' });
      return;
    }
    const mode = explicitMode ?? this.#mode;
    if (this.#mode !== 'use') this.#setMode('use', 'used'); // an armed mode serves one badge
    const session = this.#session;
    if (session !== null && session.uid === uid && mode === 'use') {
      this.#endSession('badge_out');
      return;
    }
    const requestId = randomUUID();
    const timer = setTimeout(
      () => this.#guard(() => this.#onDecisionTimeout(requestId)),
      this.#config.decisionTimeoutMs,
    );
    this.#request = { uid, requestId, at: this.#iso(), mode, sent: false, timer };
    this.#emit({ type: 'request', uid, requestId, mode, takeover: session !== null });
    this.#sendRequest();
  }

  #setMode(mode: BadgeMode, why: 'button' | 'selected' | 'used' | 'timeout'): void {
    this.#clearModeTimer();
    this.#mode = mode;
    if (mode !== 'use') {
      this.#modeTimer = setTimeout(() => {
        this.#modeTimer = null;
        this.#setMode('use', 'timeout');
      }, this.#modeResetMs);
    }
    this.#emit({ type: 'mode', mode, why });
  }

  #clearModeTimer(): void {
    if (this.#modeTimer !== null) clearTimeout(this.#modeTimer);
    this.#modeTimer = null;
  }

  #onButton(button: ButtonName): void {
    if (button === 'mode') this.pressModeButton();
    else this.report();
  }

  /**
   * Publishes the pending badge request if the broker is there; otherwise `#onConnect` does it
   * if the connection comes back before the decision timeout. Never queued inside mqtt.js: a
   * request delivered hours later would open a session nobody is standing at.
   */
  #sendRequest(): void {
    const request = this.#request;
    const client = this.#client;
    if (request === null || request.sent || client === null || !client.connected) return;
    request.sent = true;
    const payload: BadgeRequest = {
      requestId: request.requestId,
      badge: request.uid,
      at: request.at,
      ...(request.mode !== 'use' ? { mode: request.mode } : {}),
    };
    client.publish(this.#topic('badge'), JSON.stringify(payload), { qos: 1 });
  }

  #onDecisionTimeout(requestId: string): void {
    const request = this.#request;
    if (request === null || request.requestId !== requestId) return;
    if (request.sent) this.#abandon(requestId);
    this.#request = null;
    if (this.#session !== null) {
      // A takeover needs the server: the open session goes on.
      this.#emit({ type: 'denied', uid: request.uid, reason: 'offline:machine_busy', offline: true });
      return;
    }
    if (request.mode !== 'use') {
      // Certifying and enrolling are the server's business: nothing to decide alone.
      this.#emit({ type: 'denied', uid: request.uid, reason: 'offline:server_unreachable', offline: true });
      return;
    }
    this.#decideOffline(request.uid);
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
          unlockedSeconds: 0,
        });
        this.#emit({ type: 'late_grant_closed', sessionId: d.sessionId });
      }
      return;
    }
    const request = this.#request;
    if (request === null || request.requestId !== d.requestId) return; // another device's, or stale
    clearTimeout(request.timer);
    this.#request = null;
    const text = {
      ...(d.message !== undefined ? { message: d.message } : {}),
      ...(d.check !== undefined ? { check: d.check } : {}),
    };
    this.#emit({ type: 'display', uid: request.uid, granted: d.granted, reason: d.reason, ...text });
    if (!d.granted || !d.sessionId) {
      this.#emit({
        type: 'denied',
        uid: request.uid,
        reason: d.granted ? 'invalid_request' : d.reason,
        offline: false,
        ...text,
      });
      return;
    }
    const current = this.#session;
    if (current !== null && current.id === d.sessionId) {
      // The session already open: nothing to switch.
      this.#emit({ type: 'ignored_badge', uid: request.uid, why: 'busy' });
      return;
    }
    // Takeover: the server closed the current session; say so, keeping the relay closed.
    if (current !== null) this.#endSession('takeover', { keepRelay: true });
    this.#openSession({
      id: d.sessionId,
      uid: request.uid,
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
    const wasOn = this.#machine.relayOn;
    this.#machine.setRelay(true);
    const session: Session = {
      id: o.id,
      uid: o.uid,
      offline: o.offline,
      startedAt: new Date(now).toISOString(),
      seq: 0,
      meter: new RunningMeter(this.#machine.running, now),
      unlocked: new RunningMeter(true, now),
      maxRunningSeconds: o.maxRunningSeconds,
      deadlineMs: o.deadlineMs,
      cutAtMs: null,
      timers: [],
    };
    this.#session = session;
    session.timers.push(
      setInterval(() => this.#guard(() => this.#heartbeat()), this.#config.heartbeatSeconds * 1000),
      setInterval(() => this.#guard(() => this.#checkLimits()), this.#tickMs),
    );
    if (!wasOn) this.#emit({ type: 'relay', on: true });
    this.#emit({
      type: 'session_open',
      sessionId: o.id,
      uid: o.uid,
      offline: o.offline,
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o.maxRunningSeconds !== null ? { maxSeconds: o.maxRunningSeconds } : {}),
    });
    this.#saveSession(session, 0, 0);
    this.#publishStatus();
    // First runtime at once: an offline session becomes known to the server as soon as it can be.
    this.#heartbeat();
  }

  #heartbeat(): void {
    const s = this.#session;
    if (s === null) return;
    const now = this.#now();
    const runningSeconds = s.meter.seconds(now);
    const unlockedSeconds = s.unlocked.seconds(now);
    const event: RuntimeEvent = {
      eventId: randomUUID(),
      sessionId: s.id,
      seq: s.seq++,
      runningSeconds,
      at: new Date(now).toISOString(),
      unlockedSeconds,
      ...this.#offlineFields(s),
    };
    this.#publishEvent('runtime', event);
    this.#saveSession(s, runningSeconds, unlockedSeconds);
    this.#emit({ type: 'runtime', sessionId: s.id, seq: event.seq, runningSeconds, unlockedSeconds });
  }

  #checkLimits(): void {
    const s = this.#session;
    if (s === null) return;
    const now = this.#now();
    if (s.cutAtMs !== null && now >= s.cutAtMs) {
      this.#endSession('command');
      return;
    }
    if (
      (s.maxRunningSeconds !== null && s.meter.seconds(now) >= s.maxRunningSeconds) ||
      (s.deadlineMs !== null && now >= s.deadlineMs)
    ) {
      this.#endSession('timeout');
    }
  }

  #onRunning(running: boolean): void {
    if (this.#machine.hasRunningInput) this.#emit({ type: 'running', running });
    this.#session?.meter.set(running, this.#now());
  }

  /** Ends the open session; `keepRelay` only for a takeover (a new session follows at once). */
  #endSession(reason: EndReason, opts: { keepRelay?: boolean } = {}): void {
    const s = this.#session;
    if (s === null) return;
    // Relay first: whatever happens next, the machine is off.
    if (!opts.keepRelay) this.#machine.forceOff();
    if (s.cutAtMs !== null) this.#machine.setWarning(false);
    const now = this.#now();
    s.meter.set(false, now);
    s.unlocked.set(false, now);
    const runningSeconds = s.meter.seconds(now);
    const unlockedSeconds = s.unlocked.seconds(now);
    for (const t of s.timers) clearInterval(t);
    this.#session = null;
    if (!opts.keepRelay) this.#emit({ type: 'relay', on: false });
    const event: EndEvent = {
      eventId: randomUUID(),
      sessionId: s.id,
      runningSeconds,
      reason,
      at: new Date(now).toISOString(),
      unlockedSeconds,
      ...this.#offlineFields(s),
    };
    this.#publishEvent('end', event);
    this.#clearSavedSession();
    this.#emit({ type: 'session_end', sessionId: s.id, reason, runningSeconds, unlockedSeconds });
    if (!opts.keepRelay) this.#publishStatus();
  }

  #offlineFields(s: Session): { badge?: string; startedAt?: string } {
    return s.offline ? { badge: s.uid, startedAt: s.startedAt } : {};
  }

  #onCommand(payload: unknown): void {
    const parsed = commandSchema.safeParse(payload);
    if (!parsed.success) return;
    const c = parsed.data;
    const s = this.#session;
    if (s === null) {
      this.#machine.forceOff(); // nothing to end, but a lock is a lock
      return;
    }
    if (c.sessionId !== undefined && c.sessionId !== s.id) return; // about an older session
    const grace = c.graceSeconds ?? 0;
    if (grace <= 0) {
      this.#endSession('command');
      return;
    }
    if (s.cutAtMs !== null) return; // a grace is running: a second lock does not extend it
    s.cutAtMs = this.#now() + grace * 1000;
    // The tick checks cutAtMs against the controller's clock; this timer is the wall-clock cut.
    s.timers.push(setTimeout(() => this.#guard(() => this.#lockIfStill(s.id)), grace * 1000));
    this.#machine.setWarning(true);
    this.#emit({
      type: 'warning',
      sessionId: s.id,
      graceSeconds: grace,
      reason: c.reason,
      cutAt: new Date(s.cutAtMs).toISOString(),
    });
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
  #publishEvent(kind: 'runtime', event: RuntimeEvent): void;
  #publishEvent(kind: 'end', event: EndEvent): void;
  #publishEvent(kind: 'report', event: ReportEvent): void;
  #publishEvent(kind: 'material', event: MaterialEvent): void;
  #publishEvent(
    kind: 'runtime' | 'end' | 'report' | 'material',
    event: RuntimeEvent | EndEvent | ReportEvent | MaterialEvent,
  ): void {
    const payload = JSON.stringify(EVENT_SCHEMAS[kind].parse(event));
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
        if (this.#session !== null) this.#endSession('power_loss');
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
    this.#faulted = true; // the board is gone: no badge until a restart
    this.#publishStatus();
  }

  #clearState(): void {
    if (this.#request !== null) clearTimeout(this.#request.timer);
    this.#request = null;
    if (this.#session !== null) for (const t of this.#session.timers) clearInterval(t);
    this.#session = null;
    this.#machine.setWarning(false);
  }

  #abandon(requestId: string): void {
    this.#abandoned.push(requestId);
    if (this.#abandoned.length > MAX_ABANDONED) this.#abandoned.shift();
  }

  #saveSession(s: Session, runningSeconds: number, unlockedSeconds: number): void {
    const record: SessionRecord = {
      sessionId: s.id,
      uid: s.uid,
      offline: s.offline,
      startedAt: s.startedAt,
      runningSeconds,
      unlockedSeconds,
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
      // Saved at the last heartbeat, like runningSeconds (older files have none).
      const unlocked =
        typeof record.unlockedSeconds === 'number'
          ? { unlockedSeconds: Math.max(record.unlockedSeconds, record.runningSeconds) }
          : {};
      this.#publishEvent('end', {
        eventId: randomUUID(),
        sessionId: record.sessionId,
        runningSeconds: record.runningSeconds,
        reason: 'power_loss',
        at: this.#iso(),
        ...unlocked,
        ...(record.offline ? { badge: record.uid, startedAt: record.startedAt } : {}),
      });
      this.#emit({
        type: 'session_end',
        sessionId: record.sessionId,
        reason: 'power_loss',
        runningSeconds: record.runningSeconds,
        ...unlocked,
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
