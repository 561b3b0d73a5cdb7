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
});

export type Env = z.infer<typeof envSchema>;

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
  throw new ConfigError(
    `invalid ${name}=${JSON.stringify(source[name] ?? '')}: ${issue?.message ?? 'invalid'}`,
  );
}

export function readEnv(): Env {
  return parseEnv(process.env);
}
