/**
 * A whole Sésame in-process for scenario tests: real database (PGlite in memory, or a fresh
 * PostgreSQL database when DATABASE_URL is set), real embedded Aedes on port 0, real HTTP
 * listener on port 0, real MQTT clients playing the devices.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Database } from '../../db/client.ts';
import { type Logger, silentLogger } from '../../logging/logger.ts';
import { parseEnv } from '../../server/env.ts';
import { type RunningServer, startServer } from '../../server/server.ts';
import { testDatabase } from './db.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestSystem {
  server: RunningServer;
  database: Database & { drop(): Promise<void> };
  baseUrl: string;
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startSystem(
  opts: {
    env?: Record<string, string>;
    database?: Database & { drop(): Promise<void> };
    keepDatabase?: boolean;
    /** receives the server's log lines (default: silent, or the console with TEST_LOG) */
    log?: Logger;
  } = {},
): Promise<TestSystem> {
  const database = opts.database ?? (await testDatabase());
  const env = parseEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    MQTT_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
    ...opts.env,
  });
  const server = await startServer({
    env,
    log: opts.log ?? (process.env.TEST_LOG ? (l, m, f) => console.log(l, m, f ?? '') : silentLogger),
    database,
    authorizer: { sweepIntervalMs: 200, allowListDebounceMs: 20, balanceDebounceMs: 50 },
  });
  const baseUrl = `http://127.0.0.1:${server.httpPort}`;
  return {
    server,
    database,
    baseUrl,
    async api(method, path, body, headers = {}) {
      const res = await fetch(`${baseUrl}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed as any };
    },
    async stop() {
      await server.stop();
      if (!opts.keepDatabase) await database.drop();
    },
  };
}

/** A device: a real MQTT client with the credentials the API issued. */
export async function connectDevice(
  mqttUrl: string,
  deviceId: string,
  secret: string,
  extra: mqtt.IClientOptions = {},
) {
  const client = await mqtt.connectAsync(mqttUrl, {
    clientId: deviceId,
    username: deviceId,
    password: secret,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...extra,
  });
  return client;
}

/** Resolves with the next message on a topic matching the predicate. */
export function nextMessage<T = any>(
  client: MqttClient,
  topic: string,
  predicate: (m: T) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message on ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      let m: T;
      try {
        m = JSON.parse(payload.toString());
      } catch {
        return;
      }
      if (!predicate(m)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(m);
    };
    client.on('message', onMessage);
  });
}

/** Polls until fn returns a truthy value (for effects that land asynchronously). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
