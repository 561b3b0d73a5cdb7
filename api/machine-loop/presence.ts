/**
 * Device presence from the embedded broker's connections: a device is online while it is
 * connected; a machine is online while any of its devices is. (With an external broker the
 * retained `status` messages and their wills say the same.)
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { devices, machines } from '../db/schema.ts';

export async function markDevicePresence(
  db: Db,
  deviceId: string,
  machineId: string,
  online: boolean,
  now: Date,
) {
  await db.transaction(async (tx) => {
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
