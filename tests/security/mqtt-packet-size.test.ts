/**
 * Issue #9 item 6: a maximum MQTT packet size, fitted to the contract (allow-lists included),
 * enforced on the raw bytes before authentication and before anything is buffered.
 * Real in-process aedes on port 0, raw sockets and real mqtt.js clients.
 */
import type net from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PACKET_LIMITS } from '../../broker/broker.ts';
import {
  type Account,
  connect,
  nextMessage,
  startTestBroker,
  type TestBroker,
} from '../../broker/test-support.ts';
import type { AllowList, AllowListBody } from '../../core/mqtt-contract.ts';
import { rawConnect } from './mqtt-raw-client.ts';

const accounts: Record<string, Account> = {
  'dev-laser': {
    secret: 'laser-secret',
    identity: { kind: 'device', deviceId: 'dev-laser', machineId: 'laser' },
  },
  api: { secret: 'api-secret', identity: { kind: 'server', name: 'api' } },
};
const T = (kind: string) => `fablab/v1/machines/laser/${kind}`;

let tb: TestBroker;
let clients: MqttClient[];
beforeEach(async () => {
  clients = [];
  tb = await startTestBroker(accounts);
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await tb.stop();
});

async function client(user: string, extra = {}) {
  const c = await connect(tb.url, user, accounts[user]!.secret, extra);
  clients.push(c);
  return c;
}

/** MQTT remaining length encoding [MQTT-2.2.3]. */
function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

/** Writes `total` bytes (one reused 1 MiB buffer) unless the socket closes first. */
async function stream(socket: net.Socket, total: number): Promise<number> {
  const chunk = Buffer.alloc(1024 * 1024, 0x41);
  let sent = 0;
  while (sent < total && !socket.destroyed) {
    const more = socket.write(chunk);
    sent += chunk.length;
    if (!more) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.once('drain', done);
        socket.once('close', done);
      });
    }
  }
  return sent;
}

function closedWithin(socket: net.Socket, ms: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const memory = () => {
  const m = process.memoryUsage();
  return { rss: m.rss, buffers: m.arrayBuffers };
};

describe('packet size limit before CONNECT', () => {
  it('closes 3 sockets announcing 150 MB at once, without buffering what they stream', async () => {
    const before = memory();
    const sockets = await Promise.all([0, 1, 2].map(() => rawConnect(tb.broker.port)));
    const ANNOUNCED = 150 * 1024 * 1024;
    const header = Buffer.concat([Buffer.from([0x10]), remainingLength(ANNOUNCED)]); // CONNECT
    const closed = sockets.map((s) => closedWithin(s.socket, 3_000));
    for (const s of sockets) s.socket.write(header);
    // Each keeps streaming its "packet": up to 40 MiB each, 120 MiB in all.
    const sent = await Promise.all(sockets.map((s) => stream(s.socket, 40 * 1024 * 1024)));
    const after = memory();
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      `3 sockets announcing 150 MB wrote ${mb(sent.reduce((a, b) => a + b))} MiB before being closed: ` +
        `server-side growth rss ${mb(after.rss - before.rss)} MiB, buffers ${mb(after.buffers - before.buffers)} MiB`,
    );
    expect(await Promise.all(closed)).toEqual([true, true, true]);
    // Generous bounds: the old broker kept every streamed byte (120 MiB here).
    expect(after.buffers - before.buffers).toBeLessThan(16 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(48 * 1024 * 1024);
    expect(tb.logs).toContainEqual(
      expect.objectContaining({
        msg: 'connection closed: packet too large',
        fields: expect.objectContaining({ limitBytes: DEFAULT_PACKET_LIMITS.connectBytes }),
      }),
    );
    expect(tb.authCalls()).toBe(0);
  });

  it('closes a socket whose remaining length is malformed (a fifth length byte)', async () => {
    const s = await rawConnect(tb.broker.port);
    s.socket.write(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]));
    expect(await closedWithin(s.socket, 3_000)).toBe(true);
  });

  it('closes a socket whose CONNECT is oversized (a 64 KiB password) before any credential check', async () => {
    const s = await rawConnect(tb.broker.port);
    const connack = s.next('connack');
    s.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: 'dev-laser',
      keepalive: 60,
      username: 'dev-laser',
      password: Buffer.alloc(64 * 1024, 0x78),
    });
    expect(await connack).toBeNull(); // closed, no CONNACK
    expect(tb.authCalls()).toBe(0);
  });
});

describe('packet size limit of authenticated clients', () => {
  it('drops a device that publishes an over-limit payload; the server never sees it', async () => {
    const server = await client('api', { clientId: 'api-main' });
    await server.subscribeAsync(T('report'), { qos: 1 });
    const dev = await client('dev-laser');
    const closed = new Promise<void>((resolve) => dev.once('close', () => resolve()));
    const seen: number[] = [];
    server.on('message', (_t, payload) => seen.push(payload.length));

    // Under the limit: delivered (the limit leaves room for every device message of the contract).
    const fits = nextMessage(server, (t) => t === T('report'));
    await dev.publishAsync(T('report'), Buffer.alloc(8 * 1024, 0x20), { qos: 1 });
    await fits;
    // 5 MB: the connection is closed; nothing reaches the server.
    dev.publish(T('report'), Buffer.alloc(5 * 1024 * 1024, 0x20), { qos: 1 });
    await closed;
    expect(seen).toEqual([8 * 1024]);
    expect(tb.logs).toContainEqual(
      expect.objectContaining({
        msg: 'connection closed: packet too large',
        fields: expect.objectContaining({
          clientId: 'dev-laser',
          limitBytes: DEFAULT_PACKET_LIMITS.deviceBytes,
        }),
      }),
    );
  });

  it('carries the largest realistic allow-list (2000 members, two badges each, 200-character names)', async () => {
    const worst = allowList(4000, 'é'.repeat(100) + '名'.repeat(100));
    const usual = allowList(2000, 'Camille Martin-Dupont');
    const worstBytes = Buffer.byteLength(JSON.stringify(worst));
    const usualBytes = Buffer.byteLength(JSON.stringify(usual));
    // The sizes docs/mqtt.md quotes, and the margin the server limit keeps over the worst case.
    expect(usualBytes).toBeLessThan(400 * 1024);
    expect(worstBytes).toBeLessThan(3.2 * 1024 * 1024);
    expect(DEFAULT_PACKET_LIMITS.serverBytes).toBeGreaterThan(2 * worstBytes);

    const dev = await client('dev-laser');
    await dev.subscribeAsync(T('allowlist'), { qos: 1 });
    const server = await client('api', { clientId: 'api-main' });
    const received = nextMessage(dev, (t) => t === T('allowlist'), 10_000);
    await server.publishAsync(T('allowlist'), JSON.stringify(worst), { qos: 1, retain: true });
    expect(Buffer.byteLength((await received).payload)).toBe(worstBytes);
  });
});

function allowList(entries: number, name: string): AllowList {
  const body: AllowListBody = {
    version: 1,
    machineId: 'laser',
    issuedAt: new Date().toISOString(),
    validUntil: new Date().toISOString(),
    maxOfflineSessionSeconds: 14_400,
    pricePerMinuteCents: 50,
    minimumChargeCents: 100,
    salt: 'ab'.repeat(32),
    entries: Array.from({ length: entries }, (_, i) => ({
      badge: i.toString(16).padStart(64, 'f'),
      name,
      until: new Date().toISOString(),
      creditCents: 123_456,
    })),
  };
  return { body, signature: 'A'.repeat(88), keyId: '0123456789abcdef' };
}
