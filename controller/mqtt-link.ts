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

const DEFAULT_MQTT_PORT = 1883;

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
    () => net.createConnection({ host: target.host, port: target.port, noDelay: true }),
    { ...target.opts, ...opts },
  );
  client.on('error', () => {}); // a refused CONNECT must not crash a process listening for 'connect' only
  return client;
}
