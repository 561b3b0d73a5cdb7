/**
 * Devices (SPEC §2 device identity): each board is bound to one machine, authenticates to
 * the broker with its id and a 256-bit secret stored as SHA-256, and is revoked on its own.
 */
import { randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { lockMachine } from '../db/lock-order.ts';
import { devices, machines } from '../db/schema.ts';
import { audit } from './audit.ts';
import { conflict, notFound, ServiceError } from './errors.ts';
import { newSecret, safeEqualHex, sha256 } from './security.ts';
import { runUseCase, type UseCaseContext, validate } from './use-case.ts';

type Row = typeof devices.$inferSelect;

/**
 * What the revoke use case needs from the MQTT side (issue #9, SPEC §2: "Revoking a device
 * closes its open connections at once"). The composition root wires the embedded broker in;
 * with an external broker (MQTT_URL) there is nothing to close here and `noDeviceConnections`
 * is used. Brokers of other processes on the same database notice within seconds on their own
 * (`stillValidDevices`).
 */
export interface DeviceConnections {
  /** Closes these devices' live connections now; nothing they send after this is accepted. */
  closeDevices(deviceIds: readonly string[]): void;
}

export const noDeviceConnections: DeviceConnections = { closeDevices: () => {} };

export function publicDevice(d: Row) {
  return {
    id: d.id,
    machineId: d.machineId,
    label: d.label,
    online: d.online,
    lastSeenAt: d.lastSeenAt,
    revokedAt: d.revokedAt,
    createdAt: d.createdAt,
  };
}

/** 20 characters: fits the 23-byte client id every MQTT 3.1.1 server must accept. */
export function newDeviceId(): string {
  return `dev-${randomBytes(8).toString('hex')}`;
}

export const addDeviceInput = z
  .object({
    machineId: z.string().trim().min(1).max(64),
    label: z.string().trim().max(200).nullish(),
    /**
     * Refuse when the machine already has an active board (the dashboard's default, so a resent
     * form adds no second board, issue #12). The API keeps SPEC's behaviour: omitted = allowed.
     */
    onlyIfFirst: z.boolean().optional(),
  })
  .strict();

/** The machine already has an active board and the caller asked for its first one only. */
export class SecondBoardRefused extends ServiceError {
  constructor(readonly machineId: string) {
    super('conflict', `Machine ${machineId} already has an active board; nothing was created.`);
  }
}

/**
 * Adds a device to a machine; its secret is returned here and never again (use case, issue #12:
 * API, admin and setup pages, `npm run cli -- provision-device`).
 */
export async function addDevice(ctx: UseCaseContext, input: z.input<typeof addDeviceInput>) {
  const { machineId, label, onlyIfFirst } = validate(addDeviceInput, input);
  return runUseCase(ctx, async (tx) => {
    // Locked: two resent forms cannot both find the machine without a board.
    const m = await lockMachine(tx, machineId);
    if (m === null) throw notFound('machine', machineId);
    if (onlyIfFirst) {
      const [active] = await tx
        .select({ id: devices.id })
        .from(devices)
        .where(and(eq(devices.machineId, machineId), isNull(devices.revokedAt)))
        .limit(1);
      if (active !== undefined) throw new SecondBoardRefused(machineId);
    }
    const secret = newSecret('dev');
    const [row] = await tx
      .insert(devices)
      .values({ id: newDeviceId(), machineId, secretHash: sha256(secret), label: label || null })
      .returning();
    const device = publicDevice(row!);
    await audit(tx, {
      actor: ctx.by,
      action: 'create',
      entity: 'device',
      entityId: device.id,
      after: device,
    });
    return { result: { device, secret } };
  });
}

export async function listDevices(db: DbOrTx, machineId: string) {
  const [m] = await db.select({ id: machines.id }).from(machines).where(eq(machines.id, machineId));
  if (m === undefined) throw notFound('machine', machineId);
  const rows = await db
    .select()
    .from(devices)
    .where(eq(devices.machineId, machineId))
    .orderBy(asc(devices.createdAt));
  return rows.map(publicDevice);
}

/**
 * Revokes a device: it can no longer connect, and its live connections are closed at once
 * (use case: API, admin page).
 */
export async function revokeDevice(ctx: UseCaseContext, input: { deviceId: string }) {
  const { deviceId: id } = validate(z.object({ deviceId: z.string().trim().min(1).max(64) }).strict(), input);
  const now = ctx.now();
  const device = await runUseCase(ctx, async (tx) => {
    const [before] = await tx.select().from(devices).where(eq(devices.id, id)).for('update');
    if (before === undefined) throw notFound('device', id);
    if (before.revokedAt !== null) throw conflict('This device is already revoked; add a new one if needed.');
    const [after] = await tx.update(devices).set({ revokedAt: now }).where(eq(devices.id, id)).returning();
    const device = publicDevice(after!);
    await audit(tx, {
      actor: ctx.by,
      action: 'revoke',
      entity: 'device',
      entityId: id,
      before: publicDevice(before),
      after: device,
    });
    return { result: device, changed: { machineIds: [device.machineId] } };
  });
  // After the commit, so that a login checked from now on reads the revocation too (the broker
  // also refuses logins whose check began before this call).
  ctx.devices.closeDevices([device.id]);
  return device;
}

/**
 * The broker's periodic re-check of its connected devices: the ids, among these, that may stay
 * connected (not revoked). Catches revocations made by another process on the same database.
 */
export async function stillValidDevices(db: DbOrTx, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: devices.id })
    .from(devices)
    .where(and(inArray(devices.id, [...ids]), isNull(devices.revokedAt)));
  return new Set(rows.map((r) => r.id));
}

/**
 * The broker's check of a CONNECT (SPEC §2): the device exists, is not revoked, and the
 * password is its secret (constant-time comparison of the hashes).
 */
export async function authenticateDevice(
  db: DbOrTx,
  username: string,
  password: string,
): Promise<{ deviceId: string; machineId: string } | null> {
  if (username.length === 0 || username.length > 200 || password.length === 0 || password.length > 200)
    return null;
  const [d] = await db
    .select({ id: devices.id, machineId: devices.machineId, secretHash: devices.secretHash })
    .from(devices)
    .where(and(eq(devices.id, username), isNull(devices.revokedAt)));
  // Hash even for unknown devices so that timing does not tell which ids exist.
  const presented = sha256(password);
  if (d === undefined) {
    safeEqualHex(presented, presented);
    return null;
  }
  return safeEqualHex(presented, d.secretHash) ? { deviceId: d.id, machineId: d.machineId } : null;
}
