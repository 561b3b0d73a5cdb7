/**
 * The real `npm start` (server/main.ts) as a child process, for tests that kill it, restart it or
 * damage its storage. Ports 0 (read back from its log lines), loopback only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface SpawnedServer {
  child: ChildProcess;
  port: number;
  mqttPort: number;
}

/** Starts server/main.ts with a minimal environment (ports 0 on loopback) and `env` on top. */
export function spawnMain(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      MQTT_PORT: '0',
      MQTT_HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Starts the server and resolves once it listens, with its ports; `track` receives the child
 * at once (to kill it after the test). Sized for a loaded 2-core machine: tsx compiles the
 * server on first start.
 */
export function startServerProcess(
  env: Record<string, string>,
  track: (child: ChildProcess) => void = () => {},
  timeoutMs = 240_000,
): Promise<SpawnedServer> {
  const child = spawnMain(env);
  track(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let mqttPort = 0;
    const timer = setTimeout(
      () => reject(new Error(`no start within ${timeoutMs / 1000} s:\n${out}`)),
      timeoutMs,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (const line of out.split('\n')) {
        if (line.includes('"msg":"broker listening"')) mqttPort = JSON.parse(line).port;
        if (line.includes('"http listening"')) {
          clearTimeout(timer);
          resolve({ child, port: JSON.parse(line).port, mqttPort });
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${out}`));
    });
  });
}
