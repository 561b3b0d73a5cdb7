/**
 * The controller of one machine (SPEC §2): badge reader -> MQTT; MQTT -> relay. The shell around
 * the session state machine (session-machine.ts holds the rules): it turns inputs (reader,
 * buttons, running input, MQTT, timers) into machine inputs, and the machine's effects into I/O
 * through its modules: MQTT with TCP_NODELAY (mqtt-link.ts), the outbox kept until the server's
 * ack (outbox.ts, delivery.ts), the allow-list on a monotonic clock (offline-list.ts; rules in
 * core/offline.ts), the open session's relay, meters and heartbeat (session-runner.ts,
 * session-events.ts, session-store.ts), the badge mode (mode.ts), the request in flight
 * (badge-requests.ts), report/material events (lab-events.ts). Durations are monotonic; the wall
 * clock only stamps (clock.ts). FAIL SECURE: the relay is off at start, on every fault and on
 * stop; only a grant closes it. `stop()` ends the session and closes; `abort()` is a power cut.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { normaliseUid } from '../core/ids.ts';
import { type BadgeMode, OFFLINE_SESSION_PREFIX } from '../core/mqtt-contract.ts';
import { BadgeRequests } from './badge-requests.ts';
import { type Clock, clockFromNow, iso, systemClock } from './clock.ts';
import type { ControllerConfig } from './config.ts';
import { Delivery, type PendingEvent } from './delivery.ts';
import { type ControllerEvent, safeObserver } from './events.ts';
import { type DeviceEvent, type EventKind, eventPayload, materialEvent, reportEvent } from './lab-events.ts';
import type { MachineIo } from './machine-io.ts';
import { ModeSelector } from './mode.ts';
import { BoardLink } from './mqtt-link.ts';
import { OfflineList } from './offline-list.ts';
import type { ControllerOptions } from './options.ts';
import { Outbox } from './outbox.ts';
import { SessionEvents } from './session-events.ts';
import {
  type BoardInput,
  type BoardState,
  type Effect,
  INITIAL_STATE,
  type PendingRequest,
  requestOf,
  type Stamp,
  sessionOf,
  transition,
} from './session-machine.ts';
import { SessionRunner } from './session-runner.ts';
import { SessionStore } from './session-store.ts';

export type { ControllerEvent } from './events.ts';
export type { ControllerOptions } from './options.ts';

export class Controller {
  readonly #config: ControllerConfig;
  readonly #machine: MachineIo;
  readonly #clock: Clock;
  readonly #reconnectPeriodMs: number;
  readonly #emit: (event: ControllerEvent) => void;
  readonly #outbox: Outbox;
  readonly #delivery: Delivery;
  readonly #list: OfflineList;
  readonly #store: SessionStore;
  readonly #mode: ModeSelector;
  readonly #events: SessionEvents;
  readonly #runner: SessionRunner;
  readonly #link: BoardLink;
  #state: BoardState = INITIAL_STATE;
  readonly #requests: BadgeRequests;
  #started = false;

  constructor(opts: ControllerOptions) {
    const config = opts.config;
    this.#config = config;
    this.#machine = opts.machine;
    this.#clock = opts.clock ?? (opts.now ? clockFromNow(opts.now) : systemClock);
    this.#reconnectPeriodMs = opts.reconnectPeriodMs ?? 2000;
    const emit = safeObserver(opts.onEvent ?? (() => {}));
    this.#emit = emit;
    this.#link = new BoardLink({ topicRoot: config.topicRoot, machineId: config.machineId });
    this.#mode = new ModeSelector(opts.modeResetMs ?? 30_000, (mode, why) =>
      emit({ type: 'mode', mode, why }),
    );
    this.#outbox = new Outbox(config.dataDir, { maxEntries: opts.outboxMaxEntries });
    this.#delivery = new Delivery({
      outbox: this.#outbox,
      publish: (entry, done) => this.#link.publish(entry.topic, entry.payload, {}, done),
      connected: () => this.#link.connected,
      emit,
      ...(opts.resendAfterMs !== undefined ? { resendAfterMs: opts.resendAfterMs } : {}),
      ...(opts.resendMaxMs !== undefined ? { resendMaxMs: opts.resendMaxMs } : {}),
    });
    const { allowListPublicKey: publicKeyPem, machineId, dataDir } = config;
    this.#list = new OfflineList({ publicKeyPem, machineId, dataDir, clock: this.#clock });
    this.#store = new SessionStore(dataDir);
    this.#requests = new BadgeRequests(config.decisionTimeoutMs, (payload) =>
      this.#link.publish(this.#link.topic('badge'), payload),
    );
    this.#events = new SessionEvents(this.#clock, (kind, event) => this.#publishEvent(kind, event));
    this.#runner = new SessionRunner({
      machine: this.#machine,
      clock: this.#clock,
      events: this.#events,
      store: this.#store,
      heartbeatSeconds: config.heartbeatSeconds,
      tickMs: opts.tickMs ?? 1000,
      emit,
      guard: (fn) => this.#guard(fn),
      onTick: (reading) => this.#dispatch({ type: 'tick', now: this.#stamp(), ...reading }),
      publishStatus: () => this.#publishStatus(),
    });
  }

  async start(): Promise<void> {
    mkdirSync(this.#config.dataDir, { recursive: true });
    this.#machine.attach({
      onFault: (err) => this.#fault(err),
      onRunningChange: (running) =>
        this.#guard(() => {
          if (this.#machine.hasRunningInput) this.#emit({ type: 'running', running });
          this.#runner.setRunning(running);
        }),
      onButton: (button) => (button === 'mode' ? this.pressModeButton() : this.report()),
    });
    await this.#machine.start(); // the relay is off from here on
    this.#emit({ type: 'relay', on: false });
    this.#list.load();
    this.#outbox.open(); // left over from the previous run: sent first, in order, on connect
    this.#link.connect(
      { ...this.#config, reconnectPeriodMs: this.#reconnectPeriodMs },
      {
        guard: (fn) => this.#guard(fn),
        onConnect: () => this.#onConnect(),
        onClose: () => this.#emit({ type: 'disconnected' }),
        onError: (message) => this.#emit({ type: 'mqtt_error', message }),
        onAck: (ack) => this.#delivery.onAck(ack),
        onAllowList: (payload) => {
          const r = this.#list.receive(payload);
          if (r !== null) this.#emit({ type: 'allowlist', ...r });
        },
        onCommand: (command) => this.#dispatch({ type: 'command', command, now: this.#stamp() }),
        onDecision: (decision) => {
          const late = this.#requests.isAbandoned(decision.requestId);
          this.#dispatch({ type: 'decision', decision, late, now: this.#stamp() });
        },
      },
    );
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
      // An armed mode serves one badge: not one ignored because of a fault or a pending request.
      const kind = this.#state.kind;
      const ignored = kind === 'faulted' || kind === 'requesting' || kind === 'in_session_requesting';
      const resolved = ignored ? (mode ?? this.#mode.mode) : this.#mode.consume(mode);
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
    const event = reportEvent(note, this.#iso());
    if (!this.#publishGuarded('report', event)) return null;
    this.#emit({ type: 'report', eventId: event.eventId, ...(event.note ? { note: event.note } : {}) });
    return event.eventId;
  }

  /** Consumables used in the open session (issue #6); null when refused (no session, invalid). */
  recordMaterial(materialId: string, quantity: number): string | null {
    if (!this.#started) return null;
    const sessionId = this.sessionId;
    const event = sessionId === null ? null : materialEvent(sessionId, materialId, quantity, this.#iso());
    if (sessionId === null || event === null) {
      const why = sessionId === null ? 'no_session' : 'invalid';
      this.#emit({ type: 'material_refused', materialId, quantity, why });
      return null;
    }
    if (!this.#publishGuarded('material', event)) return null;
    this.#emit({ type: 'material', eventId: event.eventId, sessionId, materialId, quantity });
    return event.eventId;
  }

  get relayOn(): boolean {
    return this.#machine.relayOn;
  }

  /** The session state machine's state (read-only view). */
  get state(): BoardState {
    return this.#state;
  }

  get sessionId(): string | null {
    return sessionOf(this.#state)?.id ?? null;
  }

  /** A lock's grace is running (the warning output blinks). */
  get warning(): boolean {
    return (sessionOf(this.#state)?.cutAtMono ?? null) !== null;
  }

  get connected(): boolean {
    return this.#link.connected;
  }

  /** Events the server has not acknowledged yet (`delivered`: the broker took them once). */
  pendingEvents(): PendingEvent[] {
    return this.#delivery.pending();
  }

  /** Running seconds of the open session (0 without one). */
  runningSeconds(): number {
    return this.#runner.reading().runningSeconds;
  }

  /** Seconds the relay has been closed in the open session (0 without one). */
  unlockedSeconds(): number {
    return this.#runner.reading().unlockedSeconds;
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#guard(() => this.#dispatch({ type: 'power_down' }));
    this.#teardown();
    await this.#link.close(); // whatever the server has not acked stays in the outbox
    this.#outbox.close();
    await this.#machine.stop();
  }

  /** Drops everything at once, as a power cut would: no `end`, no status, no file write. */
  abort(): void {
    this.#teardown();
    this.#link.abort();
    this.#outbox.close();
    void this.#machine.stop().catch(() => {});
  }

  #teardown(): void {
    this.#started = false;
    this.#clearState();
    this.#mode.clear();
    this.#delivery.stop();
    this.#machine.forceOff();
  }

  // --- the state machine and its effects ------------------------------------------------

  #dispatch(input: BoardInput): void {
    const before = this.#state;
    const t = transition(before, input);
    this.#state = t.state;
    if (!t.accepted) this.#emit({ type: 'refused', input: input.type, state: before.kind, why: t.why ?? '' });
    for (const effect of t.effects) this.#apply(effect);
    this.#requests.sync(requestOf(this.#state)); // a request settled: its timer goes
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
        this.#runner.open(effect.session);
        return;
      case 'end_session':
        this.#runner.end(effect.sessionId, effect.reason, effect.keepRelay);
        return;
      case 'relay_off':
        this.#machine.forceOff();
        return;
      case 'warning':
        this.#runner.warn(effect.sessionId, effect.graceSeconds, effect.reason);
        return;
      case 'abandon':
        this.#requests.abandon(effect.requestId);
        return;
      case 'close_late_grant':
        this.#events.end(effect.sessionId, 'takeover', 0, 0);
        this.#emit({ type: 'late_grant_closed', sessionId: effect.sessionId });
        return;
    }
  }

  #startRequest(request: PendingRequest): void {
    const timeout = () =>
      this.#dispatch({
        type: 'decision_timeout',
        requestId: request.requestId,
        offline: this.#list.decide(request.uid),
        offlineSessionId: `${OFFLINE_SESSION_PREFIX}${randomUUID()}`,
        now: this.#stamp(),
      });
    this.#requests.start(request, () => this.#guard(timeout));
  }

  #onConnect(): void {
    this.#emit({ type: 'connected' });
    this.#publishStatus();
    this.#requests.send();
    this.#delivery.onConnect();
  }

  /** Validates an event against the contract, then hands it to the outbox and delivery. */
  #publishEvent(kind: EventKind, event: DeviceEvent): void {
    this.#delivery.enqueue({
      id: event.eventId,
      topic: this.#link.topic(kind),
      payload: eventPayload(kind, event),
    });
  }

  /** Publishes under the guard: false when the outbox failed (a fault, the relay opened). */
  #publishGuarded(kind: EventKind, event: DeviceEvent): boolean {
    let ok = false;
    this.#guard(() => {
      this.#publishEvent(kind, event);
      ok = true;
    });
    return ok;
  }

  #publishStatus(): void {
    this.#link.publishStatus(this.#machine.relayOn, this.sessionId); // sent again on connect
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
    this.#requests.settle();
    this.#runner.clear();
    if (this.#state.kind !== 'faulted') this.#state = INITIAL_STATE;
    this.#machine.setWarning(false);
  }

  #stamp(): Stamp {
    return { at: this.#iso(), mono: this.#clock.monoMs() };
  }

  #iso(): string {
    return iso(this.#clock.wallMs());
  }
}
