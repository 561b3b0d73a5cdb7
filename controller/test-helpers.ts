/**
 * Test support for the controller: a real in-process Aedes broker on a free port (restartable
 * on the same port, to cut the network mid-session), a plain mqtt.js client playing the server,
 * and signed allow-lists.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import type { AllowList, AllowListBody } from '../core/mqtt-contract.ts';
import { offlineBadgeHash } from './allow-list.ts';

export interface TestBroker {
  port: number;
  url: string;
  /** CONNECT usernames and passwords seen */
  logins: Array<{ clientId: string; username: string | undefined; password: string | undefined }>;
  /** every PUBLISH the broker received from a client, in order, across restarts */
  published: Array<{ clientId: string; topic: string; payload: Record<string, unknown>; retain: boolean }>;
  stop(): Promise<void>;
  /** starts again on the same port (a fresh broker: no retained messages, no sessions) */
  restart(): Promise<void>;
}

export async function startTestBroker(port = 0): Promise<TestBroker> {
  let aedes: Aedes;
  let server: net.Server;
  const sockets = new Set<net.Socket>();
  const logins: TestBroker['logins'] = [];
  const published: TestBroker['published'] = [];
  const open = async (p: number) => {
    aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        logins.push({ clientId: client.id, username, password: password?.toString() });
        done(null, true);
      },
    });
    aedes.on('publish', (packet, client) => {
      if (!client || packet.topic.startsWith('$SYS')) return;
      try {
        published.push({
          clientId: client.id,
          topic: packet.topic,
          payload: JSON.parse(packet.payload.toString()),
          retain: packet.retain,
        });
      } catch {
        // not JSON
      }
    });
    server = net.createServer((socket) => {
      socket.setNoDelay(true); // as the project's broker does: only the client side is measured
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : p;
  };
  const actual = await open(port);
  const broker: TestBroker = {
    port: actual,
    url: `mqtt://127.0.0.1:${actual}`,
    logins,
    published,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restart: async () => {
      await open(actual);
    },
  };
  return broker;
}

/**
 * A plain mqtt.js client playing the server. With `ack` (default) it acknowledges every device
 * event as the server does after its commit (issue #10: `ack` topic, `stored`), so the board's
 * outbox empties; `ack: false` plays an older server that never acks.
 */
export async function connectServer(url: string, opts: { ack?: boolean } = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, {
    clientId: `server-${randomBytes(4).toString('hex')}`,
    reconnectPeriod: 100,
  });
  if (opts.ack ?? true) await ackEvents(client);
  return client;
}

/** Subscribes to every machine's device events and publishes `stored` acks for them. */
export async function ackEvents(client: MqttClient, status: 'stored' | 'rejected' = 'stored'): Promise<void> {
  const kinds = ['runtime', 'end', 'report', 'material'] as const;
  await client.subscribeAsync(
    kinds.map((k) => `+/v1/machines/+/${k}`),
    { qos: 1 },
  );
  client.on('message', (topic, payload) => {
    const parts = topic.split('/');
    const kind = parts[4] as (typeof kinds)[number];
    if (parts.length !== 5 || !kinds.includes(kind)) return;
    let eventId: unknown;
    try {
      eventId = (JSON.parse(payload.toString()) as { eventId?: unknown }).eventId;
    } catch {
      return;
    }
    if (typeof eventId !== 'string') return;
    const ack = { eventId, kind, status };
    client.publish(`${parts.slice(0, 4).join('/')}/ack`, JSON.stringify(ack), { qos: 1 });
  });
}

/** Collects the messages on a topic filter, parsed. */
export function collect(client: MqttClient, match: (topic: string) => boolean) {
  const items: Array<{ topic: string; payload: Record<string, unknown>; retain: boolean }> = [];
  client.on('message', (topic, payload, packet) => {
    if (!match(topic)) return;
    try {
      items.push({ topic, payload: JSON.parse(payload.toString()), retain: packet.retain });
    } catch {
      // ignore non-JSON
    }
  });
  return items;
}

export async function waitFor<T>(fn: () => T | undefined | null | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function makeKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey,
  };
}

export function signedList(
  privateKey: ReturnType<typeof makeKeys>['privateKey'],
  body: Partial<AllowListBody> & { machineId: string },
  members: Array<{ uid: string; name: string; creditCents: number | null; until?: string }>,
): AllowList {
  const salt = body.salt ?? randomBytes(16).toString('hex');
  const full: AllowListBody = {
    version: 1,
    machineId: body.machineId,
    issuedAt: body.issuedAt ?? new Date().toISOString(),
    validUntil: body.validUntil ?? new Date(Date.now() + 3600_000).toISOString(),
    maxOfflineSessionSeconds: body.maxOfflineSessionSeconds ?? 3600,
    pricePerMinuteCents: body.pricePerMinuteCents ?? 50,
    minimumChargeCents: body.minimumChargeCents ?? 100,
    salt,
    entries: members.map((m) => ({
      badge: offlineBadgeHash(salt, m.uid),
      name: m.name,
      until: m.until ?? new Date(Date.now() + 3600_000).toISOString(),
      creditCents: m.creditCents,
    })),
  };
  const signature = sign(null, Buffer.from(JSON.stringify(full)), privateKey).toString('base64');
  return { body: full, signature, keyId: 'test' };
}
