/** Helpers for the broker's own tests: a real Broker on port 0 and real mqtt.js clients. */
import type { IClientOptions, MqttClient } from 'mqtt';
import type { BrokerIdentity } from './acl.ts';
import { Broker, type BrokerOptions } from './broker.ts';
import { mqttConnectNoDelayAsync } from './nodelay-stream.ts';

export interface LogEntry {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

export interface Account {
  secret: string;
  identity: BrokerIdentity;
}

export interface TestBroker {
  broker: Broker;
  url: string;
  logs: LogEntry[];
  /** how many times the credential store was asked */
  authCalls: () => number;
  stop(): Promise<void>;
}

export async function startTestBroker(
  accounts: Record<string, Account>,
  extra: Partial<BrokerOptions> = {},
): Promise<TestBroker> {
  const logs: LogEntry[] = [];
  let calls = 0;
  const broker = new Broker({
    port: 0,
    host: '127.0.0.1',
    topicRoot: 'fablab',
    authenticate: async (username, password) => {
      calls++;
      const account = accounts[username];
      return account && account.secret === password ? account.identity : null;
    },
    log: (level, msg, fields) => logs.push({ level, msg, fields }),
    ...extra,
  });
  await broker.start();
  return {
    broker,
    url: `mqtt://127.0.0.1:${broker.port}`,
    logs,
    authCalls: () => calls,
    stop: () => broker.stop(),
  };
}

/** Connects like a device does (client id = username); rejects with the CONNACK error. */
export function connect(
  url: string,
  username: string,
  password: string,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  return mqttConnectNoDelayAsync(url, {
    clientId: username,
    username,
    password,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 3_000,
    ...extra,
  });
}

/** The error a refused connection fails with (its `code` is the CONNACK return code). */
export async function refusal(promise: Promise<MqttClient>): Promise<{ code?: number; message: string }> {
  try {
    const client = await promise;
    await client.endAsync(true);
  } catch (err) {
    return err as { code?: number; message: string };
  }
  throw new Error('connection was accepted');
}

/** Resolves with the next message on a topic matching `predicate`. */
export function nextMessage(
  client: MqttClient,
  predicate: (topic: string) => boolean = () => true,
  timeoutMs = 3_000,
): Promise<{ topic: string; payload: string; retain: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error('no message within timeout'));
    }, timeoutMs);
    const onMessage = (topic: string, payload: Buffer, packet: { retain?: boolean }) => {
      if (!predicate(topic)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ topic, payload: payload.toString('utf8'), retain: Boolean(packet.retain) });
    };
    client.on('message', onMessage);
  });
}

/** Resolves when the broker closes the client's connection. */
export function closed(client: MqttClient, timeoutMs = 3_000): Promise<void> {
  if (!client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connection still open')), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The SUBACK return codes for a SUBSCRIBE. mqtt.js rejects the whole call when any code is
 * 0x80 (ErrorWithSubackPacket, carrying the SUBACK); read the codes from either outcome.
 */
export async function subackCodes(client: MqttClient, filters: string | string[]): Promise<number[]> {
  try {
    const granted = await client.subscribeAsync(filters, { qos: 1 });
    return granted.map((g) => g.qos);
  } catch (err) {
    const packet = (err as { packet?: { granted?: unknown } }).packet;
    if (!packet || !Array.isArray(packet.granted)) throw err;
    return packet.granted.map((g) => (typeof g === 'number' ? g : (g as { qos: number }).qos));
  }
}
