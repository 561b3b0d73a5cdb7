/**
 * One process (SPEC §1): HTTP API and dashboard, embedded MQTT broker (unless MQTT_URL),
 * database (PGlite in DATA_DIR unless DATABASE_URL) with migrations applied, and the
 * machine loop. Everything has a start and a stop so tests run whole systems on port 0.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { serve } from '@hono/node-server';
import { BackupScheduler } from '../application/backup-schedule.ts';
import { ensureBootstrapAdmin } from '../application/bootstrap.ts';
import { authenticateDevice, stillValidDevices } from '../application/devices.ts';
import { effectiveTimeZone } from '../application/lab-profile.ts';
import { RetentionJob } from '../application/retention.ts';
import { issueSetupLink, SETUP_LINK_HOURS } from '../application/setup-link.ts';
import { loadSiteKeys } from '../application/site-keys.ts';
import type { BrokerIdentity } from '../broker/acl.ts';
import { Broker } from '../broker/broker.ts';
import { type Database, openDatabase } from '../db/client.ts';
import type { Logger } from '../logging/logger.ts';
import { metrics } from '../logging/metrics.ts';
import { Authorizer, type AuthorizerOptions } from '../machine-loop/authorizer.ts';
import { DevicePresence } from '../machine-loop/presence.ts';
import { type Env, helloassoEnv } from './env.ts';
import { createApp } from './http-app.ts';
import { checkPortsFree } from './ports.ts';

export const SERVER_MQTT_USERNAME = 'sesame-server';

const devicesConnected = metrics.gauge(
  'sesame_devices_connected',
  'Devices connected to the embedded broker',
);

/** A listener that cannot start, with the variables to change (SPEC §1: one clear line). */
export class StartError extends Error {
  constructor(variables: string, host: string, port: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const why =
      code === 'EADDRINUSE'
        ? `port ${port} is taken: set ${variables.split('/')[1]} to a free port, or 0 to pick one`
        : code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL'
          ? `${JSON.stringify(host)} is not an address of this machine: set ${variables.split('/')[0]} (e.g. 0.0.0.0)`
          : cause instanceof Error
            ? cause.message
            : String(cause);
    super(`cannot listen on ${host}:${port} (${variables}): ${why}`);
  }
}

export interface RunningServer {
  httpPort: number;
  mqttPort: number | null;
  mqttUrl: string;
  database: Database;
  authorizer: Authorizer;
  broker: Broker | null;
  /** the machine loop's own MQTT credentials (in-process use: benchmarks, tests) */
  serverCredentials: { username: string; password: string };
  stop(): Promise<void>;
}

export interface ServerOptions {
  env: Env;
  log: Logger;
  /** tests: an already opened database */
  database?: Database;
  authorizer?: Partial<AuthorizerOptions>;
}

export async function startServer({ env, log, ...opts }: ServerOptions): Promise<RunningServer> {
  // Issue #12: a taken port is said at once, before the database opens (which can take long).
  await checkPortsFree(env);
  const database =
    opts.database ?? (await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR }));
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    if (!opts.database) stops.push(() => database.close());
    log('info', 'database ready', {
      kind: database.kind,
      ...(database.kind === 'pglite' ? { dataDir: env.DATA_DIR } : {}),
    });
    const keys = await loadSiteKeys(database.db);
    if (env.BOOTSTRAP_ADMIN_TOKEN) {
      const created = await ensureBootstrapAdmin(database.db, env.BOOTSTRAP_ADMIN_TOKEN);
      if (created) log('info', 'bootstrap admin created from BOOTSTRAP_ADMIN_TOKEN');
    }
    // Issue #12: the time zone chosen at the first run wins over LAB_TIMEZONE.
    const labTimeZone = await effectiveTimeZone(database.db, env.LAB_TIMEZONE);

    // The machine loop's own credentials on the embedded broker: random per process,
    // never stored. On an external broker, MQTT_USERNAME / MQTT_PASSWORD.
    const serverPassword = randomBytes(32).toString('base64url');
    let broker: Broker | null = null;
    // A machine is online while one of its devices is connected (issue #10: counted per
    // device, so the order of connects, disconnects and wills does not matter).
    const devicePresence = new DevicePresence(database.db, log);
    const presence = (identity: BrokerIdentity, online: boolean) => {
      if (identity.kind !== 'device') return;
      devicesConnected.inc({}, online ? 1 : -1);
      if (online) devicePresence.connected(identity.deviceId, identity.machineId);
      else devicePresence.disconnected(identity.deviceId, identity.machineId);
    };
    let mqttUrl: string;
    let username = SERVER_MQTT_USERNAME;
    let password = serverPassword;
    if (env.MQTT_URL) {
      mqttUrl = env.MQTT_URL;
      username = env.MQTT_USERNAME ?? '';
      password = env.MQTT_PASSWORD ?? '';
    } else {
      const b = new Broker({
        port: env.MQTT_PORT,
        host: env.MQTT_HOST,
        topicRoot: env.TOPIC_ROOT,
        ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
        log,
        onClientConnected: (identity) => presence(identity, true),
        onClientDisconnected: (identity) => presence(identity, false),
        // Issue #9: revocations made by another process close connections here within seconds.
        stillValid: (ids) => stillValidDevices(database.db, ids),
        authenticate: async (user, pass): Promise<BrokerIdentity | null> => {
          if (user === SERVER_MQTT_USERNAME) {
            const a = Buffer.from(pass);
            const b2 = Buffer.from(serverPassword);
            return a.length === b2.length && timingSafeEqual(a, b2) ? { kind: 'server', name: user } : null;
          }
          const device = await authenticateDevice(database.db, user, pass);
          return device ? { kind: 'device', deviceId: device.deviceId, machineId: device.machineId } : null;
        },
      });
      await b.start().catch((err: unknown) => {
        throw new StartError('MQTT_HOST/MQTT_PORT', env.MQTT_HOST, env.MQTT_PORT, err);
      });
      broker = b;
      stops.push(() => b.stop());
      mqttUrl = `mqtt://127.0.0.1:${b.port}`;
    }

    const authorizer = new Authorizer({
      db: database.db,
      keys,
      topicRoot: env.TOPIC_ROOT,
      mqttUrl,
      username,
      password,
      clientId: serverClientId(env),
      log,
      presenceFromBroker: broker !== null,
      soleProcess: database.kind === 'pglite',
      ...opts.authorizer,
    });
    await authorizer.start();
    stops.push(() => authorizer.stop());

    // Issue #10: scheduled backups of the embedded database when BACKUP_DIR is set.
    const backups = backupScheduler(env, database, log);
    const app = createApp({
      backup: { database, scheduler: backups },
      db: database.db,
      keys,
      loop: authorizer,
      events: authorizer,
      ...(broker ? { devices: broker } : {}),
      labTimeZone,
      log,
      allowedOrigins: env.ALLOWED_ORIGINS,
      helloasso: { env: helloassoEnv(env) },
      badgeEventRetentionDays: env.BADGE_EVENT_RETENTION_DAYS,
      health: async () => ({
        db: await database.ping().catch(() => false),
        mqtt: authorizer.connected,
        mqttPort: broker?.port ?? null,
        ...authorizer.pending,
      }),
    });
    const http = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => resolve(server));
      server.once('error', (err) => reject(new StartError('HOST/PORT', env.HOST, env.PORT, err)));
    });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          http.close(() => resolve());
          (http as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
    );
    const httpPort = (http.address() as AddressInfo).port;
    // Issue #5: purge raw badge events past their retention period, once a day.
    const retention = new RetentionJob({
      db: database.db,
      timeZone: labTimeZone,
      defaultDays: env.BADGE_EVENT_RETENTION_DAYS,
      log,
    });
    retention.start();
    stops.push(() => retention.stop());
    if (backups) {
      stops.push(() => backups.stop());
      await backups.start();
    }
    log('info', 'http listening', { host: env.HOST, port: httpPort, url: `http://localhost:${httpPort}/` });
    await announceSetupLink(database, httpPort, log);

    return {
      httpPort,
      mqttPort: broker?.port ?? null,
      mqttUrl,
      database,
      authorizer,
      broker,
      serverCredentials: { username, password },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The machine loop's MQTT client id (issue #10). The broker keeps a persistent session, and
 * what devices publish while the server is away, under this id: it must stay the same across
 * restarts of one server and differ between servers sharing a broker (two clients with one id
 * push each other off). MQTT_CLIENT_ID when set; else host name and HTTP port, which no two
 * live processes of one host share; with PORT=0 (tests) a random id per process. The embedded
 * broker keeps sessions in memory only (unless REDIS_URL), so there any id unique to the
 * process serves, and its credentials are the per-process random password above.
 */
export function serverClientId(env: Env): string {
  if (env.MQTT_CLIENT_ID) return env.MQTT_CLIENT_ID;
  if (env.PORT === 0) return `sesame-server-${randomBytes(4).toString('hex')}`;
  const host = hostname()
    .replace(/[^A-Za-z0-9-]/g, '')
    .slice(0, 32);
  const tag = createHash('sha256').update(`${hostname()}:${env.PORT}`).digest('hex').slice(0, 8);
  return `sesame-server-${host}-${env.PORT}-${tag}`;
}

/**
 * Issue #12: an empty database (no enabled admin) gets a one-time setup link, logged once at
 * warn level so that it shows at every LOG_LEVEL but error. Nobody can do anything without it
 * until an admin exists; the sign-in page says where to find it.
 */
async function announceSetupLink(database: Database, httpPort: number, log: Logger): Promise<void> {
  const link = await issueSetupLink(database.db, new Date());
  if (link === null) return;
  const setupUrl = `http://localhost:${httpPort}/first-run/${link.token}`;
  log(
    'warn',
    `first run: open ${setupUrl} in a browser to create the first admin and set up the lab ` +
      `(valid ${SETUP_LINK_HOURS} h, works once; restart for a new link)`,
    { setupUrl, expiresAt: link.expiresAt.toISOString() },
  );
}

function backupScheduler(env: Env, database: Database, log: Logger): BackupScheduler | null {
  if (database.kind !== 'pglite') {
    if (env.BACKUP_DIR) log('warn', 'BACKUP_DIR ignored on PostgreSQL: use pg_dump (docs/backup.md)');
    return null;
  }
  if (!env.BACKUP_DIR) {
    log('info', 'no scheduled backups: set BACKUP_DIR (docs/backup.md)');
    return null;
  }
  const { BACKUP_DIR: dir, BACKUP_INTERVAL_HOURS: intervalHours, BACKUP_KEEP: keep } = env;
  log('info', 'scheduled backups', { dir, intervalHours, keep });
  return new BackupScheduler({ database, dir, intervalHours, keep, log });
}
