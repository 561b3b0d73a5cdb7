/**
 * The one structured logger (issue #9, "Logs"): pino, shared by the server, the embedded broker
 * and the board program, with what must never reach a log configured here once:
 *
 * - secrets, tokens, passwords, their hashes, `authorization` / `cookie` headers: `[redacted]`;
 * - badge UIDs (a UID read from a badge is enough to badge as its owner, issue #9 item 3): only
 *   their last four characters (`…B2C1`), enough to tell two badges apart in an incident;
 * - a caller's field can never change the line's own `level`, `msg` or `time` (the hand-made
 *   loggers spread the fields after them, so `{ level: 'debug' }` hid an error): such a field
 *   is kept under `field_<name>`.
 *
 * Not core/ (core has no I/O); the API, the broker and the controller all import this file and
 * nothing else of each other. One JSON object per line on stdout:
 * `{"level":"info","time":"…","pid":…,"hostname":"…","component":"broker","msg":"…",…}`.
 */
import pino, { type DestinationStream, type LoggerOptions } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** The call shape used all over the code: `log('info', 'decision', { machineId })`. */
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export const REDACTED = '[redacted]';

/** Field names whose value is a credential (any case spelled here), at any of the first 3 levels. */
const SECRET_KEYS = [
  'secret',
  'secrets',
  'newSecret',
  'clientSecret',
  'client_secret',
  'secretHash',
  'token',
  'tokens',
  'apiToken',
  'adminToken',
  'memberToken',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'sessionToken',
  'tokenHash',
  'password',
  'passwords',
  'newPassword',
  'serverPassword',
  'passwordHash',
  'passphrase',
  'apiKey',
  'privateKey',
  'salt',
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'Set-Cookie',
  'x-api-key',
  'BOOTSTRAP_ADMIN_TOKEN',
  'MQTT_PASSWORD',
  'HELLOASSO_CLIENT_SECRET',
];

/** Field names whose value is a badge UID (or a list of them). */
const UID_KEYS = ['uid', 'uids', 'badgeUid', 'memberUid', 'trainerUid', 'supervisorUid', 'lastUid', 'newUid'];

/** Keys of the line itself, which a caller's field must not replace. */
const RESERVED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'component']);

/** pino `redact` paths: `key`, `*.key`, `*.*.key` (e.g. `req.headers.authorization`). */
export const REDACT_PATHS: string[] = [...SECRET_KEYS, ...UID_KEYS].flatMap((key) => {
  const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const dot = k.startsWith('[') ? '' : '.';
  return [k, `*${dot}${k}`, `*.*${dot}${k}`];
});

const UID_KEY_SET = new Set(UID_KEYS);

/** `04A3B2C1` -> `…B2C1`: the end of a UID tells badges apart without being usable. */
export function maskUid(uid: unknown): string {
  const s = String(uid);
  return s.length <= 4 ? '…' : `…${s.slice(-4)}`;
}

function censor(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? '';
  if (!UID_KEY_SET.has(key)) return REDACTED;
  return Array.isArray(value) ? value.map(maskUid) : maskUid(value);
}

/** A caller's `level`/`msg`/`time`/… is kept, renamed, rather than replacing the line's own. */
export function safeFields(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(fields)) {
    if (!RESERVED.has(key)) continue;
    out ??= { ...fields };
    out[`field_${key}`] = out[key];
    delete out[key];
  }
  return out ?? fields;
}

export interface LogOptions {
  level?: LogLevel;
  /** one line at a time, without its newline (tests capture lines; default: stdout) */
  write?: (line: string) => void;
  /** fields on every line, e.g. `{ component: 'broker' }` */
  bindings?: Record<string, unknown>;
}

const OPTIONS: LoggerOptions = {
  formatters: { level: (label) => ({ level: label }) },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: { paths: REDACT_PATHS, censor },
};

/** A pino logger with the shared redaction; most code wants `createLogger` (the adapter). */
export function createPinoLogger(options: LogOptions = {}): pino.Logger {
  const write = options.write;
  const destination: DestinationStream = write
    ? { write: (s: string) => write(s.endsWith('\n') ? s.slice(0, -1) : s) }
    : pino.destination({ dest: 1, sync: true });
  const logger = pino({ ...OPTIONS, level: options.level ?? 'info' }, destination);
  return options.bindings ? logger.child(options.bindings) : logger;
}

/** The `(level, msg, fields)` adapter over pino that the rest of the code calls. */
export function createLogger(
  minLevel: LogLevel = 'info',
  write?: (line: string) => void,
  bindings?: Record<string, unknown>,
): Logger {
  const logger = createPinoLogger({
    level: minLevel,
    ...(write ? { write } : {}),
    ...(bindings ? { bindings } : {}),
  });
  return (level, msg, fields) => {
    if (fields) logger[level](safeFields(fields), msg);
    else logger[level](msg);
  };
}

export const silentLogger: Logger = () => {};
