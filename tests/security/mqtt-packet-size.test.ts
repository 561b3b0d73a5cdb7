/**
 * Issue #9 item 6: a maximum MQTT packet size, fitted to the contract (allow-lists included),
 * enforced on the raw bytes before authentication and before anything is buffered.
 * Real in-process aedes on port 0, raw sockets and real mqtt.js clients; the last block runs the
 * whole system (database, machine loop) to show that an over-limit packet is never applied.
 */
import type net from 'node:net';
import type { MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PACKET_LIMITS } from '../../broker/broker.ts';
import {
  type Account,
  connect,
  nextMessage,
  startTestBroker,
  type TestBroker,
} from '../../broker/test-support.ts';
import type { AllowList, AllowListBody } from '../../core/mqtt-contract.ts';
import { createMachine, createMember } from '../support/lab.ts';
import { connectDevice, nextMessage as nextJson, startSystem, type TestSystem } from '../support/system.ts';
import { publishPacket, rawConnect, rawLogin } from './mqtt-raw-client.ts';

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

interface Ack {
  eventId: string;
  status: string;
}
interface SessionRow {
  id: string;
  runningSeconds: number;
  chargedCents: number;
}

describe('an over-limit packet of an authenticated device, whole system', () => {
  let sys: TestSystem;
  const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const M = 'guard-laser';
  const topic = (kind: string) => `fablab/v1/machines/${M}/${kind}`;
  beforeAll(async () => {
    sys = await startSystem({ log: (level, msg, fields) => logs.push({ level, msg, fields }) });
  });
  afterAll(async () => sys?.stop());

  /** The bytes of a runtime event padded with spaces (still valid JSON) to `bytes` of payload. */
  function paddedRuntime(sessionId: string, runningSeconds: number, bytes: number, messageId: number) {
    const event = {
      eventId: crypto.randomUUID(),
      sessionId,
      seq: 2,
      runningSeconds,
      at: new Date().toISOString(),
    };
    const packet = publishPacket(topic('runtime'), event, messageId) as mqttPacket.IPublishPacket;
    const json = JSON.stringify(event);
    packet.payload = Buffer.from(json + ' '.repeat(bytes - json.length));
    return { eventId: event.eventId, bytes: mqttPacket.generate(packet) };
  }

  /** Writes `bytes` in pieces (1 byte, 2 bytes, then 4 KiB), each its own write, until closed. */
  async function writeSplit(socket: net.Socket, bytes: Buffer) {
    const cuts = [1, 3];
    for (let at = 3 + 4096; at < bytes.length; at += 4096) cuts.push(at);
    cuts.push(bytes.length);
    let from = 0;
    for (const to of cuts) {
      if (socket.destroyed) return;
      socket.write(bytes.subarray(from, to));
      from = to;
      await new Promise((resolve) => setTimeout(resolve, 2)); // separate segments, not a wait for an effect
    }
  }

  it('closes the connection and applies nothing of a runtime event padded to 17, 20 or 60 KB', async () => {
    const { deviceId, secret } = await createMachine(sys, M, {
      pricePerMinuteCents: 50,
      minimumChargeCents: 100,
    });
    const member = await createMember(sys, { creditCents: 5_000 });
    const board = await connectDevice(sys.server.mqttUrl, deviceId, secret);
    await board.subscribeAsync([topic('decision'), topic('ack')], { qos: 1 });
    const requestId = crypto.randomUUID();
    const decision = nextJson<{ requestId: string; granted: boolean; sessionId: string }>(
      board,
      topic('decision'),
      (d) => d.requestId === requestId,
    );
    await board.publishAsync(
      topic('badge'),
      JSON.stringify({ requestId, badge: member.uid, at: new Date().toISOString() }),
      { qos: 1 },
    );
    const { sessionId, granted } = await decision;
    expect(granted).toBe(true);
    // A first minute, billed: the minimum charge (100 c).
    const firstId = crypto.randomUUID();
    const firstAck = nextJson<Ack>(board, topic('ack'), (a) => a.eventId === firstId);
    await board.publishAsync(
      topic('runtime'),
      JSON.stringify({
        eventId: firstId,
        sessionId,
        seq: 1,
        runningSeconds: 60,
        at: new Date().toISOString(),
      }),
      { qos: 1 },
    );
    expect(await firstAck).toMatchObject({ status: 'stored' });
    const session = async () =>
      ((await sys.api('GET', `/sessions?machine=${M}`)).body.items as SessionRow[]).find(
        (s) => s.id === sessionId,
      );
    const balance = async () => (await sys.api('GET', `/members/${member.id}`)).body.balanceCents as number;
    expect(await session()).toMatchObject({ runningSeconds: 60, chargedCents: 100 });
    expect(await balance()).toBe(4_900);
    await board.endAsync();

    // 20 minutes (1000 c) if any of these were applied; each is over the 16 KiB device limit.
    const oversized: string[] = [];
    let messageId = 1;
    for (const kb of [17, 20, 60]) {
      for (const split of [false, true]) {
        const { client, returnCode } = await rawLogin(sys.server.broker!.port, deviceId, secret);
        expect(returnCode).toBe(0);
        const { eventId, bytes } = paddedRuntime(sessionId, 1200, kb * 1024, messageId++);
        expect(bytes.length).toBeGreaterThan(DEFAULT_PACKET_LIMITS.deviceBytes);
        oversized.push(eventId);
        if (split) await writeSplit(client.socket, bytes);
        else client.socket.write(bytes);
        await client.closed;
        expect(client.received.filter((p) => p.cmd === 'puback')).toEqual([]);
      }
    }
    // A status padded to 20 KB (the tester saw `invalid status message` after the close).
    const { client: statusClient } = await rawLogin(sys.server.broker!.port, deviceId, secret);
    const status = publishPacket(
      topic('status'),
      { online: false },
      messageId++,
    ) as mqttPacket.IPublishPacket;
    status.payload = Buffer.from(`{"online": false}${' '.repeat(20 * 1024)}`);
    statusClient.socket.write(mqttPacket.generate(status));
    await statusClient.closed;

    // Barrier: a later valid event, from another connection, applied and acked.
    const later = await connectDevice(sys.server.mqttUrl, deviceId, secret);
    await later.subscribeAsync(topic('ack'), { qos: 1 });
    const laterId = crypto.randomUUID();
    const laterAck = nextJson<Ack>(later, topic('ack'), (a) => a.eventId === laterId);
    await later.publishAsync(
      topic('runtime'),
      JSON.stringify({
        eventId: laterId,
        sessionId,
        seq: 3,
        runningSeconds: 61,
        at: new Date().toISOString(),
      }),
      { qos: 1 },
    );
    expect(await laterAck).toMatchObject({ status: 'stored' });
    await later.endAsync();

    // Its ack says it is committed. The greatest runningSeconds is billed: 61, not 1200; nothing
    // more was debited (1000 c if one of the padded events had been applied).
    expect(await session()).toMatchObject({ runningSeconds: 61, chargedCents: 100 });
    expect(await balance()).toBe(4_900);
    const closed = logs.filter((l) => l.msg === 'connection closed: packet too large');
    expect(closed).toHaveLength(7);
    for (const l of closed)
      expect(l.fields).toMatchObject({ clientId: deviceId, limitBytes: DEFAULT_PACKET_LIMITS.deviceBytes });
    // aedes never parsed them: no handler saw them, not even to reject them.
    expect(logs.filter((l) => l.msg.startsWith('invalid '))).toEqual([]);
    expect(logs.filter((l) => oversized.some((id) => JSON.stringify(l).includes(id)))).toEqual([]);
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
