/**
 * The server's logger: the shared pino logger (logging/logger.ts) behind the
 * `(level, msg, fields)` shape the code calls. Redaction of secrets, tokens, passwords and
 * badge UIDs is configured there, once; `createLogger(level, write)` lets tests capture lines.
 */
export { createLogger, type Logger, type LogLevel, silentLogger } from '../logging/logger.ts';
