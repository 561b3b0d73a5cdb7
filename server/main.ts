/** `npm start`: reads the environment, starts everything, stops cleanly on SIGINT/SIGTERM. */

import { createLogger } from '../logging/logger.ts';
import { ConfigError, readEnv } from './env.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  let env: ReturnType<typeof readEnv>;
  try {
    env = readEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`sesame: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(env.LOG_LEVEL);
  const server = await startServer({ env, log });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping', { signal });
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  // One line (SPEC §1): StartError, StorageError and DataDirInUseError already say what to do
  // and name the variable (DATA_DIR, DATABASE_URL, PORT…); raw errors get a hint.
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
  const hint = /EADDRINUSE/.test(message)
    ? ' (a port is taken: set PORT / MQTT_PORT, or 0 to pick a free one)'
    : '';
  console.error(`sesame: could not start: ${message}${hint}`);
  process.exit(1);
});
