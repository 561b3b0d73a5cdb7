/**
 * The badge decisions this server process published itself, by machine and requestId, so a
 * request published again (a board retrying after losing its decision, a QoS 1 redelivery)
 * is answered again with the same decision, by the process that made it, and by no other
 * (the others find the request claimed in machine_events and stay silent). Bounded: the
 * least recently used entries go first; a board retries within seconds.
 */
import type { Decision } from '../core/mqtt-contract.ts';

export const ANSWERED_REQUESTS_KEPT = 2048;

export class AnsweredRequests {
  private readonly entries = new Map<string, { badge: string; decision: Decision }>();

  constructor(private readonly capacity = ANSWERED_REQUESTS_KEPT) {}

  /** The decision already published for this request, when it came from the same badge. */
  get(machineId: string, requestId: string, badge: string): Decision | null {
    const key = keyOf(machineId, requestId);
    const hit = this.entries.get(key);
    if (hit === undefined || hit.badge !== badge.toUpperCase()) return null;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.decision;
  }

  remember(machineId: string, requestId: string, badge: string, decision: Decision): void {
    const key = keyOf(machineId, requestId);
    this.entries.delete(key);
    this.entries.set(key, { badge: badge.toUpperCase(), decision });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

const keyOf = (machineId: string, requestId: string) => `${machineId}\n${requestId}`;
