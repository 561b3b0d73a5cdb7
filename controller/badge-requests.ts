/**
 * The badge request in flight (one at a time): its decision timer, whether it reached the broker,
 * and the ids of requests given up on (their decision came too late: a late grant must not leave
 * a server session open; session-machine.ts closes it).
 *
 * A request is published only while the broker is there; otherwise on the reconnection, if it
 * comes before the decision timeout. Never queued inside mqtt.js: a request delivered hours later
 * would open a session nobody is standing at.
 */
import type { BadgeRequest } from '../core/mqtt-contract.ts';
import type { PendingRequest } from './session-machine.ts';

const MAX_ABANDONED = 32;

export class BadgeRequests {
  readonly #timeoutMs: number;
  /** publishes on the `badge` topic; false when not connected */
  readonly #publish: (payload: string) => boolean;
  #current: { request: PendingRequest; sent: boolean; timer: NodeJS.Timeout } | null = null;
  #abandoned: string[] = [];

  constructor(timeoutMs: number, publish: (payload: string) => boolean) {
    this.#timeoutMs = timeoutMs;
    this.#publish = publish;
  }

  /** A new request: its timer starts now; sent at once if connected. */
  start(request: PendingRequest, onTimeout: () => void): void {
    this.settle();
    this.#current = { request, sent: false, timer: setTimeout(onTimeout, this.#timeoutMs) };
    this.send();
  }

  /** Sends the request if not sent yet (called again on every connection). */
  send(): void {
    const c = this.#current;
    if (c === null || c.sent) return;
    const r = c.request;
    const payload: BadgeRequest = {
      requestId: r.requestId,
      badge: r.uid,
      at: r.at,
      ...(r.mode !== 'use' ? { mode: r.mode } : {}),
    };
    c.sent = this.#publish(JSON.stringify(payload));
  }

  /** Keeps the state machine's view: a request it no longer holds is settled. */
  sync(pending: PendingRequest | null): void {
    if (this.#current !== null && this.#current.request.requestId !== pending?.requestId) this.settle();
  }

  /** Given up (timeout): if it was sent, a decision may still come and must be closed. */
  abandon(requestId: string): void {
    if (this.#current?.request.requestId !== requestId || !this.#current.sent) return;
    this.#abandoned.push(requestId);
    if (this.#abandoned.length > MAX_ABANDONED) this.#abandoned.shift();
  }

  isAbandoned(requestId: string | null): boolean {
    return requestId !== null && this.#abandoned.includes(requestId);
  }

  settle(): void {
    if (this.#current !== null) clearTimeout(this.#current.timer);
    this.#current = null;
  }
}
