/**
 * The controller's configuration: a JSON file (path from `--config` or
 * SESAME_CONTROLLER_CONFIG) merged with SESAME_* environment variables (which win), validated
 * with zod. A bad value throws a ConfigError whose message is one line naming the field (and
 * the variable it came from). The caller passes the environment: nothing here reads process.env.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { slugSchema } from '../core/ids.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const pin = z.number().int().nonnegative().max(127);

const publicKeySchema = z.string().refine(
  (pem) => {
    try {
      return createPublicKey(pem).asymmetricKeyType === 'ed25519';
    } catch {
      return false;
    }
  },
  { message: 'must be the PEM of an Ed25519 public key' },
);

export const runningInputSchema = z.union([
  z.literal('none'),
  z.object({ digital: pin }).strict(),
  z.object({ analog: pin, threshold: z.number().int().min(0).max(1023) }).strict(),
]);
export type RunningInput = z.infer<typeof runningInputSchema>;

export const readerSchema = z.union([
  z.literal('keyboard'),
  z.object({ serial: z.string().min(1), baud: z.literal(9600).default(9600) }).strict(),
]);
export type ReaderConfig = z.infer<typeof readerSchema>;

/** A push button on a digital input; `activeLow` for a button to ground (the pin's pull-up on). */
export const buttonSchema = z.object({ pin, activeLow: z.boolean().default(false) }).strict();
export type ButtonConfig = z.infer<typeof buttonSchema>;

export const controllerConfigSchema = z
  .object({
    mqttUrl: z.string().refine((u) => /^(mqtt|tcp):\/\/[^\s]+$/.test(u) && URL.canParse(u), {
      message: 'must be an mqtt:// or tcp:// URL',
    }),
    deviceId: z.string().min(1).max(128),
    secret: z.string().min(1),
    machineId: slugSchema,
    topicRoot: z
      .string()
      .regex(/^[^/#+\s]+$/, 'must be one topic level, without / # + or spaces')
      .default('fablab'),
    relay: z
      .object({ pin: pin.default(13), type: z.enum(['NO', 'NC']).default('NO') })
      .strict()
      .default({ pin: 13, type: 'NO' }),
    runningInput: runningInputSchema.default('none'),
    reader: readerSchema.default('keyboard'),
    /** serial port of the Firmata board (johnny-five autodetects when absent) */
    boardPort: z.string().min(1).optional(),
    decisionTimeoutMs: z.number().int().min(50).max(60_000).default(1500),
    /** a runtime event at least this often during a session (SPEC §2: 30 s or less) */
    heartbeatSeconds: z.number().positive().max(3600).default(30),
    dataDir: z.string().min(1).default('./controller-data'),
    /** the server's Ed25519 key; without it the controller never decides offline */
    allowListPublicKey: publicKeySchema.optional(),
    /** issue #6: each press selects the mode of the next badge, use -> certify -> enrol -> use */
    modeButton: buttonSchema.optional(),
    /** issue #6: "report a problem" button */
    reportButton: buttonSchema.optional(),
    /** issue #6: buzzer or LED (digital output) that blinks during a grace before cut */
    warningOutput: z.object({ pin }).strict().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    // One digital pin, one job: a button wired to the relay pin would be a disaster.
    const used = new Map<number, string>([[c.relay.pin, 'relay.pin']]);
    const claim = (p: number | undefined, field: string) => {
      if (p === undefined) return;
      const other = used.get(p);
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: field.split('.'),
          message: `pin ${p} is already ${other}`,
        });
      } else used.set(p, field);
    };
    if (c.runningInput !== 'none' && 'digital' in c.runningInput)
      claim(c.runningInput.digital, 'runningInput.digital');
    claim(c.modeButton?.pin, 'modeButton.pin');
    claim(c.reportButton?.pin, 'reportButton.pin');
    claim(c.warningOutput?.pin, 'warningOutput.pin');
  });
export type ControllerConfig = z.infer<typeof controllerConfigSchema>;
export type ControllerConfigInput = z.input<typeof controllerConfigSchema>;

type Env = Readonly<Record<string, string | undefined>>;

/** Environment variable -> config field. */
export const ENV_FIELDS = {
  SESAME_MQTT_URL: 'mqttUrl',
  SESAME_DEVICE_ID: 'deviceId',
  SESAME_DEVICE_SECRET: 'secret',
  SESAME_MACHINE_ID: 'machineId',
  SESAME_TOPIC_ROOT: 'topicRoot',
  SESAME_RELAY_PIN: 'relay.pin',
  SESAME_RELAY_TYPE: 'relay.type',
  SESAME_RUNNING_INPUT: 'runningInput',
  SESAME_READER: 'reader',
  SESAME_BOARD_PORT: 'boardPort',
  SESAME_DECISION_TIMEOUT_MS: 'decisionTimeoutMs',
  SESAME_HEARTBEAT_SECONDS: 'heartbeatSeconds',
  SESAME_DATA_DIR: 'dataDir',
  SESAME_ALLOWLIST_PUBLIC_KEY: 'allowListPublicKey',
  SESAME_MODE_BUTTON_PIN: 'modeButton.pin',
  SESAME_REPORT_BUTTON_PIN: 'reportButton.pin',
  SESAME_WARNING_PIN: 'warningOutput.pin',
} as const;
const NUMERIC = new Set([
  'relay.pin',
  'decisionTimeoutMs',
  'heartbeatSeconds',
  'modeButton.pin',
  'reportButton.pin',
  'warningOutput.pin',
]);

/** `none`, `digital:7` or `analog:0:512` */
function parseRunningInput(text: string): unknown {
  const [kind, a, b] = text.split(':');
  if (kind === 'none') return 'none';
  if (kind === 'digital') return { digital: Number(a) };
  if (kind === 'analog') return { analog: Number(a), threshold: Number(b) };
  return text;
}

/** `keyboard` or `serial:/dev/ttyUSB0` */
function parseReader(text: string): unknown {
  if (text === 'keyboard') return 'keyboard';
  if (text.startsWith('serial:')) return { serial: text.slice('serial:'.length) };
  return text;
}

function envValue(field: string, text: string): unknown {
  if (NUMERIC.has(field)) return text.trim() === '' ? Number.NaN : Number(text);
  if (field === 'runningInput') return parseRunningInput(text);
  if (field === 'reader') return parseReader(text);
  // PEM in one env line: accept literal "\n"
  if (field === 'allowListPublicKey') return text.replace(/\\n/g, '\n');
  return text;
}

/** The config file path: `--config <file>` / `--config=<file>`, else SESAME_CONTROLLER_CONFIG. */
export function configPathFrom(argv: readonly string[], env: Env): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--config') return argv[i + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return env.SESAME_CONTROLLER_CONFIG || undefined;
}

export interface LoadConfigOptions {
  configPath?: string | undefined;
  env?: Env;
  /** applied last (CLI flags) */
  overrides?: Record<string, unknown>;
}

export function loadConfig(opts: LoadConfigOptions): ControllerConfig {
  let raw: Record<string, unknown> = {};
  if (opts.configPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.configPath, 'utf8');
    } catch (err) {
      throw new ConfigError(`config: cannot read ${opts.configPath}: ${(err as Error).message}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`config: ${opts.configPath} is not valid JSON: ${(err as Error).message}`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ConfigError(`config: ${opts.configPath} must hold a JSON object`);
    }
  }
  const fromEnv = new Map<string, string>();
  for (const [name, field] of Object.entries(ENV_FIELDS)) {
    const text = opts.env?.[name];
    if (text === undefined || text === '') continue;
    fromEnv.set(field, name);
    setPath(raw, field, envValue(field, text));
  }
  for (const [field, value] of Object.entries(opts.overrides ?? {})) {
    if (value !== undefined) setPath(raw, field, value);
  }
  return parseConfig(raw, fromEnv);
}

/** Validates a config object; `sources` names the env variable a field came from. */
export function parseConfig(
  raw: unknown,
  sources: ReadonlyMap<string, string> = new Map(),
): ControllerConfig {
  const result = controllerConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || '(root)';
  const source = sources.get(field) ?? sources.get(field.split('.')[0] ?? '');
  const message =
    issue?.code === 'invalid_type' && issue.input === undefined
      ? 'is required'
      : (issue?.message ?? 'invalid');
  const unknownKeys = issue?.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  throw new ConfigError(`config: ${field}${source ? ` (${source})` : ''}: ${message}${unknownKeys}`);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const inner = target[head];
  const child =
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? (inner as Record<string, unknown>)
      : {};
  target[head] = child;
  setPath(child, rest.join('.'), value);
}
