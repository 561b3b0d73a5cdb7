/**
 * Issue #9 item 2: a revoked device keeps neither its live connection nor its rights.
 * Real system: embedded aedes on port 0, real HTTP route, real mqtt.js and raw-socket boards.
 */
import { eq } from 'drizzle-orm';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devices } from '../../db/schema.ts';
import { createMachine, createMember } from '../support/lab.ts';
import { connectDevice, nextMessage, startSystem, type TestSystem } from '../support/system.ts';
import { publishPacket, rawLogin } from './mqtt-raw-client.ts';

let sys: TestSystem;
const T = (m: string, kind: string) => `fablab/v1/machines/${m}/${kind}`;
const badgeRequest = (uid: string) => ({
  requestId: crypto.randomUUID(),
  badge: uid,
  at: new Date().toISOString(),
});

beforeAll(async () => {
  sys = await startSystem();
});
afterAll(async () => sys?.stop());

function closedWithin(client: MqttClient, timeoutMs: number): Promise<boolean> {
  if (!client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function sessionsOf(machineId: string, memberId: string) {
  const res = await sys.api('GET', `/sessions?machine=${machineId}&member=${memberId}`);
  expect(res.status).toBe(200);
  return res.body.items as unknown[];
}

/** A second device on the machine: its decision is the barrier (one machine's messages are handled in order). */
async function witness(machineId: string) {
  const dev = await sys.api('POST', `/machines/${machineId}/devices`, {});
  expect(dev.status).toBe(201);
  const client = await connectDevice(sys.server.mqttUrl, dev.body.deviceId, dev.body.secret);
  await client.subscribeAsync(T(machineId, 'decision'), { qos: 1 });
  return client;
}

describe('revoking a device (DELETE /api/v1/devices/{id})', () => {
  it('closes its live connection at once, and a reconnect is refused', async () => {
    const { deviceId, secret } = await createMachine(sys, 'rev-a');
    const board = await connectDevice(sys.server.mqttUrl, deviceId, secret);
    const wasClosed = closedWithin(board, 3_000);

    const res = await sys.api('DELETE', `/devices/${deviceId}`);
    expect(res.status).toBe(200);
    expect(sys.server.broker?.connectionsOf(deviceId)).toBe(0); // closed before the answer
    expect(await wasClosed).toBe(true);
    board.end(true);

    const again = await connectDevice(sys.server.mqttUrl, deviceId, secret).then(
      (c) => {
        c.end(true);
        return null;
      },
      (err: { code?: number }) => err,
    );
    expect(again?.code).toBeOneOf([4, 5]);
  });

  it('a badge published right after the revocation opens no session and debits nothing', async () => {
    const { deviceId, secret } = await createMachine(sys, 'rev-b');
    const member = await createMember(sys, { creditCents: 1000 });
    const other = await witness('rev-b');
    // A dumb board on a raw socket: it writes its PUBLISH whatever the broker did meanwhile.
    const { client: board, returnCode } = await rawLogin(sys.server.mqttPort!, deviceId, secret);
    expect(returnCode).toBe(0);

    expect((await sys.api('DELETE', `/devices/${deviceId}`)).status).toBe(200);
    board.send(publishPacket(T('rev-b', 'badge'), badgeRequest(member.uid), 1));
    // Either the broker acknowledges it (the old behaviour) or the socket is gone.
    const puback = await board.next('puback');
    expect(puback).toBeNull();
    expect(board.isClosed()).toBe(true);

    // Barrier: a later request on the same machine is decided, so the earlier one would have been.
    const probe = badgeRequest('DEADBEEF');
    const decided = nextMessage(
      other,
      T('rev-b', 'decision'),
      (d: { requestId: string }) => d.requestId === probe.requestId,
    );
    await other.publishAsync(T('rev-b', 'badge'), JSON.stringify(probe), { qos: 1 });
    expect(await decided).toMatchObject({ granted: false });

    expect(await sessionsOf('rev-b', member.id)).toEqual([]);
    const account = await sys.api('GET', `/members/${member.id}`);
    expect(account.body.balanceCents).toBe(1000);
    other.end(true);
  });

  it('a revocation made by another process (same database) closes the connection within seconds', async () => {
    const { deviceId, secret } = await createMachine(sys, 'rev-c');
    const board = await connectDevice(sys.server.mqttUrl, deviceId, secret);
    const wasClosed = closedWithin(board, 8_000);
    // What another Sésame process does: the row changes, this process's broker is not told.
    await sys.database.db.update(devices).set({ revokedAt: new Date() }).where(eq(devices.id, deviceId));
    expect(await wasClosed).toBe(true);
    board.end(true);
  });
});
