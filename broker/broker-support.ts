/** Small helpers of the broker adapter. */
import type net from 'node:net';
import type { AuthenticateError, Client } from 'aedes';
import { createLogger } from '../logging/logger.ts';
import type { BrokerLog } from './broker.ts';

/** Standalone use; the server hands the broker its own logger. Same pino setup (issue #9). */
export const defaultLog: BrokerLog = createLogger('info', undefined, { component: 'broker' });

export function noop(): void {}

export function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function authError(code: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as unknown as AuthenticateError;
}

export function remoteIp(client: Client): string {
  const conn = client.conn as Partial<net.Socket>;
  return conn.remoteAddress ?? 'unknown';
}

/** Client-controlled strings go to logs bounded and JSON-safe. */
export function forLog(value: string): string {
  return value.length > 128 ? `${value.slice(0, 128)}…` : value;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
