/**
 * The controller of one machine (SPEC §2): badge reader (initiator) -> MQTT; MQTT -> relay
 * (actor). The shell around the session state machine (session-machine.ts, the rules: badge
 * in/out, decisions, takeover, offline decision on timeout, locks and grace, limits): it turns
 * inputs (reader, buttons, running input, MQTT, timers) into machine inputs and the machine's
 * effects into I/O. The other concerns have their own modules: MQTT connection with
 * TCP_NODELAY (mqtt-link.ts), durable outbox (outbox.ts) and at-least-once delivery until the
 * server's ack (delivery.ts), the offline allow-list on a monotonic clock (offline-list.ts,
 * rules in core/offline.ts), clocks (clock.ts), the badge mode (mode.ts), the power-cut record
 * (session-store.ts), relay/inputs/warning output (machine-io.ts), display lines (messages.ts).
 *
 * - Running and unlocked seconds, offline deadlines and a lock's grace are measured on the
 *   monotonic clock; the wall clock stamps `at` / `startedAt` only (clock.ts).
 * - `report(note?)` and `recordMaterial(materialId, quantity)` publish `report` / `material`
 *   events through the same outbox; neither touches the relay.
 * - FAIL SECURE: the relay is off at start, on every fault and on stop; only a grant closes it.
 *
 * Lifecycle: the constructor assigns; `start()` connects; `stop()` ends the session, clears
 * timers and listeners and closes the socket; `abort()` drops everything like a power cut.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { normaliseUid } from '../core/ids.ts';
import {
  ackSchema,
  type BadgeMode,
  type BadgeRequest,
  commandSchema,
  decisionSchema,
  type EndEvent,
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
import { type Clock, clockFromNow, iso, systemClock } from './clock.ts';
import type { ControllerConfig } from './config.ts';
import { Delivery, type PendingEvent } from './delivery.ts';
import type { ControllerEvent } from './events.ts';
import type { ButtonName, MachineIo } from './machine-io.ts';
import { ModeSelector } from './mode.ts';
import { connectBoard } from './mqtt-link.ts';
import { OfflineList } from './offline-list.ts';
import { Outbox } from './outbox.ts';
import { RunningMeter } from './running-meter.ts';
import { SessionEvents } from './session-events.ts';
import {
  type BoardInput,
  type BoardState,
  type Effect,
  INITIAL_STATE,
  type OpenSession,
  type PendingRequest,
  type Stamp,
  transition,
} from './session-machine.ts';
import { SessionStore } from './session-store.ts';

export type { ControllerEvent } from './events.ts';

export interface ControllerOptions {
  config: ControllerConfig;
  machine: MachineIo;
  /** one clock for wall and monotonic time (tests; older option), ms */
  now?: () => number;
  /** wall + monotonic clocks (default: Date.now and performance.now); wins over `now` */
  clock?: Clock;
  /** how often session limits are checked, ms (default 1000) */
  tickMs?: number;
  /** MQTT reconnect period, ms (default 2000) */
  reconnectPeriodMs?: number;
  /** an armed certify/enrol mode falls back to `use` after this long, ms (default 30 000) */
  modeResetMs?: number;
  /** first resend of an event the server has not acknowledged, ms (default 20 000; delivery.ts) */
  resendAfterMs?: number;
  /** longest wait between resends, ms (default 300 000) */
  resendMaxMs?: number;
  /** outbox bound (default 1000 events; outbox.ts says what is dropped) */
  outboxMaxEntries?: number;
  onEvent?: (event: ControllerEvent) => void;
}

/** The I/O side of the open session: meters and timers. */
interface Live {
  id: string;
  meter: RunningMeter;
  unlocked: RunningMeter;
  timers: NodeJS.Timeout[];
}

const ACKED_TOPICS = ['runtime', 'end', 'report', 'material'] as const;
type EventKind = (typeof ACKED_TOPICS)[number];
const EVENT_SCHEMAS = {
  runtime: runtimeEventSchema,
  end: endEventSchema,
  report: reportEventSchema,
  material: materialEventSchema,
} as const;
const MAX_ABANDONED = 32;

export class Controller {
  readonly #config: ControllerConfig;
  readonly #machine: MachineIo;
  readonly #clock: Clock;
  readonly #tickMs: number;
  readonly #reconnectPeriodMs: number;
  readonly #onEvent: (event: ControllerEvent) => void;
  readonly #outbox: Outbox;
  readonly #delivery: Delivery;
  readonly #list: OfflineList;
  readonly #store: SessionStore;
  readonly #mode: ModeSelector;
  readonly #events: SessionEvents;
  #client: MqttClient | null = null;
  #state: BoardState = INITIAL_STATE;
  #live: Live | null = null;
  #request: { id: string; sent: boolean; timer: NodeJS.Timeout } | null = null;
  /** requests whose decision came too late: a late grant must not leave a session open */
  #abandoned: string[] = [];
  #started = false;

  constructor(opts: ControllerOptions) {
    this.#config = opts.config;
    this.#machine = opts.machine;
    this.#clock = opts.clock ?? (opts.now ? clockFromNow(opts.now) : systemClock);
    this.#tickMs = opts.tickMs ?? 1000;
    this.#reconnectPeriodMs = opts.reconnectPeriodMs ?? 2000;
    this.#onEvent = opts.onEvent ?? (() => {});
    this.#mode = new ModeSelector(opts.modeResetMs ?? 30_000, (mode, why) =>
      this.#emit({ type: 'mode', mode, why }),
    );
    this.#outbox = new Outbox(opts.config.dataDir, { maxEntries: opts.outboxMaxEntries });
    this.#delivery = new Delivery({
      outbox: this.#outbox,
      publish: (entry, done) =>
        this.#client?.publish(entry.topic, entry.payload, { qos: 1 }, (err) => done(err)),
      connected: () => this.connected,
      emit: (e) => this.#emit(e),
      ...(opts.resendAfterMs !== undefined ? { resendAfterMs: opts.resendAfterMs } : {}),
      ...(opts.resendMaxMs !== undefined ? { resendMaxMs: opts.resendMaxMs } : {}),
    });
    this.#list = new OfflineList({
      publicKeyPem: opts.config.allowListPublicKey,
      machineId: opts.config.machineId,
      dataDir: opts.config.dataDir,
      clock: this.#clock,
    });
    this.#store = new SessionStore(opts.config.dataDir);
    this.#events = new SessionEvents(this.#clock, (kind, event) => this.#publishEvent(kind, event));
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
    this.#list.load();
    this.#outbox.open(); // left over from the previous run: sent first, in order, on connect
    const client = connectBoard(this.#config.mqttUrl, {
      clientId: this.#config.deviceId,
      username: this.#config.deviceId,
      password: this.#config.secret,
      protocolVersion: 4,
      // A persistent session: a `lock` or an `ack` published while the board was briefly away still arrives.
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
    this.#guard(() => {
      const record = this.#store.take();
      if (record !== null) this.#events.recovered(record, (e) => this.#emit(e));
      this.#store.clear();
    });
    this.#started = true;
  }

  /** A badge was read (any case; normalised here). `mode` overrides the armed mode. */
  badge(raw: string, mode?: BadgeMode): void {
    this.#guard(() => {
      const uid = normaliseUid(raw);
      if (uid === null) {
        this.#emit({ type: 'invalid_badge', raw });
        return;
      }
      const busy = this.#state.kind === 'requesting' || this.#state.kind === 'in_session_requesting';
      const resolved =
        this.#state.kind === 'faulted' || busy ? (mode ?? this.#mode.mode) : this.#mode.consume(mode);
      this.#dispatch({ type: 'badge', uid, mode: resolved, requestId: randomUUID(), now: this.#stamp() });
    });
  }

  get mode(): BadgeMode {
    return this.#mode.mode;
  }

  /** The mode button: use -> certify -> enrol -> use. Returns the new mode. */
  pressModeButton(): BadgeMode {
    return this.#mode.pressButton();
  }

  /** Arms a mode for the next badge (falls back to `use` after `modeResetMs`). */
  selectMode(mode: BadgeMode): void {
    this.#mode.set(mode, 'selected');
  }

  /** Report a problem (issue #6): a `report` event; the eventId, or null (not started, fault). */
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

  /** Consumables used in the open session (issue #6); null when refused (no session, invalid). */
  recordMaterial(materialId: string, quantity: number): string | null {
    if (!this.#started) return null;
    const sessionId = this.sessionId;
    if (sessionId === null) {
      this.#emit({ type: 'material_refused', materialId, quantity, why: 'no_session' });
      return null;
    }
    const parsed = materialEventSchema.safeParse({
      eventId: randomUUID(),
      sessionId,
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
      this.#emit({ type: 'material', eventId: event.eventId, sessionId, materialId, quantity });
    });
    return eventId;
  }

  get relayOn(): boolean {
    return this.#machine.relayOn;
  }

  /** The session state machine's state (read-only view). */
  get state(): BoardState {
    return this.#state;
  }

  get sessionId(): string | null {
    return this.#session()?.id ?? null;
  }

  /** A lock's grace is running (the warning output blinks). */
  get warning(): boolean {
    return (this.#session()?.cutAtMono ?? null) !== null;
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** Events the server has not acknowledged yet (`delivered`: the broker took them once). */
  pendingEvents(): PendingEvent[] {
    return this.#delivery.pending();
  }

  /** Running seconds of the open session (0 without one). */
  runningSeconds(): number {
    return this.#live?.meter.seconds(this.#clock.monoMs()) ?? 0;
  }

  /** Seconds the relay has been closed in the open session (0 without one). */
  unlockedSeconds(): number {
    return this.#live?.unlocked.seconds(this.#clock.monoMs()) ?? 0;
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#guard(() => this.#dispatch({ type: 'power_down' }));
    this.#clearState();
    this.#mode.clear();
    this.#delivery.stop();
    this.#machine.forceOff();
    const client = this.#client;
    if (client) {
      if (client.connected) {
        client.publish(this.#topic('status'), JSON.stringify({ online: false, relay: 'off' }), {
          qos: 1,
          retain: true,
        });
      }
      // Give in-flight events a moment; whatever the server has not acked stays in the outbox.
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
    this.#mode.clear();
    this.#delivery.stop();
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

  // --- the state machine and its effects ------------------------------------------------

  #dispatch(input: BoardInput): void {
    const before = this.#state;
    const t = transition(before, input);
    this.#state = t.state;
    if (!t.accepted) this.#emit({ type: 'refused', input: input.type, state: before.kind, why: t.why ?? '' });
    for (const effect of t.effects) this.#apply(effect);
    // A request settled (decision, timeout, fault): its timer goes.
    const pending = this.#pendingRequest();
    if (this.#request !== null && pending?.requestId !== this.#request.id) {
      clearTimeout(this.#request.timer);
      this.#request = null;
    }
  }

  #apply(effect: Effect): void {
    switch (effect.type) {
      case 'notify':
        this.#emit(effect.event);
        return;
      case 'send_request':
        this.#startRequest(effect.request);
        return;
      case 'open_session':
        this.#openSession(effect.session);
        return;
      case 'end_session':
        this.#endSession(effect.sessionId, effect.reason, effect.keepRelay);
        return;
      case 'relay_off':
        this.#machine.forceOff();
        return;
      case 'warning':
        this.#machine.setWarning(true);
        this.#emit({
          type: 'warning',
          sessionId: effect.sessionId,
          graceSeconds: effect.graceSeconds,
          reason: effect.reason,
          cutAt: iso(this.#clock.wallMs() + effect.graceSeconds * 1000),
        });
        return;
      case 'abandon':
        if (this.#request?.id === effect.requestId && this.#request.sent) {
          this.#abandoned.push(effect.requestId);
          if (this.#abandoned.length > MAX_ABANDONED) this.#abandoned.shift();
        }
        return;
      case 'close_late_grant':
        this.#events.end(effect.sessionId, 'takeover', 0, 0);
        this.#emit({ type: 'late_grant_closed', sessionId: effect.sessionId });
        return;
    }
  }

  #startRequest(request: PendingRequest): void {
    const timer = setTimeout(
      () =>
        this.#guard(() =>
          this.#dispatch({
            type: 'decision_timeout',
            requestId: request.requestId,
            offline: this.#list.decide(request.uid),
            offlineSessionId: `${OFFLINE_SESSION_PREFIX}${randomUUID()}`,
            now: this.#stamp(),
          }),
        ),
      this.#config.decisionTimeoutMs,
    );
    this.#request = { id: request.requestId, sent: false, timer };
    this.#sendRequest();
  }

  /**
   * Publishes the pending badge request if the broker is there; otherwise `#onConnect` does it
   * if the connection comes back before the decision timeout. Never queued inside mqtt.js: a
   * request delivered hours later would open a session nobody is standing at.
   */
  #sendRequest(): void {
    const request = this.#pendingRequest();
    const client = this.#client;
    if (request === null || this.#request === null || this.#request.sent || !client?.connected) return;
    this.#request.sent = true;
    const payload: BadgeRequest = {
      requestId: request.requestId,
      badge: request.uid,
      at: request.at,
      ...(request.mode !== 'use' ? { mode: request.mode } : {}),
    };
    client.publish(this.#topic('badge'), JSON.stringify(payload), { qos: 1 });
  }

  #openSession(session: OpenSession): void {
    const mono = this.#clock.monoMs();
    const wasOn = this.#machine.relayOn;
    this.#machine.setRelay(true);
    this.#live = {
      id: session.id,
      meter: new RunningMeter(this.#machine.running, mono),
      unlocked: new RunningMeter(true, mono),
      timers: [
        setInterval(() => this.#guard(() => this.#heartbeat()), this.#config.heartbeatSeconds * 1000),
        setInterval(() => this.#guard(() => this.#tick()), this.#tickMs),
      ],
    };
    if (!wasOn) this.#emit({ type: 'relay', on: true });
    this.#emit({
      type: 'session_open',
      sessionId: session.id,
      uid: session.uid,
      offline: session.offline,
      ...(session.name !== undefined ? { name: session.name } : {}),
      ...(session.maxRunningSeconds !== null ? { maxSeconds: session.maxRunningSeconds } : {}),
    });
    this.#events.open(session);
    this.#store.save(this.#events.record(session, 0, 0));
    this.#publishStatus();
    // First runtime at once: an offline session becomes known to the server as soon as it can be.
    this.#heartbeat();
  }

  #heartbeat(): void {
    const session = this.#session();
    const live = this.#live;
    if (session === null || live === null) return;
    const mono = this.#clock.monoMs();
    const running = live.meter.seconds(mono);
    const unlocked = live.unlocked.seconds(mono);
    const event = this.#events.runtime(session, running, unlocked);
    this.#store.save(this.#events.record(session, running, unlocked));
    this.#emit({
      type: 'runtime',
      sessionId: session.id,
      seq: event.seq,
      runningSeconds: running,
      unlockedSeconds: unlocked,
    });
  }

  #tick(): void {
    const live = this.#live;
    if (live === null) return;
    const mono = this.#clock.monoMs();
    this.#dispatch({
      type: 'tick',
      now: this.#stamp(),
      runningSeconds: live.meter.seconds(mono),
      unlockedSeconds: live.unlocked.seconds(mono),
      running: live.meter.running,
    });
  }

  #endSession(sessionId: string, reason: EndEvent['reason'], keepRelay: boolean): void {
    const live = this.#live;
    // Relay first: whatever happens next, the machine is off.
    if (!keepRelay) this.#machine.forceOff();
    this.#machine.setWarning(false);
    const mono = this.#clock.monoMs();
    let running = 0;
    let unlocked = 0;
    if (live !== null && live.id === sessionId) {
      live.meter.set(false, mono);
      live.unlocked.set(false, mono);
      running = live.meter.seconds(mono);
      unlocked = live.unlocked.seconds(mono);
      for (const t of live.timers) clearInterval(t);
      this.#live = null;
    }
    if (!keepRelay) this.#emit({ type: 'relay', on: false });
    this.#events.end(sessionId, reason, running, unlocked);
    this.#store.clear();
    this.#emit({
      type: 'session_end',
      sessionId,
      reason,
      runningSeconds: running,
      unlockedSeconds: unlocked,
    });
    if (!keepRelay) this.#publishStatus();
  }

  #onRunning(running: boolean): void {
    if (this.#machine.hasRunningInput) this.#emit({ type: 'running', running });
    this.#live?.meter.set(running, this.#clock.monoMs());
  }

  #onButton(button: ButtonName): void {
    if (button === 'mode') this.pressModeButton();
    else this.report();
  }

  // --- MQTT -----------------------------------------------------------------------------

  #onConnect(): void {
    this.#emit({ type: 'connected' });
    const client = this.#client;
    if (client === null) return;
    client.subscribe(
      (['decision', 'command', 'allowlist', 'ack'] as const).map((k) => this.#topic(k)),
      { qos: 1 },
      (err) => {
        if (err) this.#emit({ type: 'mqtt_error', message: `subscribe: ${err.message}` });
      },
    );
    this.#publishStatus();
    this.#sendRequest();
    this.#delivery.onConnect();
  }

  #onMessage(topic: string, payload: Buffer): void {
    const kind = topic.split('/').at(-1) as TopicKind;
    if (topic !== this.#topic(kind)) return;
    if (kind === 'allowlist') {
      const r = this.#list.receive(payload);
      if (r !== null) this.#emit({ type: 'allowlist', ...r });
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(payload.toString('utf8'));
    } catch {
      return; // not ours to answer: the server validates what it sends
    }
    if (kind === 'ack') {
      const ack = ackSchema.safeParse(data);
      if (ack.success) this.#delivery.onAck(ack.data);
    } else if (kind === 'decision') {
      const d = decisionSchema.safeParse(data);
      if (!d.success) return;
      const late = d.data.requestId !== null && this.#abandoned.includes(d.data.requestId);
      this.#dispatch({ type: 'decision', decision: d.data, late, now: this.#stamp() });
    } else if (kind === 'command') {
      const c = commandSchema.safeParse(data);
      if (c.success) this.#dispatch({ type: 'command', command: c.data, now: this.#stamp() });
    }
  }

  /** Validates an event against the contract, then hands it to the outbox and delivery. */
  #publishEvent(kind: EventKind, event: RuntimeEvent | EndEvent | ReportEvent | MaterialEvent): void {
    const payload = JSON.stringify(EVENT_SCHEMAS[kind].parse(event));
    this.#delivery.enqueue({ id: event.eventId, topic: this.#topic(kind), payload });
  }

  #publishStatus(): void {
    const client = this.#client;
    if (client === null || !client.connected) return; // sent again on connect
    const sessionId = this.sessionId;
    const status = {
      online: true,
      relay: this.#machine.relayOn ? 'on' : 'off',
      ...(sessionId ? { sessionId } : {}),
    };
    client.publish(this.#topic('status'), JSON.stringify(status), { qos: 1, retain: true });
  }

  // --- faults -----------------------------------------------------------------------------

  /** Runs a handler; any error cuts the machine and ends the session (fail secure). */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#failSecure(err, false);
    }
  }

  #failSecure(err: unknown, permanent: boolean): void {
    this.#emit({ type: 'fault', message: (err as Error)?.message ?? String(err) });
    this.#machine.forceOff();
    try {
      this.#dispatch({ type: 'fault', permanent });
    } catch {
      // the outbox itself failed: the relay is off, nothing more to do safely
    }
    this.#clearState();
    if (permanent) this.#state = { kind: 'faulted' };
    this.#emit({ type: 'relay', on: false });
  }

  #fault(err: Error): void {
    this.#failSecure(err, true); // the board is gone: no badge until a restart
    this.#publishStatus();
  }

  #clearState(): void {
    if (this.#request !== null) clearTimeout(this.#request.timer);
    this.#request = null;
    if (this.#live !== null) for (const t of this.#live.timers) clearInterval(t);
    this.#live = null;
    if (this.#state.kind !== 'faulted') this.#state = INITIAL_STATE;
    this.#machine.setWarning(false);
  }

  #session(): OpenSession | null {
    const s = this.#state;
    return s.kind === 'in_session' || s.kind === 'in_session_requesting' ? s.session : null;
  }

  #pendingRequest(): PendingRequest | null {
    const s = this.#state;
    return s.kind === 'requesting' || s.kind === 'in_session_requesting' ? s.request : null;
  }

  #topic(kind: TopicKind): string {
    return machineTopic(this.#config.topicRoot, this.#config.machineId, kind);
  }

  #stamp(): Stamp {
    return { at: this.#iso(), mono: this.#clock.monoMs() };
  }

  #iso(): string {
    return iso(this.#clock.wallMs());
  }

  #emit(event: ControllerEvent): void {
    try {
      this.#onEvent(event);
    } catch {
      // an observer's bug must not reach the relay logic
    }
  }
}
