/**
 * Issue #12 (item 10): a taken port was reported only after the database had opened (~35 s on
 * a first start, while migrations ran). The listeners' ports are tried first, in parallel and
 * before anything else starts, and a taken one stops the process with one line saying which
 * port and what to do.
 */
import { createServer } from 'node:net';
import type { Env } from './env.ts';

export class PortTakenError extends Error {}

/** Resolves when `host:port` can be bound now (the socket is closed again at once). */
function probe(host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/**
 * Throws PortTakenError naming the first taken port. Ports 0 (any free port) and the broker's
 * port when MQTT_URL points at an external broker are not checked. Other bind errors (a wrong
 * HOST) are left to the listeners, which name the variable.
 */
export async function checkPortsFree(env: Env): Promise<void> {
  const checks: { port: number; host: string; message: string }[] = [];
  if (!env.MQTT_URL && env.MQTT_PORT !== 0) {
    checks.push({
      port: env.MQTT_PORT,
      host: env.MQTT_HOST,
      message:
        `MQTT port ${env.MQTT_PORT} is already in use (another MQTT broker, such as Mosquitto, or ` +
        'another Sésame?): set MQTT_PORT to a free port (0 picks one), or use that broker with ' +
        `MQTT_URL=mqtt://localhost:${env.MQTT_PORT} (and MQTT_USERNAME / MQTT_PASSWORD)`,
    });
  }
  if (env.PORT !== 0) {
    checks.push({
      port: env.PORT,
      host: env.HOST,
      message: `HTTP port ${env.PORT} is already in use (another Sésame?): set PORT to a free port (0 picks one)`,
    });
  }
  const results = await Promise.all(checks.map((c) => probe(c.host, c.port)));
  results.forEach((err, i) => {
    if (err?.code === 'EADDRINUSE') throw new PortTakenError(checks[i]!.message);
  });
}
