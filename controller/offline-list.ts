/**
 * The allow-list a board decides from while the server is unreachable, with its validity
 * counted on the MONOTONIC clock (issue #10). When a list arrives (or is loaded at start), its
 * `validUntil` and entries' `until` are compared to the wall clock once; from then on the list's
 * "now" is that wall reading plus the monotonic time elapsed since, so an NTP step (a board
 * that booted offline with a wrong date, then synchronised) neither extends nor shortens it.
 * Across a restart only the wall clock is left: a list loaded from disk is re-anchored to the
 * wall clock at load. A wall clock wrong at reception is trusted (it is all the board has).
 */
import type { AllowList } from '../core/mqtt-contract.ts';
import type { OfflineDecision } from '../core/offline.ts';
import { decideOffline, loadAllowList, saveAllowList, verifyAllowList } from './allow-list.ts';
import type { Clock } from './clock.ts';

export type ListReception =
  | { accepted: true; entries: number }
  | { accepted: false; reason: 'malformed' | 'bad_signature' | 'other_machine' | 'expired' | 'older' };

export class OfflineList {
  readonly #key: string | undefined;
  readonly #machineId: string;
  readonly #dir: string;
  readonly #clock: Clock;
  #list: AllowList | null = null;
  /** wall reading and monotonic reading taken together when the list was anchored */
  #anchor = { wall: 0, mono: 0 };

  constructor(o: { publicKeyPem: string | undefined; machineId: string; dataDir: string; clock: Clock }) {
    this.#key = o.publicKeyPem;
    this.#machineId = o.machineId;
    this.#dir = o.dataDir;
    this.#clock = o.clock;
  }

  get enabled(): boolean {
    return this.#key !== undefined && this.#key !== '';
  }

  /** The list saved by a previous run, if it still verifies now. */
  load(): void {
    if (!this.#key) return;
    const anchor = this.#now();
    const list = loadAllowList(this.#dir, this.#key, this.#machineId, anchor.wall);
    if (list !== null) this.#set(list, anchor);
  }

  /** A list received on the `allowlist` topic: verified against the wall clock of now. */
  receive(payload: Buffer): ListReception | null {
    if (!this.#key || payload.length === 0) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      return { accepted: false, reason: 'malformed' };
    }
    const anchor = this.#now();
    const result = verifyAllowList(raw, this.#key, this.#machineId, anchor.wall);
    if (!result.ok) return { accepted: false, reason: result.reason };
    const current = this.#list;
    if (current && Date.parse(current.body.issuedAt) > Date.parse(result.list.body.issuedAt)) {
      return { accepted: false, reason: 'older' };
    }
    this.#set(result.list, anchor);
    saveAllowList(this.#dir, result.list);
    return { accepted: true, entries: result.list.body.entries.length };
  }

  /** The list's notion of now: the wall time at anchoring plus monotonic time since. */
  listNowMs(): number {
    return this.#anchor.wall + (this.#clock.monoMs() - this.#anchor.mono);
  }

  decide(uid: string): OfflineDecision {
    return decideOffline(this.#list?.body ?? null, uid, this.listNowMs());
  }

  #now(): { wall: number; mono: number } {
    return { wall: this.#clock.wallMs(), mono: this.#clock.monoMs() };
  }

  #set(list: AllowList, anchor: { wall: number; mono: number }): void {
    this.#list = list;
    this.#anchor = anchor;
  }
}
