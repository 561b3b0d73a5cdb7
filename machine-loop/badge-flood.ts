/**
 * Badge flood shedding (issue #9; SPEC §2: "A decision is answered within 1 second of the
 * request, for every request"). A machine's messages are handled one after the other, each
 * badge request in a database transaction; 200 requests at once from one board used to queue
 * for seconds (median 4.2 s), so that board's own next genuine badge was late too.
 *
 * Each machine gets a token bucket of badge requests: `burst` at once, then `perSecond`
 * steadily. A request over it is not queued: it is answered at once with a denial,
 * `machine_busy` (a SPEC reason) and a message for the reader's display. A person badges a few
 * times a minute at most, so the defaults never touch genuine use; other machines have their
 * own buckets and queues, so one machine's flood never delays them.
 *
 * The bucket is keyed by machine: the badge topic names the machine, not the device (several
 * devices of one machine share it).
 */
import type { Decision } from '../core/mqtt-contract.ts';
import { metrics } from '../logging/metrics.ts';

export interface BadgeFloodLimits {
  /** badge requests a machine may send at once */
  burst: number;
  /** badge requests per second a machine may send steadily */
  perSecond: number;
}

export const DEFAULT_BADGE_FLOOD_LIMITS: BadgeFloodLimits = { burst: 20, perSecond: 5 };

export const BUSY_MESSAGE = 'Trop de badges à la suite, réessayez dans un instant';

/** Bound on tracked machines (machine ids come from topics, which any device can write). */
const MAX_MACHINES = 10_000;

const shedTotal = metrics.counter(
  'sesame_badge_requests_shed_total',
  'Badge requests answered machine_busy at once because their machine sent too many',
);

interface Bucket {
  tokens: number;
  at: number;
}

export class BadgeFlood {
  readonly #limits: BadgeFloodLimits;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limits: Partial<BadgeFloodLimits> = {}, now: () => number = () => performance.now()) {
    this.#limits = { ...DEFAULT_BADGE_FLOOD_LIMITS, ...limits };
    this.#now = now;
  }

  /** Takes a token for this machine's badge request; false when it must be shed. */
  admit(machineId: string): boolean {
    const now = this.#now();
    const { burst, perSecond } = this.#limits;
    const previous = this.#buckets.get(machineId);
    const tokens = previous
      ? Math.min(burst, previous.tokens + ((now - previous.at) / 1000) * perSecond)
      : burst;
    this.#buckets.delete(machineId); // re-insert: most recently used last, evicted last
    const admitted = tokens >= 1;
    this.#buckets.set(machineId, { tokens: admitted ? tokens - 1 : tokens, at: now });
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= MAX_MACHINES) break;
      this.#buckets.delete(key);
    }
    if (!admitted) shedTotal.inc({});
    return admitted;
  }
}

/** The immediate answer to a shed request, echoing its requestId when readable (SPEC §2). */
export function busyDecision(payload: Buffer): Decision {
  let requestId: string | null = null;
  try {
    const json: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof json === 'object' && json !== null && 'requestId' in json) {
      const id = (json as { requestId: unknown }).requestId;
      if (typeof id === 'string' && id.length <= 128) requestId = id;
    }
  } catch {}
  return { requestId, granted: false, reason: 'machine_busy', message: BUSY_MESSAGE };
}
