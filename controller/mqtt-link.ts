/**
 * The board's MQTT connection, with TCP_NODELAY (issue #10: the board imports nothing from the
 * broker or the server). mqtt.js 5 opens its TCP socket with `net.createConnection({port,
 * host, path})` and no option for Nagle's algorithm, and Nagle + the broker's delayed ACK adds
 * 40 ms or more to every QoS 1 round trip. `MqttClient` takes a stream builder, called again on
 * every reconnect: this module supplies one whose socket has `noDelay`.
 *
 * Only `mqtt://` and `tcp://` URLs (what a board on the lab's network uses); anything else is
 * refused rather than silently connected without TCP_NODELAY.
 */
import net from 'node:net';
import { type IClientOptions, MqttClient } from 'mqtt';
import {
  type Ack,
  ackSchema,
  type Command,
  commandSchema,
  DEVICE_SUBSCRIBES,
  type Decision,
  decisionSchema,
  machineTopic,
  type TopicKind,
} from '../core/mqtt-contract.ts';

const DEFAULT_MQTT_PORT = 1883;
const OFFLINE_STATUS = JSON.stringify({ online: false, relay: 'off' });

/** Splits `mqtt://user:pass@host:port` into a TCP target and client options. */
export function parseBoardMqttUrl(url: string): { host: string; port: number; opts: IClientOptions } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'tcp:') {
    throw new Error(`controller: unsupported MQTT URL ${parsed.protocol} (mqtt:// or tcp:// only)`);
  }
  // WHATWG URLs keep the brackets of an IPv6 literal; net.connect wants them off.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const port = parsed.port ? Number(parsed.port) : DEFAULT_MQTT_PORT;
  const opts: IClientOptions = { protocol: 'mqtt', host, port };
  if (parsed.username) opts.username = decodeURIComponent(parsed.username);
  if (parsed.password) opts.password = decodeURIComponent(parsed.password);
  return { host, port, opts };
}

/** Like `mqtt.connect(url, opts)`, with TCP_NODELAY on every (re)connection's socket. */
export function connectBoard(url: string, opts: IClientOptions): MqttClient {
  const target = parseBoardMqttUrl(url);
  const client = new MqttClient(
    () => {
      const socket = net.createConnection({ host: target.host, port: target.port, noDelay: true });
      socket.setNoDelay(true); // explicit too: the option's effect cannot be observed from outside
      return socket;
    },
    { ...target.opts, ...opts },
  );
  client.on('error', () => {}); // a refused CONNECT must not crash a process listening for 'connect' only
  return client;
}

export interface LinkHandlers {
  onConnect: () => void;
  onClose: () => void;
  onError: (message: string) => void;
  onDecision: (decision: Decision) => void;
  onCommand: (command: Command) => void;
  onAck: (ack: Ack) => void;
  /** the raw payload: its signature is checked on the bytes as received */
  onAllowList: (payload: Buffer) => void;
  /** wraps every handler call (the controller's fail-secure guard) */
  guard: (fn: () => void) => void;
}

/**
 * The board's side of the contract (core/mqtt-contract.ts): a persistent session (`clean:
 * false`: a `lock` or an `ack` published while the board was briefly away still arrives), the
 * retained will `{online: false}`, the subscriptions (decision, command, allowlist, ack) made
 * on every connection, and messages parsed with the contract's schemas before anyone sees them
 * (anything else on our topics is dropped: the server validates what it sends).
 */
export class BoardLink {
  readonly #root: string;
  readonly #machineId: string;
  #client: MqttClient | null = null;

  constructor(o: { topicRoot: string; machineId: string }) {
    this.#root = o.topicRoot;
    this.#machineId = o.machineId;
  }

  topic(kind: TopicKind): string {
    return machineTopic(this.#root, this.#machineId, kind);
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  connect(
    c: { mqttUrl: string; deviceId: string; secret: string; reconnectPeriodMs: number },
    h: LinkHandlers,
  ): void {
    const client = connectBoard(c.mqttUrl, {
      clientId: c.deviceId,
      username: c.deviceId,
      password: c.secret,
      protocolVersion: 4,
      clean: false,
      keepalive: 30,
      connectTimeout: 5000,
      reconnectPeriod: c.reconnectPeriodMs,
      will: { topic: this.topic('status'), payload: Buffer.from(OFFLINE_STATUS), qos: 1, retain: true },
    });
    this.#client = client;
    client.on('connect', () => {
      client.subscribe(
        DEVICE_SUBSCRIBES.map((k) => this.topic(k)),
        { qos: 1 },
        (err) => {
          if (err) h.onError(`subscribe: ${err.message}`);
        },
      );
      h.guard(h.onConnect);
    });
    client.on('close', h.onClose);
    client.on('error', (err) => h.onError(err.message));
    client.on('message', (topic, payload) => h.guard(() => this.#route(topic, payload, h)));
  }

  /** QoS 1; `done` at the broker's PUBACK. Nothing is queued inside mqtt.js while offline. */
  publish(
    topic: string,
    payload: string,
    opts: { retain?: boolean } = {},
    done?: (err?: Error) => void,
  ): boolean {
    const client = this.#client;
    if (client === null || !client.connected) return false;
    client.publish(topic, payload, { qos: 1, retain: opts.retain ?? false }, (err) => done?.(err));
    return true;
  }

  publishStatus(relayOn: boolean, sessionId: string | null): void {
    const status = { online: true, relay: relayOn ? 'on' : 'off', ...(sessionId ? { sessionId } : {}) };
    this.publish(this.topic('status'), JSON.stringify(status), { retain: true });
  }

  /** Says goodbye (status offline), gives in-flight messages up to 2 s, then closes. */
  async close(): Promise<void> {
    const client = this.#client;
    if (client === null) return;
    this.publish(this.topic('status'), OFFLINE_STATUS, { retain: true });
    await Promise.race([client.endAsync(false), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.#client = null;
    client.removeAllListeners();
    client.on('error', () => {});
    await client.endAsync(true);
  }

  /** Drops the socket at once, as a power cut would. */
  abort(): void {
    const client = this.#client;
    this.#client = null;
    if (client === null) return;
    client.removeAllListeners();
    client.on('error', () => {});
    client.end(true);
  }

  #route(topic: string, payload: Buffer, h: LinkHandlers): void {
    const kind = topic.split('/').at(-1) as TopicKind;
    if (topic !== this.topic(kind)) return;
    if (kind === 'allowlist') {
      h.onAllowList(payload);
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (kind === 'decision') {
      const d = decisionSchema.safeParse(data);
      if (d.success) h.onDecision(d.data);
    } else if (kind === 'command') {
      const c = commandSchema.safeParse(data);
      if (c.success) h.onCommand(c.data);
    } else if (kind === 'ack') {
      const a = ackSchema.safeParse(data);
      if (a.success) h.onAck(a.data);
    }
  }
}
