/**
 * The events a session publishes (SPEC §2 `runtime` / `end`): sequence numbers, wall-clock `at`
 * stamps, and for offline sessions the fields the server needs to open and bill them when they
 * are replayed (`badge`, `startedAt`, `listIssuedAt`; core/mqtt-contract.ts). Also the
 * power-cut record (session-store.ts) and the `end` of a session a previous run left open.
 */
import { randomUUID } from 'node:crypto';
import type { EndEvent, EndReason, RuntimeEvent } from '../core/mqtt-contract.ts';
import { type Clock, iso } from './clock.ts';
import type { ControllerEvent } from './events.ts';
import type { OpenSession } from './session-machine.ts';
import type { SessionRecord } from './session-store.ts';

type OfflineFields = { badge?: string; startedAt?: string; listIssuedAt?: string };

export class SessionEvents {
  readonly #clock: Clock;
  readonly #publish: (kind: 'runtime' | 'end', event: RuntimeEvent | EndEvent) => void;
  #current: { id: string; seq: number; offline: OfflineFields } | null = null;

  constructor(clock: Clock, publish: (kind: 'runtime' | 'end', event: RuntimeEvent | EndEvent) => void) {
    this.#clock = clock;
    this.#publish = publish;
  }

  open(session: OpenSession): void {
    this.#current = { id: session.id, seq: 0, offline: offlineFields(session) };
  }

  runtime(session: OpenSession, runningSeconds: number, unlockedSeconds: number): RuntimeEvent {
    if (this.#current?.id !== session.id) this.open(session);
    const current = this.#current as { seq: number; offline: OfflineFields };
    const event: RuntimeEvent = {
      eventId: randomUUID(),
      sessionId: session.id,
      seq: current.seq++,
      runningSeconds,
      at: iso(this.#clock.wallMs()),
      unlockedSeconds,
      ...current.offline,
    };
    this.#publish('runtime', event);
    return event;
  }

  /** The `end` of a session (the open one carries its offline fields; a late grant none). */
  end(sessionId: string, reason: EndReason, runningSeconds: number, unlockedSeconds: number): void {
    const offline = this.#current?.id === sessionId ? this.#current.offline : {};
    if (this.#current?.id === sessionId) this.#current = null;
    this.#publish('end', {
      eventId: randomUUID(),
      sessionId,
      runningSeconds,
      reason,
      at: iso(this.#clock.wallMs()),
      unlockedSeconds,
      ...offline,
    });
  }

  record(session: OpenSession, runningSeconds: number, unlockedSeconds: number): SessionRecord {
    return {
      sessionId: session.id,
      uid: session.uid,
      offline: session.offline,
      startedAt: session.startedAt,
      runningSeconds,
      unlockedSeconds,
      ...(session.listIssuedAt !== undefined ? { listIssuedAt: session.listIssuedAt } : {}),
    };
  }

  /** A session open when the power went: the relay is off now, so end it (`power_loss`). */
  recovered(record: SessionRecord, emit: (e: ControllerEvent) => void): void {
    // Saved at the last heartbeat, like runningSeconds (older files have none).
    const unlocked =
      typeof record.unlockedSeconds === 'number'
        ? { unlockedSeconds: Math.max(record.unlockedSeconds, record.runningSeconds) }
        : {};
    this.#publish('end', {
      eventId: randomUUID(),
      sessionId: record.sessionId,
      runningSeconds: record.runningSeconds,
      reason: 'power_loss',
      at: iso(this.#clock.wallMs()),
      ...unlocked,
      ...(record.offline
        ? {
            badge: record.uid,
            startedAt: record.startedAt,
            ...(record.listIssuedAt !== undefined ? { listIssuedAt: record.listIssuedAt } : {}),
          }
        : {}),
    });
    emit({
      type: 'session_end',
      sessionId: record.sessionId,
      reason: 'power_loss',
      runningSeconds: record.runningSeconds,
      ...unlocked,
    });
  }
}

function offlineFields(s: OpenSession): OfflineFields {
  if (!s.offline) return {};
  return {
    badge: s.uid,
    startedAt: s.startedAt,
    ...(s.listIssuedAt !== undefined ? { listIssuedAt: s.listIssuedAt } : {}),
  };
}
