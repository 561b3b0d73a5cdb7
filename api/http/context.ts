/** What every route receives: its dependencies and, once the guard has run, the caller. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { MachineEvents, MachineLoopPort } from '../machine-loop-port.ts';
import type { HelloassoDeps } from '../routes/helloasso/routes.ts';
import type { Principal } from '../services/auth.ts';
import type { BackupDeps } from '../services/backup.ts';
import type { DeviceConnections } from '../services/devices.ts';
import type { SignInThrottle } from '../services/sign-in-throttle.ts';
import type { SiteKeys } from '../services/site-keys.ts';

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
}

/** AppDeps with defaults filled in. */
export interface RouteDeps extends Required<Omit<AppDeps, 'health' | 'helloasso' | 'backup'>> {
  health?: AppDeps['health'];
  backup?: AppDeps['backup'];
}

export type AppEnv = { Variables: { principal: Principal; deps: RouteDeps } };
export type App = OpenAPIHono<AppEnv>;
