/**
 * The broker's live device connections, so that revoking a device closes them at once
 * (SPEC §2: "Revoking a device closes its open connections at once"; issue #9).
 *
 * - `closeDevices()` is what the revoke use case calls (through the composition root): it closes
 *   every connection of those devices now, marks them so that nothing they still send is
 *   accepted, and remembers the time so that a login whose credential check began before the
 *   revocation (and so read the device as valid) is refused when it completes.
 * - `start()` re-checks the connected devices every few seconds against the credential store,
 *   which catches a revocation made by another process: several Sésame processes on one
 *   database, or brokers clustered through REDIS_URL.
 *
 * Works on anything with `close()`: aedes clients in the broker, plain objects in tests.
 */

export interface Closable {
  close(): void;
}

export interface LiveDevicesOptions {
  /** which of these device ids may stay connected; when omitted, no periodic re-check */
  stillValid?(deviceIds: readonly string[]): Promise<ReadonlySet<string>>;
  intervalMs?: number;
  log(level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void;
  now?: () => number;
}

const DEFAULT_INTERVAL_MS = 2_000;
/** How long a local revocation is remembered, to refuse logins that were checked before it. */
const REVOCATION_MEMORY_MS = 60_000;

export class LiveDevices<C extends Closable> {
  readonly #opts: LiveDevicesOptions;
  readonly #now: () => number;
  readonly #clients = new Map<string, Set<C>>();
  readonly #owner = new WeakMap<C, string>();
  readonly #revoked = new WeakSet<C>();
  readonly #revokedAt = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #checking = false;

  constructor(opts: LiveDevicesOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  start(): void {
    if (!this.#opts.stillValid || this.#timer) return;
    this.#timer = setInterval(() => void this.revalidate(), this.#opts.intervalMs ?? DEFAULT_INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#clients.clear();
  }

  /** A login is about to be checked: pass the returned stamp to `admit` when it succeeds. */
  stamp(): number {
    return this.#now();
  }

  /** Registers an authenticated device connection; false if the device was revoked since `stamp`. */
  admit(deviceId: string, client: C, stamp: number): boolean {
    if ((this.#revokedAt.get(deviceId) ?? Number.NEGATIVE_INFINITY) >= stamp) return false;
    const live = this.#clients.get(deviceId) ?? new Set<C>();
    live.add(client);
    this.#clients.set(deviceId, live);
    this.#owner.set(client, deviceId);
    return true;
  }

  /** The connection is gone. */
  forget(client: C): void {
    const deviceId = this.#owner.get(client);
    if (deviceId === undefined) return;
    const live = this.#clients.get(deviceId);
    live?.delete(client);
    if (live?.size === 0) this.#clients.delete(deviceId);
  }

  /** True for a connection closed by a revocation: whatever it still sends is refused. */
  isRevoked(client: C): boolean {
    return this.#revoked.has(client);
  }

  /** Closes the devices' live connections now; returns how many. */
  closeDevices(deviceIds: readonly string[], why = 'device revoked'): number {
    const now = this.#now();
    let count = 0;
    for (const deviceId of deviceIds) {
      this.#revokedAt.set(deviceId, now);
      const live = this.#clients.get(deviceId);
      this.#clients.delete(deviceId);
      if (!live) continue;
      for (const client of live) {
        this.#revoked.add(client);
        client.close();
        count++;
      }
      this.#opts.log('info', `connection closed: ${why}`, { deviceId, connections: live.size });
    }
    return count;
  }

  connectionsOf(deviceId: string): number {
    return this.#clients.get(deviceId)?.size ?? 0;
  }

  /** One re-check of the connected devices (run by the timer; public for tests). */
  async revalidate(): Promise<void> {
    const stillValid = this.#opts.stillValid;
    if (!stillValid || this.#checking) return;
    const cutoff = this.#now() - REVOCATION_MEMORY_MS;
    for (const [deviceId, at] of this.#revokedAt) if (at < cutoff) this.#revokedAt.delete(deviceId);
    const connected = [...this.#clients.keys()];
    if (connected.length === 0) return;
    this.#checking = true;
    try {
      const valid = await stillValid(connected);
      const gone = connected.filter((id) => !valid.has(id));
      if (gone.length > 0) this.closeDevices(gone, 'device no longer valid');
    } catch (err) {
      // The database may be briefly away: keep the boards connected, try again next time.
      this.#opts.log('warn', 'device re-validation failed', {
        error: err instanceof Error ? err.message : String(err),
      });
    } finally {
      this.#checking = false;
    }
  }
}
