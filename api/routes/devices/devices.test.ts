import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, authenticateDevice, SecondBoardRefused } from '../../../application/devices.ts';
import { cliContext } from '../../../application/use-case.ts';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

describe('devices', () => {
  it('adds a second board only when asked (onlyIfFirst refuses it, under the machine lock); the API keeps SPEC: allowed', async () => {
    const machine = await t.machine();
    const ctx = cliContext({ db: t.db, keys: t.keys, now: new Date(), labTimeZone: 'Europe/Paris' });
    // Two resent forms at once: exactly one board.
    const both = await Promise.allSettled([
      addDevice(ctx, { machineId: machine, onlyIfFirst: true }),
      addDevice(ctx, { machineId: machine, onlyIfFirst: true }),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(SecondBoardRefused);
    expect((await t.call('GET', `/api/v1/machines/${machine}/devices`)).body.items).toHaveLength(1);
    // Without the flag (the API, SPEC §3), a second board is added.
    expect((await t.call('POST', `/api/v1/machines/${machine}/devices`, { body: {} })).status).toBe(201);
    expect((await t.call('GET', `/api/v1/machines/${machine}/devices`)).body.items).toHaveLength(2);
  });

  it('adds a device whose secret authenticates once, is never shown again, and stops working when revoked', async () => {
    const machine = await t.machine();
    const r = await t.call('POST', `/api/v1/machines/${machine}/devices`, { body: {} });
    expect(r.status).toBe(201);
    const { deviceId, secret } = r.body;
    expect(deviceId).toMatch(/^dev-/);
    expect(deviceId.length).toBeLessThanOrEqual(23);
    expect(secret).toMatch(/^dev_/);
    expect(await authenticateDevice(t.db, deviceId, secret)).toEqual({ deviceId, machineId: machine });
    expect(await authenticateDevice(t.db, deviceId, `${secret}x`)).toBeNull();
    expect(await authenticateDevice(t.db, 'dev-unknown', secret)).toBeNull();

    const list = await t.call('GET', `/api/v1/machines/${machine}/devices`);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: deviceId, machineId: machine, revokedAt: null }),
    ]);
    expect(list.text).not.toContain(secret);
    const audit = await t.call('GET', `/api/v1/audit?entity=device&entityId=${deviceId}`);
    expect(audit.text).not.toContain(secret);

    const revoked = await t.call('DELETE', `/api/v1/devices/${deviceId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect(await authenticateDevice(t.db, deviceId, secret)).toBeNull();
    expect((await t.call('DELETE', `/api/v1/devices/${deviceId}`)).status).toBe(409);
  });

  it('accepts a POST with no body, answers 404 for an unknown machine and 403 for non-admins', async () => {
    const machine = await t.machine();
    const bare = await t.app.request(`/api/v1/machines/${machine}/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(bare.status).toBe(201);
    expect((await t.call('POST', '/api/v1/machines/nope/devices', { body: {} })).status).toBe(404);
    expect((await t.call('POST', `/api/v1/machines/${machine}/devices`, { body: { mode: 1 } })).status).toBe(
      400,
    );
    const s = await t.staff(['trainer']);
    expect(
      (await t.call('POST', `/api/v1/machines/${machine}/devices`, { token: s.token, body: {} })).status,
    ).toBe(403);
    expect((await t.call('DELETE', '/api/v1/devices/nope')).status).toBe(404);
  });
});
