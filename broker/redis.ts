/** Redis clustering of the embedded broker (SPEC §1 REDIS_URL): mqemitter-redis + aedes-persistence-redis. */
import aedesPersistenceRedis, { type RedisPersistence } from 'aedes-persistence-redis';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';
import type { BrokerLog } from './broker.ts';

export interface RedisResources {
  connections: Redis[];
  mq: ReturnType<typeof mqemitterRedis>;
  persistence: RedisPersistence;
}

export async function openRedis(url: string, log: BrokerLog, timeoutMs: number): Promise<RedisResources> {
  const connect = (role: string) => {
    const conn = new Redis(url);
    // ioredis retries forever and reports every failed attempt: log each distinct error once
    // per outage, and the recovery.
    let lastError: string | null = null;
    conn.on('error', (err: Error) => {
      if (err.message === lastError) return;
      lastError = err.message;
      log('error', 'redis error', { role, error: err.message });
    });
    conn.on('ready', () => {
      if (lastError !== null) log('info', 'redis reconnected', { role });
      lastError = null;
    });
    return conn;
  };
  const subConn = connect('mq-sub');
  const pubConn = connect('mq-pub');
  const dbConn = connect('persistence');
  const connections = [subConn, pubConn, dbConn];
  try {
    await allReady(connections, timeoutMs);
  } catch (err) {
    for (const conn of connections) conn.disconnect();
    throw err;
  }
  // Same matching as aedes' built-in mqemitter: `a/#` also matches `a` [MQTT-4.7.1-2].
  // (mqemitter-redis is typed against its own nested ioredis 5; ours is the same API.)
  const mqOpts = { subConn, pubConn, matchEmptyLevels: true };
  const mq = mqemitterRedis(mqOpts as unknown as Parameters<typeof mqemitterRedis>[0]);
  // mqemitter-redis re-emits its connections' errors here, already logged above; an 'error'
  // event without a listener would throw.
  (mq as unknown as { state: NodeJS.EventEmitter }).state.on('error', noop);
  const persistence = aedesPersistenceRedis({ conn: dbConn });
  return { connections, mq, persistence };
}

export async function closeRedis(redis: RedisResources): Promise<void> {
  // aedes.close() already closed the mq (it QUITs its two connections). The persistence's
  // destroy() would unsubscribe through that closed mq, so just close its connection.
  await Promise.all(
    redis.connections.map(async (conn) => {
      if (conn.status === 'end') return;
      try {
        await conn.quit();
      } catch {
        conn.disconnect();
      }
    }),
  );
}

function noop(): void {}

function allReady(connections: Redis[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const pending = new Set(connections.filter((c) => c.status !== 'ready'));
    const listeners = new Map<Redis, () => void>();
    const cleanup = () => {
      clearTimeout(timer);
      for (const [conn, listener] of listeners) conn.off('ready', listener);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`redis not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const check = () => {
      if (pending.size > 0) return;
      cleanup();
      resolve();
    };
    for (const conn of pending) {
      const listener = () => {
        pending.delete(conn);
        check();
      };
      listeners.set(conn, listener);
      conn.once('ready', listener);
    }
    check();
  });
}
