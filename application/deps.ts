/**
 * What the application's use cases and both HTTP adapters (api/, dashboard/) receive: the
 * database, keys, the machine-loop port and the process's collaborators. The composition root
 * (server/) fills it once; `resolveDeps` supplies the defaults tests rely on.
 */
import type { Db } from '../db/client.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import type { BackupDeps } from './backup.ts';
import { type DeviceConnections, noDeviceConnections } from './devices.ts';
import { type MachineEvents, type MachineLoopPort, noMachineEvents } from './ports/machine-loop.ts';
import { SignInThrottle } from './sign-in-throttle.ts';
import type { SiteKeys } from './site-keys.ts';
import { DEFAULT_RETENTION_DAYS, type HelloassoSettings } from './treasury-settings.ts';

/** HELLOASSO_* from the environment and, for tests, the fetch HelloAsso is reached with. */
export interface HelloassoDeps {
  env?: HelloassoSettings;
  fetch?: typeof fetch;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface HealthReport {
  db: boolean;
  mqtt: boolean;
  mqttPort: number | null;
  /** issue #10: device events received and not yet applied, and how many wait for the database */
  pending?: number;
  retrying?: number;
}

export interface AppDeps {
  db: Db;
  keys: SiteKeys;
  loop: MachineLoopPort;
  now?: () => Date;
  health?: () => Promise<HealthReport>;
  /** largest accepted request body (default 64 KiB) */
  maxBodyBytes?: number;
  /** the lab's time zone for date-only report bounds (SPEC §1 LAB_TIMEZONE) */
  labTimeZone?: string;
  /** live machine changes for the dashboard's board (issue #4); none by default */
  events?: MachineEvents;
  /** where failed requests (5xx) are logged; never with bodies or credentials */
  log?: Logger;
  /**
   * origins besides the request's own whose pages may write with the session cookie
   * (ALLOWED_ORIGINS: the public https origin behind a reverse proxy)
   */
  allowedOrigins?: readonly string[];
  /** the password sign-in throttle (issue #9); one per app by default */
  signInThrottle?: SignInThrottle;
  /** HELLOASSO_* from the environment (issue #5), under the settings stored in the database */
  helloasso?: HelloassoDeps;
  /** closes a revoked device's live MQTT connections (issue #9); none by default */
  devices?: DeviceConnections;
  /** issue #10: the open database for GET /api/v1/backup and the schedule (server only) */
  backup?: BackupDeps;
  /** BADGE_EVENT_RETENTION_DAYS: the retention while none is stored (issue #12 page; default 90) */
  badgeEventRetentionDays?: number;
}

/** AppDeps with defaults filled in. */
export interface RouteDeps extends Required<Omit<AppDeps, 'health' | 'helloasso' | 'backup'>> {
  health?: AppDeps['health'];
  backup?: AppDeps['backup'];
  /** issue #12: the dashboard's HelloAsso settings page tests the connection with these too */
  helloasso?: AppDeps['helloasso'];
}

/** AppDeps with the defaults filled in. */
export function resolveDeps(deps: AppDeps): RouteDeps {
  return {
    db: deps.db,
    keys: deps.keys,
    loop: deps.loop,
    now: deps.now ?? (() => new Date()),
    maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    labTimeZone: deps.labTimeZone ?? 'Europe/Paris',
    log: deps.log ?? createLogger('error'),
    events: deps.events ?? noMachineEvents,
    devices: deps.devices ?? noDeviceConnections,
    allowedOrigins: deps.allowedOrigins ?? [],
    signInThrottle: deps.signInThrottle ?? new SignInThrottle(),
    badgeEventRetentionDays: deps.badgeEventRetentionDays ?? DEFAULT_RETENTION_DAYS,
    ...(deps.health ? { health: deps.health } : {}),
    ...(deps.backup ? { backup: deps.backup } : {}),
    ...(deps.helloasso ? { helloasso: deps.helloasso } : {}),
  };
}
