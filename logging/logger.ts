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

/**
 * Field names whose value is a credential, compared without case (`Authorization` too), at any
 * depth up to MAX_DEPTH.
 */
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
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'bootstrap_admin_token',
  'mqtt_password',
  'helloasso_client_secret',
];

/** Field names whose value is a badge UID (or a list of them). */
const UID_KEYS = ['uid', 'uids', 'badgeUid', 'memberUid', 'trainerUid', 'supervisorUid', 'lastUid', 'newUid'];

const SECRET_SET = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));
const UID_SET = new Set(UID_KEYS.map((k) => k.toLowerCase()));
const MAX_DEPTH = 5;

/** Keys of the line itself, which a caller's field must not replace. */
const RESERVED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'component']);

/** `04A3B2C1` -> `…B2C1`: the end of a UID tells badges apart without being usable. */
export function maskUid(uid: unknown): string {
  const s = String(uid);
  return s.length <= 4 ? '…' : `…${s.slice(-4)}`;
}

/**
 * The redaction, applied by pino to every line's fields (`formatters.log`) whatever logger
 * wrote it. A walk by key name rather than pino's `redact` paths: it reaches any depth and any
 * spelling of a name, and costs a Set lookup per key (pino's wildcard paths cost about 0.3 ms a
 * line here, on the badge-to-decision path). Copies on write: the caller's object is untouched.
 */
export function redactFields(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || value instanceof Error) {
    return value;
  }
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    value.forEach((item, i) => {
      const next = redactFields(item, depth + 1);
      if (next !== item) {
        out ??= [...value];
        out[i] = next;
      }
    });
    return out ?? value;
  }
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  let out: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(value)) {
    const k = key.toLowerCase();
    const next = SECRET_SET.has(k)
      ? REDACTED
      : UID_SET.has(k)
        ? Array.isArray(item)
          ? item.map(maskUid)
          : maskUid(item)
        : redactFields(item, depth + 1);
    if (next !== item) {
      out ??= { ...(value as Record<string, unknown>) };
      out[key] = next;
    }
  }
  return out ?? value;
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
  formatters: {
    level: (label) => ({ level: label }),
    log: (fields) => redactFields(safeFields(fields)) as Record<string, unknown>,
  },
  timestamp: pino.stdTimeFunctions.isoTime,
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
    if (fields) logger[level](fields, msg);
    else logger[level](msg);
  };
}

export const silentLogger: Logger = () => {};
