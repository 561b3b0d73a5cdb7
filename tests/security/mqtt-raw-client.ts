/**
 * A raw MQTT 3.1.1 client on a plain TCP socket, for the security tests: it writes exactly the
 * bytes it is told to (no queueing while disconnected, no reconnect, no size checks), as an
 * attacker or a dumb board would, and reports what the broker sends back and when it closes.
 */
import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface RawClient {
  socket: net.Socket;
  /** every packet received so far */
  received: Packet[];
  /** resolves when the broker closes the socket (or it errors) */
  closed: Promise<void>;
  isClosed(): boolean;
  /** resolves with the next received packet of this kind (or null if the socket closes first) */
  next(cmd: Packet['cmd'], timeoutMs?: number): Promise<Packet | null>;
  send(packet: Packet): boolean;
  destroy(): void;
}

export async function rawConnect(port: number, opts: { localAddress?: string } = {}): Promise<RawClient> {
  const socket = net.createConnection({ host: '127.0.0.1', port, noDelay: true, ...opts });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const received: Packet[] = [];
  const waiters = new Set<(p: Packet | null) => void>();
  let isClosed = false;
  const parser = mqttPacket.parser();
  parser.on('packet', (p: Packet) => {
    received.push(p);
    for (const w of [...waiters]) w(p);
  });
  socket.on('data', (chunk) => parser.parse(chunk));
  const closed = new Promise<void>((resolve) => {
    const done = () => {
      isClosed = true;
      for (const w of [...waiters]) w(null);
      resolve();
    };
    socket.once('close', done);
    socket.on('error', () => {});
  });
  return {
    socket,
    received,
    closed,
    isClosed: () => isClosed,
    next(cmd, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        if (isClosed) return resolve(null);
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no ${cmd} within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (p: Packet | null) => {
          if (p !== null && p.cmd !== cmd) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(p);
        };
        waiters.add(waiter);
      });
    },
    send(packet) {
      if (isClosed || socket.destroyed) return false;
      return socket.write(mqttPacket.generate(packet));
    },
    destroy: () => socket.destroy(),
  };
}

/** Connects like a device (client id = username) and resolves with the CONNACK return code. */
export async function rawLogin(
  port: number,
  username: string,
  password: string,
  opts: { localAddress?: string } = {},
): Promise<{ client: RawClient; returnCode: number | null }> {
  const client = await rawConnect(port, opts);
  const connack = client.next('connack', 15_000);
  client.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId: username,
    keepalive: 60,
    username,
    password: Buffer.from(password),
  });
  const p = await connack;
  return { client, returnCode: p && p.cmd === 'connack' ? (p.returnCode ?? 0) : null };
}

/** A QoS 1 PUBLISH of a JSON payload. */
export function publishPacket(topic: string, message: unknown, messageId: number): Packet {
  return {
    cmd: 'publish',
    topic,
    payload: Buffer.from(JSON.stringify(message)),
    qos: 1,
    retain: false,
    dup: false,
    messageId,
  };
}
