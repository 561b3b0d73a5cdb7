/** SPEC §3 POST /machines/{id}/devices (secret shown once), listing and revoking devices. */
import { z } from '@hono/zod-openapi';
import { addDevice, listDevices, revokeDevice } from '../../../application/devices.ts';
import { keyId } from '../../../application/machine-loop/allowlist.ts';
import { useCaseContext } from '../../../application/use-case.ts';
import type { App } from '../../http/context.ts';
import { ADMIN } from '../../http/guard.ts';
import { defineRoute, idParam, jsonBody, jsonResponse } from '../../http/route.ts';

const tags = ['devices'];
const machineParam = z.object({ id: z.string().min(1).max(64) });

const deviceSchema = z
  .object({
    id: z.string(),
    machineId: z.string(),
    label: z.string().nullable(),
    online: z.boolean(),
    lastSeenAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Device');

const add = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/machines/{id}/devices',
  tags,
  summary: 'Add a device (board) to a machine',
  description: 'The device connects to MQTT with client id = username = deviceId and password = secret.',
  request: {
    params: machineParam,
    body: jsonBody(
      z
        .object({ label: z.string().trim().min(1).max(100).optional() })
        .strict()
        .openapi('AddDevice'),
      false,
    ),
  },
  responses: {
    201: jsonResponse(
      'The device id and its secret: store it now, it is never shown again',
      z.object({
        deviceId: z.string(),
        secret: z.string(),
        machineId: z.string(),
        label: z.string().nullable(),
        allowListPublicKey: z
          .string()
          .describe('PEM of the Ed25519 key that signs the offline allow-lists (docs/mqtt.md)'),
      }),
    ),
  },
});

const allowListKey = defineRoute('public', {
  method: 'get',
  path: '/api/v1/allowlist-key',
  tags,
  summary: 'The public key boards use to verify offline allow-lists',
  responses: {
    200: jsonResponse(
      'Ed25519 public key (PEM) and its id',
      z.object({ publicKey: z.string(), keyId: z.string() }),
    ),
  },
});

const list = defineRoute(ADMIN, {
  method: 'get',
  path: '/api/v1/machines/{id}/devices',
  tags,
  summary: 'List a machine’s devices (never their secrets)',
  request: { params: machineParam },
  responses: { 200: jsonResponse('Devices', z.object({ items: z.array(deviceSchema) })) },
});

const revoke = defineRoute(ADMIN, {
  method: 'delete',
  path: '/api/v1/devices/{id}',
  tags,
  summary: 'Revoke a device: its live connections are closed at once and it can no longer connect',
  request: { params: idParam },
  responses: { 200: jsonResponse('The revoked device', deviceSchema) },
});

export function registerDeviceRoutes(app: App): void {
  app.openapi(add, async (c) => {
    const ctx = useCaseContext(c.var.deps, c.var.principal);
    const input = { machineId: c.req.valid('param').id, label: c.req.valid('json').label };
    const { device, secret } = await addDevice(ctx, input);
    return c.json(
      {
        deviceId: device.id,
        secret,
        machineId: device.machineId,
        label: device.label,
        allowListPublicKey: c.var.deps.keys.signingPublicKeyPem,
      },
      201,
    );
  });

  app.openapi(allowListKey, (c) => {
    const publicKey = c.var.deps.keys.signingPublicKeyPem;
    return c.json({ publicKey, keyId: keyId(publicKey) }, 200);
  });

  app.openapi(list, async (c) =>
    c.json({ items: await listDevices(c.var.deps.db, c.req.valid('param').id) }, 200),
  );

  app.openapi(revoke, async (c) => {
    const ctx = useCaseContext(c.var.deps, c.var.principal);
    const device = await revokeDevice(ctx, { deviceId: c.req.valid('param').id });
    return c.json(device, 200);
  });
}
