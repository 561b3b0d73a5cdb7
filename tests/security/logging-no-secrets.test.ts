/**
 * Issue #9 "Logs", end to end: a whole server (real HTTP, real embedded broker, real MQTT
 * clients) logging at debug through the shared logger writes no credential and no badge UID,
 * whatever happens: a bootstrap token, a device's secret at CONNECT, a wrong secret, a badge
 * request, a wrong password at sign-in. The lines that prove something was logged are the
 * barrier (a refused connection, a decision), never a sleep. This one guards what already held
 * (SPEC §4: no leaked secret in a log) through the new logger; logging-redaction.test.ts holds
 * the tests that failed on the hand-made loggers.
 */
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineTopic } from '../../core/mqtt-contract.ts';
import { createLogger } from '../../logging/logger.ts';
import { parseEnv } from '../../server/env.ts';
import { type RunningServer, startServer } from '../../server/server.ts';
import { testDatabase } from '../support/db.ts';

const ADMIN_TOKEN = 'logging-admin-token-0123456789';
const UID = '0A1B2C3D4E';
const WRONG_SECRET = 'wrong-secret-value-for-the-log-test';
const WRONG_PASSWORD = 'wrong password for the log test';

describe('a running server logs no secret and no badge UID', () => {
  const lines: string[] = [];
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let server: RunningServer;
  let base: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  const waitForLine = async (pattern: RegExp, timeoutMs = 20_000) => {
    const until = Date.now() + timeoutMs;
    while (!lines.some((l) => pattern.test(l))) {
      if (Date.now() > until) throw new Error(`no log line ${pattern} in:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    database = await testDatabase();
    const env = parseEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      MQTT_PORT: '0',
      MQTT_HOST: '127.0.0.1',
      BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    server = await startServer({
      env,
      log: createLogger('debug', (line) => lines.push(line)),
      database,
      authorizer: { allowListDebounceMs: 20, balanceDebounceMs: 50 },
    });
    base = `http://127.0.0.1:${server.httpPort}`;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('through device provisioning, MQTT logins, a badge request and a failed sign-in', async () => {
    const machine = await api('POST', '/machines', {
      id: 'laser-log',
      name: 'Laser',
      kind: 'laser',
      pricePerMinuteCents: 50,
      minimumChargeCents: 100,
      qualifications: [],
    });
    expect(machine.status, JSON.stringify(machine.body)).toBe(201);
    const device = await api('POST', '/machines/laser-log/devices', {});
    expect(device.status, JSON.stringify(device.body)).toBe(201);
    const deviceId = String(device.body.deviceId);
    const secret = String(device.body.secret);

    // A wrong secret: refused, and logged without the secret.
    const refused = await mqtt
      .connectAsync(server.mqttUrl, {
        clientId: deviceId,
        username: deviceId,
        password: WRONG_SECRET,
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      })
      .then(
        (c) => c.endAsync().then(() => 'connected'),
        (err: Error) => err.message,
      );
    expect(refused).not.toBe('connected');
    await waitForLine(/connection refused/);

    // The right secret, then a badge request for an unknown UID: a decision is logged.
    const board = await mqtt.connectAsync(server.mqttUrl, {
      clientId: deviceId,
      username: deviceId,
      password: secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    try {
      await board.subscribeAsync(machineTopic('fablab', 'laser-log', 'decision'), { qos: 1 });
      await board.publishAsync(
        machineTopic('fablab', 'laser-log', 'badge'),
        JSON.stringify({ requestId: randomUUID(), badge: UID, at: new Date().toISOString() }),
        { qos: 1 },
      );
      await waitForLine(/"msg":"decision"/);
    } finally {
      await board.endAsync();
    }

    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.org', password: WRONG_PASSWORD }),
    });
    expect([400, 401, 429]).toContain(login.status);

    // Case-insensitive: UIDs are normalised (lower case) on their way in.
    const out = lines.join('\n').toLowerCase();
    for (const value of [ADMIN_TOKEN, secret, WRONG_SECRET, WRONG_PASSWORD, UID]) {
      expect(out, value).not.toContain(value.toLowerCase());
    }
    // Every line is one JSON object with its own level and message.
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(['debug', 'info', 'warn', 'error']).toContain(parsed.level);
      expect(typeof parsed.msg).toBe('string');
    }
  }, 60_000);
});
