import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mqttConnectNoDelay, mqttConnectNoDelayAsync, parseMqttUrl } from './nodelay-stream.ts';

describe('parseMqttUrl', () => {
  it.each([
    [
      'mqtt://127.0.0.1:18830',
      { host: '127.0.0.1', port: 18830, opts: { protocol: 'mqtt', host: '127.0.0.1', port: 18830 } },
    ],
    ['tcp://broker.lan', { host: 'broker.lan', port: 1883 }],
    ['mqtt://[::1]:1999', { host: '::1', port: 1999 }],
    [
      'mqtt://api:p%40ss@h:1?clientId=api-1',
      { opts: { username: 'api', password: 'p@ss', clientId: 'api-1' } },
    ],
  ])('%s', (url, expected) => {
    expect(parseMqttUrl(url)).toMatchObject(expected);
  });

  it.each(['ws://h:1', 'mqtts://h:1', 'not a url'])('refuses %s', (url) => {
    expect(() => parseMqttUrl(url)).toThrow();
  });
});

describe('mqttConnectNoDelay', () => {
  let server: net.Server | null = null;
  afterEach(async () => {
    vi.restoreAllMocks();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = null;
  });

  it('opens its socket with TCP_NODELAY, on every (re)connection', async () => {
    const accepted: net.Socket[] = [];
    server = net.createServer((s) => {
      accepted.push(s);
      s.destroy(); // close right away: the client reconnects with a fresh stream
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const spy = vi.spyOn(net.Socket.prototype, 'setNoDelay');

    const client = mqttConnectNoDelay(`mqtt://127.0.0.1:${port}`, {
      reconnectPeriod: 10,
      connectTimeout: 1_000,
    });
    await vi.waitFor(() => expect(accepted.length).toBeGreaterThanOrEqual(2));
    await client.endAsync(true);

    // Every client socket (one per connection attempt) had setNoDelay(true); the server's
    // accepted sockets are not ours to check here.
    const calls = spy.mock.calls.filter((_, i) => !accepted.includes(spy.mock.contexts[i] as net.Socket));
    expect(
      new Set(spy.mock.contexts.filter((c) => !accepted.includes(c as net.Socket))).size,
    ).toBeGreaterThanOrEqual(accepted.length);
    expect(calls.every((args) => args[0] === true)).toBe(true);
  });

  it('the async variant rejects when nothing listens and reconnects are off', async () => {
    server = net.createServer();
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = null;
    await expect(
      mqttConnectNoDelayAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 }),
    ).rejects.toThrow();
  });
});
