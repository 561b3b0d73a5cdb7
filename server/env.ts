/**
 * The one place that reads process.env (STYLE.md). Parsed with zod; a bad value stops the
 * process at start with one line naming the variable (SPEC §1).
 */
import { z } from 'zod';
import { SLUG_PATTERN } from '../core/ids.ts';

const port = z.coerce.number().int().min(0).max(65535);
const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

export const envSchema = z.object({
  PORT: z.preprocess(emptyAsUndefined, port.default(8080)),
  HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('0.0.0.0')),
  MQTT_PORT: z.preprocess(emptyAsUndefined, port.default(1883)),
  MQTT_HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('0.0.0.0')),
  MQTT_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^(mqtts?|wss?|tcp):\/\/.+/, 'must be a URL such as mqtt://host:1883')
      .optional(),
  ),
  MQTT_USERNAME: z.preprocess(emptyAsUndefined, z.string().optional()),
  MQTT_PASSWORD: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** issue #10: the machine loop's MQTT client id (persistent session); default host name + PORT */
  MQTT_CLIENT_ID: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, - or _')
      .optional(),
  ),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// URL')
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('./data')),
  REDIS_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^rediss?:\/\/.+/, 'must be a redis:// URL')
      .optional(),
  ),
  TOPIC_ROOT: z.preprocess(
    emptyAsUndefined,
    z.string().regex(SLUG_PATTERN, 'must match [a-z0-9][a-z0-9-]{0,63}').default('fablab'),
  ),
  LAB_TIMEZONE: z.preprocess(
    emptyAsUndefined,
    z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris').default('Europe/Paris'),
  ),
  BOOTSTRAP_ADMIN_TOKEN: z.preprocess(
    emptyAsUndefined,
    z.string().min(12, 'must be at least 12 characters').optional(),
  ),
  HEARTBEAT_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3600).default(30)),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['debug', 'info', 'warn', 'error']).default('info')),
  // Issue #5: defaults for the HelloAsso settings (those stored through the API win).
  HELLOASSO_BASE_URL: z.preprocess(
    emptyAsUndefined,
    z.url('must be a URL such as https://api.helloasso.com').optional(),
  ),
  HELLOASSO_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().max(300).optional()),
  HELLOASSO_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().max(300).optional()),
  HELLOASSO_ORGANIZATION_SLUG: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,199}$/, 'must be the organisation slug in HelloAsso URLs')
      .optional(),
  ),
  HELLOASSO_FORM_TYPE: z.preprocess(emptyAsUndefined, z.string().max(50).optional()),
  HELLOASSO_FORM_SLUG: z.preprocess(emptyAsUndefined, z.string().max(200).optional()),
  HELLOASSO_MATCH_FIELD: z.preprocess(emptyAsUndefined, z.string().max(200).optional()),
  // Issue #11: the machine-card item's name on the form (only its share goes on the card).
  HELLOASSO_ITEM_NAME: z.preprocess(emptyAsUndefined, z.string().max(200).optional()),
  /** days raw badge events are kept (issue #5); the setting stored through the API wins */
  BADGE_EVENT_RETENTION_DAYS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(3650).default(90),
  ),
  /**
   * Issue #9: origins (besides the one each request is addressed to) whose pages may write
   * to /api/v1 with the dashboard's cookie, comma-separated: the public https origin when
   * a reverse proxy terminates TLS, e.g. `https://sesame.example.org`.
   */
  ALLOWED_ORIGINS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((o) => o.trim())
          .filter((o) => o !== ''),
      )
      .pipe(
        z.array(
          z
            .string()
            .refine(isOrigin, 'must be comma-separated origins such as https://sesame.example.org (no path)'),
        ),
      )
      .default([]),
  ),
  /** Issue #10: scheduled backups of the embedded database into this folder (off when unset) */
  BACKUP_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  BACKUP_INTERVAL_HOURS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().positive('must be more than 0').max(168, 'must be at most 168 (a week)').default(24),
  ),
  BACKUP_KEEP: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1000).default(14)),
});

export type Env = z.infer<typeof envSchema>;

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export class ConfigError extends Error {}

/** Parses an environment; throws ConfigError with one line naming the first bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue?.path[0] ?? 'environment');
  // Never echo a secret (SPEC §4): say only that the value is wrong.
  const secret = /TOKEN|PASSWORD|SECRET/.test(name) || name === 'DATABASE_URL' || name === 'MQTT_URL';
  const shown = secret ? '(hidden)' : JSON.stringify(source[name] ?? '');
  throw new ConfigError(`invalid ${name}=${shown}: ${issue?.message ?? 'invalid'}`);
}

/** The HELLOASSO_* variables as HelloAsso settings (application/treasury-settings.ts). */
export function helloassoEnv(env: Env) {
  const pairs = {
    baseUrl: env.HELLOASSO_BASE_URL,
    clientId: env.HELLOASSO_CLIENT_ID,
    clientSecret: env.HELLOASSO_CLIENT_SECRET,
    organizationSlug: env.HELLOASSO_ORGANIZATION_SLUG,
    formType: env.HELLOASSO_FORM_TYPE,
    formSlug: env.HELLOASSO_FORM_SLUG,
    matchField: env.HELLOASSO_MATCH_FIELD,
    itemName: env.HELLOASSO_ITEM_NAME,
  };
  return Object.fromEntries(Object.entries(pairs).filter(([, v]) => v !== undefined)) as Partial<
    Record<keyof typeof pairs, string>
  >;
}

export function readEnv(): Env {
  return parseEnv(process.env);
}
