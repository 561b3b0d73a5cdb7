/**
 * One queue per machine (SPEC §2): a machine's messages are applied in the order they
 * arrived, so an `end` takes effect before a badge request published after it, while other
 * machines go on at their own pace. A job's `apply` (its transaction) is retried with
 * back-off while the failure is transient (issue #10); its `after` (answers, acks, locks)
 * runs once, after the commit.
 */
import type { Logger } from '../logging/logger.ts';
import { metrics } from '../logging/metrics.ts';
import { isTransient, retryDelayMs } from './retry.ts';

const retriesTotal = metrics.counter(
  'sesame_machine_loop_retries_total',
  'Machine messages retried after a transient database failure, by topic kind',
);

const pendingGauge = metrics.gauge(
  'sesame_machine_loop_pending',
  'Machine messages received and not yet applied (queued, running or waiting for the database)',
);

export interface Job {
  machineId: string;
  kind: string;
  /** the transaction; retried while it fails transiently */
  apply(): Promise<void>;
  /** the effects once `apply` has committed (answers, acks, locks); run once */
  after(): Promise<void>;
  /** give up (without effects) when this instant (ms since epoch) is past: a badge nobody waits for */
  deadline?: number;
  /** when given up on or stopped for good */
  dropped?(why: string): void;
}

export class MachineQueues {
  private readonly tails = new Map<string, Promise<void>>();
  private waiting = 0;
  private backingOff = 0;
  private stopped = false;
  private readonly wakers = new Set<() => void>();
  /** when a job last failed transiently (ms since epoch), 0 if never */
  lastTransientFailure = 0;

  constructor(
    private readonly log: Logger,
    private readonly done: (machineId: string) => void,
  ) {}

  /** jobs queued or running, and how many of them are backing off after a failure */
  get pending(): { pending: number; retrying: number } {
    return { pending: this.waiting, retrying: this.backingOff };
  }

  /** extra work counted as pending (an event being written to the inbox) */
  track<T>(work: Promise<T>): Promise<T> {
    this.count(1);
    return work.finally(() => this.count(-1));
  }

  private count(delta: number): void {
    this.waiting += delta;
    pendingGauge.inc({}, delta);
  }

  enqueue(job: Job): void {
    this.waiting++;
    const previous = this.tails.get(job.machineId) ?? Promise.resolve();
    const next = previous
      .then(() => this.run(job))
      .finally(() => {
        this.waiting--;
      });
    this.tails.set(job.machineId, next);
    void next.finally(() => {
      if (this.tails.get(job.machineId) === next) this.tails.delete(job.machineId);
    });
  }

  /** Waits for the queued jobs; after `stop()` those backing off give up at once. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()]);
  }

  stop(): void {
    this.stopped = true;
    for (const wake of this.wakers) wake();
  }

  /** Sleeps `ms`, or less if the queues stop. */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  /** A pause counted as `retrying` (work waiting for the database). */
  async backOff(ms: number): Promise<void> {
    this.backingOff++;
    try {
      await this.pause(ms);
    } finally {
      this.backingOff--;
    }
  }

  private async run(job: Job): Promise<void> {
    const { machineId, kind } = job;
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) return job.dropped?.('stopping');
      if (job.deadline !== undefined && Date.now() > job.deadline) return job.dropped?.('waited too long');
      try {
        await job.apply();
        break;
      } catch (err) {
        if (!isTransient(err)) {
          this.log('error', 'machine message failed', { machineId, kind, error: String(err) });
          return job.dropped?.(String(err));
        }
        this.lastTransientFailure = Date.now();
        retriesTotal.inc({ kind });
        const delay = retryDelayMs(err, attempt);
        this.log(attempt === 0 ? 'warn' : 'debug', 'machine message waits for the database', {
          machineId,
          kind,
          attempt: attempt + 1,
          retryInMs: delay,
          error: String(err),
        });
        await this.backOff(delay);
      }
    }
    try {
      await job.after();
    } catch (err) {
      this.log('error', 'machine message effects failed', { machineId, kind, error: String(err) });
    }
    this.done(machineId);
  }
}
