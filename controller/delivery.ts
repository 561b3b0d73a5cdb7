/**
 * At-least-once delivery of the board's events to the SERVER (issue #10). Each runtime, end,
 * report and material event is fsynced into the outbox (outbox.ts) before anything is sent,
 * and leaves it only when the server's `ack` for its eventId arrives on the machine's `ack`
 * topic (`stored`, or `rejected`: invalid, it will never be applied; the rejection is
 * reported). The broker's PUBACK only marks it `delivered` (it reached the broker once).
 *
 * Sending: on every (re)connection, every unacknowledged event is published again in its
 * original order; while connected, an event delivered but not
 * acknowledged is published again after `resendAfterMs` (default 20 s), then twice as long
 * each time up to `resendMaxMs` (default 5 min). Events are idempotent by eventId on the
 * server, so a resend changes nothing there. A server that never acks (an older one) still
 * works: its events are resent at the slowest pace until the outbox's bound drops them.
 *
 * Resends are scheduled on real time (setTimeout and performance.now), not on the injected
 * test clock: they are traffic, not billing.
 */
import { performance } from 'node:perf_hooks';
import type { Ack } from '../core/mqtt-contract.ts';
import type { ControllerEvent } from './events.ts';
import type { Outbox, OutboxEntry } from './outbox.ts';

export interface DeliveryOptions {
  outbox: Outbox;
  /** hands one event to MQTT (QoS 1), false when not connected; `done` at the broker's PUBACK */
  publish: (entry: OutboxEntry, done: (err?: Error) => void) => boolean;
  connected: () => boolean;
  emit: (event: ControllerEvent) => void;
  resendAfterMs?: number;
  resendMaxMs?: number;
}

/** What `pendingEvents()` shows: an outbox entry and whether the broker took it once. */
export interface PendingEvent extends OutboxEntry {
  delivered: boolean;
}

interface SendState {
  inFlight: boolean;
  delivered: boolean;
  attempts: number;
  lastSentMs: number;
}

export class Delivery {
  readonly #o: DeliveryOptions;
  readonly #firstMs: number;
  readonly #maxMs: number;
  readonly #state = new Map<string, SendState>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(opts: DeliveryOptions) {
    this.#o = opts;
    this.#firstMs = opts.resendAfterMs ?? 20_000;
    this.#maxMs = Math.max(this.#firstMs, opts.resendMaxMs ?? 300_000);
  }

  pending(): PendingEvent[] {
    return this.#o.outbox
      .pending()
      .map((e) => ({ ...e, delivered: this.#state.get(e.id)?.delivered ?? false }));
  }

  /** A new event: durable first (throws if the disk fails), then sent if connected. */
  enqueue(entry: OutboxEntry): void {
    for (const d of this.#o.outbox.append(entry)) {
      this.#state.delete(d.entry.id);
      this.#o.emit({ type: 'outbox_dropped', eventId: d.entry.id, topic: d.entry.topic, why: d.why });
    }
    if (this.#o.connected()) this.#send(entry);
    this.#schedule();
  }

  /**
   * (Re)connected: everything unacknowledged, in order, those still in mqtt.js's hands too
   * (mqtt.js resends its own after this handler: skipping them would put them last; a
   * duplicate costs nothing, events being idempotent by eventId).
   */
  onConnect(): void {
    let count = 0;
    for (const entry of this.#o.outbox.pending()) if (this.#send(entry)) count++;
    if (count > 0) this.#o.emit({ type: 'resent', count, why: 'reconnect' });
    this.#schedule();
  }

  /** The server's ack: forget the event (stored), or forget and report it (rejected). */
  onAck(ack: Ack): void {
    const entry = this.#o.outbox.pending().find((e) => e.id === ack.eventId);
    if (entry === undefined) return; // a duplicate ack, or another board's
    this.#o.outbox.ack(ack.eventId);
    this.#state.delete(ack.eventId);
    if (ack.status === 'rejected') {
      this.#o.emit({
        type: 'event_rejected',
        eventId: ack.eventId,
        kind: ack.kind,
        ...(ack.error !== undefined ? { error: ack.error } : {}),
      });
    } else {
      this.#o.emit({ type: 'acked', eventId: ack.eventId, topic: entry.topic });
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  #send(entry: OutboxEntry): boolean {
    const state = this.#state.get(entry.id) ?? {
      inFlight: false,
      delivered: false,
      attempts: 0,
      lastSentMs: 0,
    };
    this.#state.set(entry.id, state);
    state.inFlight = this.#o.publish(entry, (err) => {
      state.inFlight = false;
      if (!err) state.delivered = true;
    });
    if (state.inFlight) {
      state.attempts++;
      state.lastSentMs = performance.now();
    }
    return state.inFlight;
  }

  #delay(attempts: number): number {
    return Math.min(this.#maxMs, this.#firstMs * 2 ** Math.max(0, attempts - 1));
  }

  /** Checks every `min(resendAfterMs, 5 s)` for events due again (not in flight, unacked). */
  #schedule(): void {
    if (this.#stopped || this.#timer !== null) return;
    this.#timer = setInterval(() => this.#resendDue(), Math.min(this.#firstMs, 5000));
    this.#timer.unref();
  }

  #resendDue(): void {
    if (this.#stopped || !this.#o.connected()) return;
    const now = performance.now();
    let count = 0;
    for (const entry of this.#o.outbox.pending()) {
      const s = this.#state.get(entry.id);
      if (s?.inFlight) continue;
      if (s !== undefined && s.attempts > 0 && now < s.lastSentMs + this.#delay(s.attempts)) continue;
      if (this.#send(entry)) count++;
    }
    if (count > 0) this.#o.emit({ type: 'resent', count, why: 'timer' });
  }
}
