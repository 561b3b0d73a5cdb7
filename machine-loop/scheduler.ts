/**
 * The machine loop's timed work (issue #10): the sweep of sessions that sent no event for 3
 * heartbeat periods (SPEC §2), and the signed allow-lists, republished after a change with a
 * debounce. Issue #12: changes made by other processes (the CLI, another server) arrive through
 * the `machine_loop_changes` outbox, polled every `changesPollMs`. Both hold back while the database fails: after an outage the boards' queued
 * events must land before a session is declared timed out.
 */

import { latestLoopChange, pruneLoopChanges } from '../application/loop-changes.ts';
import { buildAllowLists, recordAllowList, signAllowList } from '../application/machine-loop/allowlist.ts';
import { sweepTimedOutSessions } from '../application/machine-loop/metering-service.ts';
import type { SiteKeys } from '../application/site-keys.ts';
import { machineTopic } from '../core/mqtt-contract.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logging/logger.ts';
import { isTransient } from './retry.ts';

export interface SchedulerOptions {
  db: Db;
  keys: SiteKeys;
  topicRoot: string;
  log: Logger;
  now(): Date;
  sweepIntervalMs: number;
  /** how often the `machine_loop_changes` outbox is polled (ms; 0: never) */
  changesPollMs?: number;
  /** debounce of allow-list republishing after a change (ms) */
  allowListDebounceMs?: number;
  publish(topic: string, message: unknown, retain?: boolean): Promise<void>;
  lock(machineId: string, reason: string, sessionId?: string): Promise<void>;
  emit(machineId: string): void;
  /** true while device events wait (for the database, or in the queues): no sweep then */
  eventsWaiting(): boolean;
  /** ms since epoch of the last transient failure of an event, 0 if none */
  lastFailure(): number;
}

/** How long after the database came back the sweep still waits for replayed events. */
const SWEEP_GRACE_MS = 5_000;
/** Outbox rows older than this are deleted: every server has polled them long before. */
const CHANGES_KEPT_MS = 3_600_000;

export class Scheduler {
  private sweepTimer: NodeJS.Timeout | null = null;
  private changesTimer: NodeJS.Timeout | null = null;
  /** the newest outbox row this process has acted on; null until read at start */
  private lastChange: number | null = null;
  private lastPrune = 0;
  private allowListTimer: NodeJS.Timeout | null = null;
  private allowListDue = Number.POSITIVE_INFINITY;
  private readonly published = new Map<string, string>();
  private stopped = false;

  constructor(private readonly opts: SchedulerOptions) {}

  start(): void {
    this.sweepTimer = setInterval(() => {
      this.sweep().catch((err: unknown) =>
        this.opts.log(isTransient(err) ? 'warn' : 'error', 'session sweep failed', { error: String(err) }),
      );
    }, this.opts.sweepIntervalMs);
    const pollMs = this.opts.changesPollMs ?? 1000;
    if (pollMs > 0) {
      this.changesTimer = setInterval(() => {
        this.pollChanges().catch((err: unknown) =>
          this.opts.log(isTransient(err) ? 'warn' : 'error', 'machine-loop changes poll failed', {
            error: String(err),
          }),
        );
      }, pollMs);
    }
  }

  /**
   * Where the outbox stands before the first connection (which publishes every list): a
   * change committed after this is republished by the poll.
   */
  async primeChanges(): Promise<void> {
    this.lastChange = await latestLoopChange(this.opts.db);
  }

  /**
   * Issue #12: republishes when another process recorded a change in the outbox. The first
   * poll, if `primeChanges` could not read the database, only reads where the outbox stands.
   */
  async pollChanges(): Promise<boolean> {
    const latest = await latestLoopChange(this.opts.db);
    const seen = this.lastChange;
    this.lastChange = latest;
    if (Date.now() - this.lastPrune > 60_000) {
      this.lastPrune = Date.now();
      await pruneLoopChanges(this.opts.db, new Date(Date.now() - CHANGES_KEPT_MS));
    }
    if (seen === null || latest <= seen) return false;
    this.scheduleAllowLists(this.opts.allowListDebounceMs ?? 200);
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.changesTimer) clearInterval(this.changesTimer);
    this.changesTimer = null;
    if (this.allowListTimer) clearTimeout(this.allowListTimer);
    this.sweepTimer = null;
    this.allowListTimer = null;
  }

  /** After a (re)connection: lists are retained, republish them all in case the broker lost them. */
  republishAll(): void {
    this.published.clear();
    this.scheduleAllowLists(0);
  }

  async sweep(): Promise<void> {
    if (this.opts.eventsWaiting() || Date.now() - this.opts.lastFailure() < SWEEP_GRACE_MS) return;
    const closed = await sweepTimedOutSessions(this.opts.db, this.opts.now());
    for (const s of closed) {
      this.opts.log('info', 'session timed out', s);
      this.opts.emit(s.machineId);
      // The board may still hold the relay closed: tell it to stop.
      await this.opts.lock(s.machineId, 'timeout', s.sessionId);
    }
    if (closed.length > 0) this.scheduleAllowLists(this.balanceDebounceMs);
  }

  balanceDebounceMs = 10_000;

  scheduleAllowLists(delayMs: number): void {
    if (this.stopped) return;
    const due = Date.now() + delayMs;
    if (this.allowListTimer !== null && this.allowListDue <= due) return;
    if (this.allowListTimer) clearTimeout(this.allowListTimer);
    this.allowListDue = due;
    this.allowListTimer = setTimeout(() => {
      this.allowListTimer = null;
      this.allowListDue = Number.POSITIVE_INFINITY;
      this.publishAllowLists().catch((err: unknown) => {
        if (!isTransient(err)) {
          this.opts.log('error', 'allow-list publication failed', { error: String(err) });
          return;
        }
        this.opts.log('warn', 'allow-list publication waits for the database', { error: String(err) });
        this.scheduleAllowLists(2000);
      });
    }, delayMs);
  }

  /** Builds every machine's list and publishes the ones whose content changed. */
  async publishAllowLists(): Promise<number> {
    const { opts } = this;
    const lists = await buildAllowLists(opts.db, opts.keys, opts.now());
    let count = 0;
    for (const body of lists) {
      const fingerprint = JSON.stringify({ ...body, issuedAt: '', validUntil: '' });
      if (this.published.get(body.machineId) === fingerprint) continue;
      // Issue #9: offline sessions are checked against the lists the server really sent.
      await recordAllowList(opts.db, body);
      await opts.publish(
        machineTopic(opts.topicRoot, body.machineId, 'allowlist'),
        signAllowList(body, opts.keys),
        true,
      );
      this.published.set(body.machineId, fingerprint);
      count++;
    }
    return count;
  }
}
