/**
 * The I/O side of the open session: the relay, the running and unlocked meters (monotonic
 * clock), the heartbeat (`runtime` every `heartbeatSeconds`) and the limits tick that feeds the
 * state machine, the power-cut record. Opened and ended only by the state machine's effects.
 */
import type { EndReason } from '../core/mqtt-contract.ts';
import type { Clock } from './clock.ts';
import type { ControllerEvent } from './events.ts';
import type { MachineIo } from './machine-io.ts';
import { RunningMeter } from './running-meter.ts';
import type { SessionEvents } from './session-events.ts';
import type { OpenSession } from './session-machine.ts';
import type { SessionStore } from './session-store.ts';

export interface MeterReading {
  runningSeconds: number;
  unlockedSeconds: number;
  running: boolean;
}

export interface SessionRunnerOptions {
  machine: MachineIo;
  clock: Clock;
  events: SessionEvents;
  store: SessionStore;
  heartbeatSeconds: number;
  tickMs: number;
  emit: (event: ControllerEvent) => void;
  /** wraps timer callbacks (the controller's fail-secure guard) */
  guard: (fn: () => void) => void;
  /** the limits check: the controller dispatches a `tick` to the state machine */
  onTick: (reading: MeterReading) => void;
  publishStatus: () => void;
}

interface Live {
  session: OpenSession;
  meter: RunningMeter;
  unlocked: RunningMeter;
  timers: NodeJS.Timeout[];
}

export class SessionRunner {
  readonly #o: SessionRunnerOptions;
  #live: Live | null = null;

  constructor(o: SessionRunnerOptions) {
    this.#o = o;
  }

  open(session: OpenSession): void {
    const { machine, clock } = this.#o;
    const mono = clock.monoMs();
    const wasOn = machine.relayOn;
    machine.setRelay(true);
    this.#live = {
      session,
      meter: new RunningMeter(machine.running, mono),
      unlocked: new RunningMeter(true, mono),
      timers: [
        setInterval(() => this.#o.guard(() => this.heartbeat()), this.#o.heartbeatSeconds * 1000),
        setInterval(() => this.#o.guard(() => this.#tick()), this.#o.tickMs),
      ],
    };
    if (!wasOn) this.#o.emit({ type: 'relay', on: true });
    this.#o.emit({
      type: 'session_open',
      sessionId: session.id,
      uid: session.uid,
      offline: session.offline,
      ...(session.name !== undefined ? { name: session.name } : {}),
      ...(session.maxRunningSeconds !== null ? { maxSeconds: session.maxRunningSeconds } : {}),
    });
    this.#o.events.open(session);
    this.#o.store.save(this.#o.events.record(session, 0, 0));
    this.#o.publishStatus();
    // First runtime at once: an offline session becomes known to the server as soon as it can be.
    this.heartbeat();
  }

  heartbeat(): void {
    const live = this.#live;
    if (live === null) return;
    const { runningSeconds, unlockedSeconds } = this.reading(live);
    const event = this.#o.events.runtime(live.session, runningSeconds, unlockedSeconds);
    this.#o.store.save(this.#o.events.record(live.session, runningSeconds, unlockedSeconds));
    this.#o.emit({
      type: 'runtime',
      sessionId: live.session.id,
      seq: event.seq,
      runningSeconds,
      unlockedSeconds,
    });
  }

  /** Ends the session: relay first (unless a takeover keeps it), meters stopped, `end` published. */
  end(sessionId: string, reason: EndReason, keepRelay: boolean): void {
    const { machine, clock } = this.#o;
    if (!keepRelay) machine.forceOff();
    machine.setWarning(false);
    const live = this.#live;
    let reading = { runningSeconds: 0, unlockedSeconds: 0 };
    if (live !== null && live.session.id === sessionId) {
      const mono = clock.monoMs();
      live.meter.set(false, mono);
      live.unlocked.set(false, mono);
      const r = this.reading(live);
      reading = { runningSeconds: r.runningSeconds, unlockedSeconds: r.unlockedSeconds };
      this.clear();
    }
    if (!keepRelay) this.#o.emit({ type: 'relay', on: false });
    this.#o.events.end(sessionId, reason, reading.runningSeconds, reading.unlockedSeconds);
    this.#o.store.clear();
    this.#o.emit({ type: 'session_end', sessionId, reason, ...reading });
    if (!keepRelay) this.#o.publishStatus();
  }

  /** A lock with grace: the warning output blinks until the session ends. */
  warn(sessionId: string, graceSeconds: number, reason: string): void {
    this.#o.machine.setWarning(true);
    const cutAt = new Date(this.#o.clock.wallMs() + graceSeconds * 1000).toISOString();
    this.#o.emit({ type: 'warning', sessionId, graceSeconds, reason, cutAt });
  }

  setRunning(running: boolean): void {
    this.#live?.meter.set(running, this.#o.clock.monoMs());
  }

  reading(live: Live | null = this.#live): MeterReading {
    if (live === null) return { runningSeconds: 0, unlockedSeconds: 0, running: false };
    const mono = this.#o.clock.monoMs();
    return {
      runningSeconds: live.meter.seconds(mono),
      unlockedSeconds: live.unlocked.seconds(mono),
      running: live.meter.running,
    };
  }

  /** Drops the timers and meters (fault, stop, abort); the relay is the caller's. */
  clear(): void {
    if (this.#live !== null) for (const t of this.#live.timers) clearInterval(t);
    this.#live = null;
  }

  #tick(): void {
    if (this.#live !== null) this.#o.onTick(this.reading());
  }
}
