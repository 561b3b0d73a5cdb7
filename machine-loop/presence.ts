/**
 * Machine presence from its devices (issue #10): a machine is online while at least one of
 * its devices is connected, whatever order connections, wills and statuses arrive in.
 *
 * - Embedded broker: its connect / disconnect callbacks are the truth. A device may hold two
 *   connections for a moment (a board reconnecting before the broker noticed its old socket
 *   died), so connections are counted per device, and what is written is the count's state
 *   when the write runs, one write per machine at a time: a late callback cannot undo a newer
 *   one. `status` messages and wills then say nothing about presence (a departing reader's
 *   will must not take its machine offline while the relay is still connected).
 * - External broker: statuses and wills are all there is. A status naming its `deviceId`
 *   (extension) sets that device; on a machine with one device it needs no name; an anonymous
 *   status on a machine with several devices sets the machine itself (the last one wins).
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { DeviceStatus } from '../core/mqtt-contract.ts';
import type { Db } from '../db/client.ts';
import { devices, machines } from '../db/schema.ts';
import type { Logger } from '../logging/logger.ts';
import { backoffMs, isTransient, sleep } from './retry.ts';

/**
 * Sets one device's flag and recomputes its machine's, the machine row locked first so two
 * devices of one machine changing at once cannot both read the other's old flag.
 */
export async function setDevicePresence(
  db: Db,
  deviceId: string,
  machineId: string,
  online: boolean,
  now: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    const machine = await tx
      .select({ id: machines.id })
      .from(machines)
      .where(eq(machines.id, machineId))
      .for('no key update'); // lock order: the machine, then its devices
    if (machine.length === 0) return;
    await tx.update(devices).set({ online, lastSeenAt: now }).where(eq(devices.id, deviceId));
    const stillOnline = await tx
      .select({ id: devices.id })
      .from(devices)
      .where(and(eq(devices.machineId, machineId), eq(devices.online, true), isNull(devices.revokedAt)))
      .limit(1);
    await tx
      .update(machines)
      .set({ online: stillOnline.length > 0, lastSeenAt: now })
      .where(eq(machines.id, machineId));
  });
}

/** Connection counting for the embedded broker (see the module comment). */
export class DevicePresence {
  private readonly connections = new Map<string, number>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  connected(deviceId: string, machineId: string): void {
    this.change(deviceId, machineId, 1);
  }

  disconnected(deviceId: string, machineId: string): void {
    this.change(deviceId, machineId, -1);
  }

  isConnected(deviceId: string): boolean {
    return (this.connections.get(deviceId) ?? 0) > 0;
  }

  /** Resolves when every write asked for so far has run (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }

  private change(deviceId: string, machineId: string, delta: number): void {
    const count = Math.max(0, (this.connections.get(deviceId) ?? 0) + delta);
    if (count === 0) this.connections.delete(deviceId);
    else this.connections.set(deviceId, count);
    const previous = this.chains.get(machineId) ?? Promise.resolve();
    const next = previous.then(() => this.write(deviceId, machineId));
    this.chains.set(machineId, next);
    void next.finally(() => {
      if (this.chains.get(machineId) === next) this.chains.delete(machineId);
    });
  }

  /** Writes the device's state as it is now; retried while the database is unreachable (about a minute). */
  private async write(deviceId: string, machineId: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await setDevicePresence(this.db, deviceId, machineId, this.isConnected(deviceId), this.now());
        return;
      } catch (err) {
        if (!isTransient(err) || attempt >= 15) {
          this.log('warn', 'device presence not recorded', { deviceId, error: String(err) });
          return;
        }
        await sleep(backoffMs(attempt));
      }
    }
  }
}

/**
 * A `status` message (or will). With the embedded broker (`fromBroker`) it only refreshes
 * `lastSeenAt`; behind an external broker it sets presence as the module comment says.
 */
export async function applyStatus(
  db: Db,
  machineId: string,
  status: DeviceStatus,
  now: Date,
  fromBroker: boolean,
): Promise<void> {
  if (fromBroker) {
    await db.update(machines).set({ lastSeenAt: now }).where(eq(machines.id, machineId));
    return;
  }
  const own = await db
    .select({ id: devices.id })
    .from(devices)
    .where(and(eq(devices.machineId, machineId), isNull(devices.revokedAt)));
  const named = status.deviceId === undefined ? undefined : own.find((d) => d.id === status.deviceId);
  const device = named ?? (own.length === 1 ? own[0] : undefined);
  if (device !== undefined) {
    await setDevicePresence(db, device.id, machineId, status.online, now);
    return;
  }
  await db.update(machines).set({ online: status.online, lastSeenAt: now }).where(eq(machines.id, machineId));
}
