/** One-line JSON logs. Secrets never go through here: callers pass ids, not credentials. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(
  minLevel: LogLevel = 'info',
  write: (line: string) => void = console.log,
): Logger {
  return (level, msg, fields) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    write(JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }));
  };
}

export const silentLogger: Logger = () => {};
