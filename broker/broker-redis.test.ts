/**
 * Two brokers clustered through Redis share messages. Needs a Redis (REDIS_URL, default
 * redis://127.0.0.1:6379); skipped when none answers.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type Account, connect, nextMessage, startTestBroker, type TestBroker } from './test-support.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 6379), hostname);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const hasRedis = await redisAnswers(REDIS_URL);

describe.skipIf(!hasRedis)('clustered brokers (Redis)', () => {
  const brokers: TestBroker[] = [];
  const clients: MqttClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await Promise.all(brokers.splice(0).map((b) => b.stop()));
  });

  it('a device on one broker reaches a server client on another', async () => {
    // Unique root and ids: other test runs may share this Redis.
    const tag = randomUUID().slice(0, 8);
    const root = `t${tag}`;
    const deviceId = `dev-${tag}`;
    const accounts: Record<string, Account> = {
      [deviceId]: { secret: 'ds', identity: { kind: 'device', deviceId, machineId: 'laser' } },
      api: { secret: 'as', identity: { kind: 'server', name: 'api' } },
    };
    const opts = { topicRoot: root, redisUrl: REDIS_URL };
    brokers.push(await startTestBroker(accounts, opts), await startTestBroker(accounts, opts));
    const [b1, b2] = brokers as [TestBroker, TestBroker];

    const api = await connect(b2.url, 'api', 'as', { clientId: `api-${tag}` });
    clients.push(api);
    await api.subscribeAsync(`${root}/v1/machines/+/badge`, { qos: 1 });
    const dev = await connect(b1.url, deviceId, 'ds');
    clients.push(dev);
    await dev.subscribeAsync(`${root}/v1/machines/laser/decision`, { qos: 1 });

    const badge = nextMessage(api);
    await dev.publishAsync(`${root}/v1/machines/laser/badge`, '{"n":1}', { qos: 1 });
    expect(await badge).toMatchObject({ topic: `${root}/v1/machines/laser/badge`, payload: '{"n":1}' });

    const decision = nextMessage(dev);
    await api.publishAsync(`${root}/v1/machines/laser/decision`, '{"granted":true}', { qos: 1 });
    expect(await decision).toMatchObject({ payload: '{"granted":true}' });

    // Retained messages (the allow-list, SPEC §2) come from the shared store: published on
    // b2, delivered by b1 to a device that subscribes afterwards.
    const allowlist = `${root}/v1/machines/laser/allowlist`;
    await api.publishAsync(allowlist, '{"v":1}', { qos: 1, retain: true });
    const late = await connect(b1.url, deviceId, 'ds', { clientId: deviceId });
    clients.push(late);
    const retained = nextMessage(late);
    await late.subscribeAsync(allowlist, { qos: 1 });
    expect(await retained).toMatchObject({ payload: '{"v":1}', retain: true });
    await api.publishAsync(allowlist, '', { qos: 1, retain: true }); // leave Redis clean

    expect(b1.logs.filter((l) => l.level === 'error')).toEqual([]);
    expect(b2.logs.filter((l) => l.level === 'error')).toEqual([]);
  });
});
