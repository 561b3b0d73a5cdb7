import net from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrokerIdentity } from './acl.ts';
import { Broker } from './broker.ts';
import {
  type Account,
  closed,
  connect,
  nextMessage,
  refusal,
  startTestBroker,
  subackCodes,
  type TestBroker,
} from './test-support.ts';

const SECRET = 's3cret-laser-reader';
const accounts: Record<string, Account> = {
  'dev-laser': { secret: SECRET, identity: { kind: 'device', deviceId: 'dev-laser', machineId: 'laser' } },
  'dev-laser-relay': {
    secret: 'relay-secret',
    identity: { kind: 'device', deviceId: 'dev-laser-relay', machineId: 'laser' },
  },
  'dev-cnc': { secret: 'cnc-secret', identity: { kind: 'device', deviceId: 'dev-cnc', machineId: 'cnc' } },
  api: { secret: 'api-secret', identity: { kind: 'server', name: 'api' } },
};
const topic = (machine: string, kind: string) => `fablab/v1/machines/${machine}/${kind}`;

let tb: TestBroker;
let clients: MqttClient[];

async function device(id = 'dev-laser', secret = accounts[id]?.secret ?? '', extra = {}) {
  const client = await connect(tb.url, id, secret, extra);
  clients.push(client);
  return client;
}

async function serverClient(clientId = 'api-main') {
  const client = await connect(tb.url, 'api', 'api-secret', { clientId });
  clients.push(client);
  return client;
}

beforeEach(async () => {
  clients = [];
  tb = await startTestBroker(accounts);
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await tb.stop();
});

describe('authentication', () => {
  it('accepts a device with client id = username = device id and the right secret', async () => {
    const client = await device();
    expect(client.connected).toBe(true);
  });

  it('refuses a wrong secret with CONNACK 4 and never logs the password', async () => {
    const err = await refusal(connect(tb.url, 'dev-laser', 'wrong-password-value'));
    expect(err.code).toBe(4);
    expect(tb.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'connection refused: bad credentials' }),
    );
    expect(JSON.stringify(tb.logs)).not.toContain('wrong-password-value');
  });

  it('refuses an unknown username and a missing password with CONNACK 4', async () => {
    expect((await refusal(connect(tb.url, 'dev-nobody', 'x'))).code).toBe(4);
    const noPassword = connect(tb.url, 'dev-laser', '', { password: undefined });
    expect((await refusal(noPassword)).code).toBe(4);
  });

  it('refuses a device whose client id is not its username with CONNACK 5', async () => {
    const err = await refusal(connect(tb.url, 'dev-laser', SECRET, { clientId: 'dev-laser-2' }));
    expect(err.code).toBe(5);
  });

  it('lets a server identity use any valid client id', async () => {
    const client = await serverClient('api-worker-7');
    expect(client.connected).toBe(true);
  });

  it.each(['dev+laser', 'dev#laser', 'dev/laser', 'x'.repeat(65), ''])(
    'refuses client id %j with CONNACK 5 without asking the credential store',
    async (clientId) => {
      const err = await refusal(connect(tb.url, 'api', 'api-secret', { clientId }));
      expect(err.code).toBe(5);
      expect(tb.authCalls()).toBe(0);
    },
  );

  it('refuses a will on a topic the identity may not publish', async () => {
    const err = await refusal(
      connect(tb.url, 'dev-laser', SECRET, {
        will: { topic: topic('cnc', 'status'), payload: Buffer.from('{}'), qos: 1, retain: true },
      }),
    );
    expect(err.code).toBe(5);
  });

  it('publishes an allowed will when the device drops', async () => {
    const api = await serverClient();
    await api.subscribeAsync(topic('laser', 'status'), { qos: 1 });
    const dev = await device('dev-laser', SECRET, {
      will: {
        topic: topic('laser', 'status'),
        payload: Buffer.from('{"online":false}'),
        qos: 1,
        retain: false,
      },
    });
    const will = nextMessage(api);
    dev.stream.destroy(); // no DISCONNECT: the broker must publish the will
    expect(await will).toMatchObject({ topic: topic('laser', 'status'), payload: '{"online":false}' });
  });
});

describe('throttling of failed logins', () => {
  beforeEach(async () => {
    await tb.stop();
    tb = await startTestBroker(accounts, {
      loginLimits: { freePairFailures: 2, baseDelayMs: 100, maxDelayMs: 400 },
    });
  });

  it('holds back the refusals past the free failures, and never refuses the right secret', async () => {
    for (let i = 0; i < 2; i++)
      expect((await refusal(connect(tb.url, 'dev-laser', `guess-${i}`))).code).toBe(4);
    const t0 = performance.now();
    expect((await refusal(connect(tb.url, 'dev-laser', 'guess-2'))).code).toBe(4);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    expect(tb.logs).toContainEqual(
      expect.objectContaining({ msg: 'connection refused: bad credentials (refusal delayed 100 ms)' }),
    );
    expect((await device()).connected).toBe(true);
  });
});

describe('topic ACL', () => {
  it('a device can subscribe to its own decision topic and receives decisions', async () => {
    const dev = await device();
    const granted = await dev.subscribeAsync(topic('laser', 'decision'), { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    const api = await serverClient();
    const received = nextMessage(dev);
    await api.publishAsync(topic('laser', 'decision'), '{"granted":true}', { qos: 1 });
    expect(await received).toMatchObject({ topic: topic('laser', 'decision'), payload: '{"granted":true}' });
  });

  it.each([
    ['#'],
    ['fablab/#'],
    [topic('cnc', 'decision')],
    [topic('+', 'decision')],
    [topic('laser', 'badge')],
    ['$SYS/#'],
  ])('a device subscribing to %j gets SUBACK 0x80 and stays connected', async (filter) => {
    const dev = await device();
    expect(await subackCodes(dev, filter)).toEqual([0x80]);
    expect(tb.logs).toContainEqual(expect.objectContaining({ msg: 'subscribe refused' }));
    // still connected and usable afterwards, and a mixed SUBSCRIBE is answered filter by filter
    expect(await subackCodes(dev, [topic('laser', 'command'), filter])).toEqual([1, 0x80]);
  });

  it('the server identity can subscribe to every machine badge topic and receives device badges', async () => {
    const api = await serverClient();
    const granted = await api.subscribeAsync('fablab/v1/machines/+/badge', { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    const received = nextMessage(api);
    const dev = await device();
    await dev.publishAsync(topic('laser', 'badge'), '{"badge":"04A3B2C1"}', { qos: 1 });
    expect(await received).toMatchObject({ topic: topic('laser', 'badge') });
  });

  it('the server identity cannot subscribe outside {root}/v1/', async () => {
    const api = await serverClient();
    expect(await subackCodes(api, ['#', 'fablab/#', 'other/v1/#'])).toEqual([0x80, 0x80, 0x80]);
  });

  it("a device publishing to another machine's topic is disconnected and the message dropped", async () => {
    const api = await serverClient();
    await api.subscribeAsync('fablab/v1/machines/+/+', { qos: 1 });
    const seen: string[] = [];
    api.on('message', (t) => seen.push(t));

    const rogue = await device();
    const gone = closed(rogue);
    rogue.publish(topic('cnc', 'badge'), '{}', { qos: 1 });
    await gone;
    expect(tb.logs).toContainEqual(
      expect.objectContaining({
        msg: 'publish refused',
        fields: { clientId: 'dev-laser', topic: topic('cnc', 'badge') },
      }),
    );

    // A later allowed message arrives; the refused one never did.
    const cnc = await device('dev-cnc');
    const next = nextMessage(api);
    await cnc.publishAsync(topic('cnc', 'badge'), '{}', { qos: 1 });
    await next;
    expect(seen).toEqual([topic('cnc', 'badge')]);
  });

  it.each([[topic('laser', 'decision')], [topic('laser', 'command')]])(
    'a device cannot publish to its own server -> device topic %j',
    async (t) => {
      const dev = await device();
      const gone = closed(dev);
      dev.publish(t, '{}', { qos: 1 });
      await gone;
    },
  );

  it.each([
    ['device', 'dev-laser'],
    ['server', 'api'],
  ])('a %s cannot publish to $SYS', async (_kind, who) => {
    const client = who === 'api' ? await serverClient() : await device();
    const gone = closed(client);
    client.publish('$SYS/broker/fake', 'x', { qos: 1 });
    await gone;
    expect(tb.logs).toContainEqual(expect.objectContaining({ msg: 'publish refused' }));
  });

  it('closes the connection of a client using topics deeper than the level limit', async () => {
    const api = await serverClient();
    const gone = closed(api);
    api.publish('fablab/v1/a/b/c/d/e/f/g/h', 'x', { qos: 1 });
    await gone;
    const api2 = await serverClient('api-2');
    const gone2 = closed(api2);
    api2.subscribe('fablab/v1/a/b/c/d/e/f/g/h', { qos: 1 });
    await gone2;
  });
});

describe('lifecycle', () => {
  it('reports connections and disconnections with the identity', async () => {
    await tb.stop();
    const events: string[] = [];
    tb = await startTestBroker(accounts, {
      onClientConnected: (id: BrokerIdentity, clientId) => events.push(`+${id.kind}:${clientId}`),
      onClientDisconnected: (id: BrokerIdentity, clientId) => events.push(`-${id.kind}:${clientId}`),
    });
    const dev = await device();
    await vi.waitFor(() => expect(events).toEqual(['+device:dev-laser']));
    await dev.endAsync();
    await vi.waitFor(() => expect(events).toEqual(['+device:dev-laser', '-device:dev-laser']));
  });

  it('stop() disconnects clients, also half-open ones, and releases the port', async () => {
    const dev = await device();
    const gone = closed(dev);
    // a raw socket that never sends CONNECT: not yet an aedes client
    const raw = net.connect(tb.broker.port, '127.0.0.1');
    await new Promise((resolve) => raw.once('connect', resolve));
    const rawClosed = new Promise((resolve) => raw.once('close', resolve));
    const port = tb.broker.port;

    await tb.stop();
    await gone;
    await rawClosed;
    expect(tb.broker.port).toBe(0);

    const again = new Broker({
      port,
      host: '127.0.0.1',
      topicRoot: 'fablab',
      authenticate: async () => null,
      log: () => {},
    });
    await again.start();
    expect(again.port).toBe(port);
    await again.stop();
    await again.stop(); // idempotent
  });

  it('refuses an invalid topic root at start', async () => {
    const b = new Broker({ port: 0, topicRoot: 'a/b', authenticate: async () => null, log: () => {} });
    await expect(b.start()).rejects.toThrow(/topic root/);
  });

  it('sets TCP_NODELAY on every accepted socket', async () => {
    const spy = vi.spyOn(net.Socket.prototype, 'setNoDelay');
    try {
      const dev = await device();
      const localPort = (dev.stream as net.Socket).localPort;
      const serverSide = spy.mock.contexts.find(
        (s) => (s as net.Socket).remotePort === localPort && (s as net.Socket).localPort === tb.broker.port,
      );
      expect(serverSide).toBeDefined();
      const call = spy.mock.contexts.indexOf(serverSide);
      expect(spy.mock.calls[call]).toEqual([true]);
    } finally {
      spy.mockRestore();
    }
  });

  it('fails start() instead of hanging when Redis is unreachable', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const b = new Broker({
      port: 0,
      host: '127.0.0.1',
      topicRoot: 'fablab',
      authenticate: async () => null,
      redisUrl: `redis://127.0.0.1:${deadPort}`,
      redisConnectTimeoutMs: 300,
      log: () => {},
    });
    await expect(b.start()).rejects.toThrow(/redis not ready/);
    expect(b.port).toBe(0);
  });

  it('answers CONNACK 3 when the credential store fails, and logs it', async () => {
    await tb.stop();
    tb = await startTestBroker(accounts, {
      authenticate: async () => {
        throw new Error('db down');
      },
    });
    expect((await refusal(connect(tb.url, 'dev-laser', SECRET))).code).toBe(3);
    expect(tb.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'connection refused: credential check failed: db down',
      }),
    );
  });
});
