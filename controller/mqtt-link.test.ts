/**
 * The board's own MQTT connector (issue #10: nothing imported from broker/): URL parsing, and a
 * QoS 1 round trip through a real Aedes broker on port 0 with TCP_NODELAY, measured next to
 * mqtt.js's own connector (printed; the figure is in the report, not asserted: a loaded machine
 * must not turn a measurement into a flaky test).
 */

import net from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectBoard, parseBoardMqttUrl } from './mqtt-link.ts';
import { startTestBroker, type TestBroker } from './test-helpers.ts';

describe('parseBoardMqttUrl', () => {
  it.each([
    ['mqtt://broker.lab:1884', { host: 'broker.lab', port: 1884 }],
    ['tcp://10.0.0.2', { host: '10.0.0.2', port: 1883 }],
    ['mqtt://[::1]:1999', { host: '::1', port: 1999 }],
  ])('%s', (url, expected) => {
    expect(parseBoardMqttUrl(url)).toMatchObject(expected);
  });

  it('takes credentials from the URL and refuses what it cannot open with TCP_NODELAY', () => {
    expect(parseBoardMqttUrl('mqtt://dev-1:s%40cret@h:1883').opts).toMatchObject({
      username: 'dev-1',
      password: 's@cret',
    });
    expect(() => parseBoardMqttUrl('ws://h:8080')).toThrow(/unsupported/);
    expect(() => parseBoardMqttUrl('mqtts://h')).toThrow(/unsupported/);
  });
});

describe('connectBoard', () => {
  let broker: TestBroker;
  const clients: MqttClient[] = [];
  beforeEach(async () => {
    broker = await startTestBroker();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.endAsync(true);
    await broker.stop();
  });

  /** Median time of a request answered by another client (badge -> decision): QoS 1 both ways. */
  async function pingPong(a: MqttClient, b: MqttClient, n: number): Promise<number> {
    await b.subscribeAsync('fablab/v1/machines/laser-1/badge', { qos: 1 });
    await a.subscribeAsync('fablab/v1/machines/laser-1/decision', { qos: 1 });
    b.on('message', (_t, p) => b.publish('fablab/v1/machines/laser-1/decision', p, { qos: 1 }));
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        a.once('message', () => resolve());
        a.publish('fablab/v1/machines/laser-1/badge', JSON.stringify({ i }), { qos: 1 });
      });
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    return times[Math.floor(n / 2)] as number;
  }

  const connected = (id: string) =>
    new Promise<MqttClient>((resolve) => {
      const c = connectBoard(broker.url, { clientId: id, reconnectPeriod: 100 });
      clients.push(c);
      c.once('connect', () => resolve(c));
    });

  it('connects, reconnects through the same stream builder, and gets QoS 1 PUBACKs', async () => {
    const spy = vi.spyOn(net.Socket.prototype, 'setNoDelay');
    const board = await connected('dev-1');
    expect(spy).toHaveBeenCalledWith(true);
    spy.mockRestore();
    const responder = await connected('server-nodelay');
    const noDelay = await pingPong(board, responder, 30);
    const plainBoard = await mqtt.connectAsync(broker.url, { clientId: 'dev-plain' });
    const plainResponder = await mqtt.connectAsync(broker.url, { clientId: 'server-plain' });
    clients.push(plainBoard, plainResponder);
    const nagle = await pingPong(plainBoard, plainResponder, 30);
    process.stdout.write(
      `request -> answer, QoS 1 both ways, median of 30: TCP_NODELAY ${noDelay.toFixed(2)} ms, mqtt.connect ${nagle.toFixed(2)} ms\n`,
    );
    expect(broker.published.filter((p) => p.clientId === 'dev-1')).toHaveLength(30);
    // A reconnection opens a new socket through the same builder.
    await broker.stop();
    await broker.restart();
    await new Promise<void>((resolve) => board.once('connect', () => resolve()));
    await board.publishAsync('fablab/v1/machines/laser-1/runtime', '{}', { qos: 1 });
  });
});
