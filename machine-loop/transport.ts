/**
 * The machine loop's MQTT client (issue #10). A persistent session (clean: false) under a
 * client id stable for the process, so whatever devices publish while it reconnects is kept
 * for it by the broker. QoS 1 messages are acknowledged to the broker (PUBACK) only when the
 * `accept` callback has resolved, i.e. once the server holds the message durably.
 *
 * mqtt.js (5.x, lib/handlers/publish.js) sends the PUBACK from the callback of
 * `handleMessage(packet, cb)` and parses no further packet until that callback runs, so
 * `accept` must stay short (one INSERT): the work itself runs later in per-machine queues.
 * A callback from before a reconnection is answered with an error, which sends no PUBACK on
 * the new connection: the broker redelivers that message instead (an id of the old
 * connection could name another message on the new one).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { mqttConnectNoDelay } from '../broker/nodelay-stream.ts';
import type { Logger } from '../logging/logger.ts';

export interface TransportOptions {
  mqttUrl: string;
  username: string;
  password: string;
  clientId: string;
  log: Logger;
  connectOptions?: Partial<IClientOptions>;
  /** topic filters and their QoS */
  subscriptions: { topic: string; qos: 0 | 1 }[];
  /**
   * Takes a message; resolves when the server holds it (the PUBACK goes then). `current()`
   * says whether the connection that delivered it is still the live one.
   */
  accept(topic: string, payload: Buffer, qos: number, current: () => boolean): Promise<void>;
  onConnect?(): void;
}

export class MqttTransport {
  private client: MqttClient | null = null;
  /** incremented at each connection close: callbacks from an older connection send no PUBACK */
  private generation = 0;

  constructor(private readonly opts: TransportOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  get clientId(): string {
    return this.opts.clientId;
  }

  async start(): Promise<void> {
    const { opts } = this;
    // TCP_NODELAY on our socket too: without it a QoS 1 round trip costs 40+ ms (Nagle).
    const connect = /^(mqtt|tcp):\/\//.test(opts.mqttUrl) ? mqttConnectNoDelay : mqtt.connect;
    const client = connect(opts.mqttUrl, {
      clientId: opts.clientId,
      username: opts.username,
      password: opts.password,
      protocolVersion: 4,
      clean: false,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...opts.connectOptions,
    });
    this.client = client;
    client.handleMessage = (packet, callback) => {
      if (packet.cmd !== 'publish') return callback();
      const generation = this.generation;
      const current = () => generation === this.generation && this.client === client;
      opts.accept(packet.topic, packet.payload as Buffer, packet.qos, current).then(
        () => callback(current() ? undefined : new Error('connection replaced: no PUBACK')),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    };
    client.on('close', () => {
      this.generation++;
    });
    client.on('error', (err) => opts.log('warn', 'authorizer mqtt error', { error: err.message }));
    client.on('connect', (connack) => {
      opts.log('info', 'authorizer connected', {
        url: redactUrl(opts.mqttUrl),
        clientId: opts.clientId,
        sessionPresent: connack.sessionPresent,
      });
      opts.onConnect?.();
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        client.off('connect', onConnect);
        reject(err);
      };
      const onConnect = () => {
        client.off('error', onError);
        resolve();
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
    await client.subscribeAsync(Object.fromEntries(opts.subscriptions.map((s) => [s.topic, { qos: s.qos }])));
  }

  async publish(topic: string, message: unknown, retain = false): Promise<void> {
    const client = this.client;
    if (client === null) return;
    await client.publishAsync(topic, JSON.stringify(message), { qos: 1, retain });
  }

  /**
   * Closes the connection; the broker keeps the session (and queues for it) until we are back.
   * A graceful end waits for our in-flight publications' PUBACKs; if they do not come within
   * 5 s (mqtt.js parses nothing while a message is being accepted), the socket is closed.
   */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.generation++;
    if (client === null) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), 5000);
    });
    const ended = await Promise.race([client.endAsync().then(() => 'ended' as const), late]);
    clearTimeout(timer);
    if (ended === 'late') await client.endAsync(true);
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
