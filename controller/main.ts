/**
 * The controller's command line.
 *
 *   npm run controller -- --config controller.json        a real board (Firmata over USB)
 *   npm run controller -- --simulate --mqtt-url mqtt://localhost:1883 \
 *       --device-id d-… --secret … --machine-id laser-1   a simulated board; badges on stdin
 *
 * Configuration: the JSON file (--config or SESAME_CONTROLLER_CONFIG), SESAME_* variables
 * (config.ts), then these flags. In --simulate mode, type a UID + Enter to badge, `run` /
 * `idle` to drive the running input (with --running digital:7), `status`, `quit`, and for the
 * lab practices (issue #6): `cert <uid>` / `enrol <uid>` (badge with that mode), `mode` (the
 * mode button), `report [note]` (report a problem), `material <materialId> <quantity>`.
 * A keyboard reader on a real board accepts the same badge, mode, report and material lines.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createPinoLogger, maskUid } from '../logging/logger.ts';
import { KEYBOARD_HELP, type KeyboardCommand, parseKeyboardLine } from './commands.ts';
import { ConfigError, configPathFrom, loadConfig } from './config.ts';
import { Controller, type ControllerEvent } from './controller.ts';
import { MachineIo } from './machine-io.ts';
import { describeEvent } from './messages.ts';
import { createReader, KeyboardReader } from './readers.ts';
import { startSimulatedController } from './simulate.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    config: { type: 'string' },
    simulate: { type: 'boolean', default: false },
    'mqtt-url': { type: 'string' },
    'device-id': { type: 'string' },
    secret: { type: 'string' },
    'machine-id': { type: 'string' },
    'topic-root': { type: 'string' },
    'data-dir': { type: 'string' },
    'public-key-file': { type: 'string' },
    running: { type: 'string' },
    heartbeat: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

/**
 * The shared pino logger (issue #9): JSON lines for the board's journal, with the same redaction
 * as the server. On a terminal (the simulator, someone at the board) the line is shown as
 * `HH:MM:SS message`, after pino has redacted it.
 */
const logger = createPinoLogger({
  bindings: { component: 'controller' },
  ...(process.stdout.isTTY
    ? {
        write: (line: string) => {
          const { time, msg } = JSON.parse(line) as { time: string; msg: string };
          process.stdout.write(`${time.slice(11, 19)} ${msg}\n`);
        },
      }
    : {}),
});

function log(line: string, level: 'info' | 'warn' | 'error' = 'info'): void {
  logger[level](line);
}

/** A controller event: its line with the badge UID masked, the UID as a (masked) field. */
function logEvent(e: ControllerEvent): void {
  const line = describeEvent(e);
  if (!line) return;
  const level = e.type === 'mqtt_error' || e.type === 'disconnected' ? 'warn' : 'info';
  const uid = 'uid' in e && typeof e.uid === 'string' && e.uid ? e.uid : undefined;
  if (uid === undefined) logger[level]({ event: e.type }, line);
  else logger[level]({ event: e.type, uid }, line.replaceAll(uid, maskUid(uid)));
}

function readConfig() {
  let publicKey: string | undefined;
  if (values['public-key-file']) publicKey = readFileSync(values['public-key-file'], 'utf8');
  const running = values.running;
  return loadConfig({
    configPath: values.config ?? configPathFrom([], process.env),
    env: process.env,
    overrides: {
      mqttUrl: values['mqtt-url'],
      deviceId: values['device-id'],
      secret: values.secret,
      machineId: values['machine-id'],
      topicRoot: values['topic-root'],
      dataDir: values['data-dir'],
      allowListPublicKey: publicKey,
      heartbeatSeconds: values.heartbeat === undefined ? undefined : Number(values.heartbeat),
      runningInput:
        running === undefined
          ? undefined
          : running === 'none'
            ? 'none'
            : running.startsWith('digital:')
              ? { digital: Number(running.slice(8)) }
              : running.startsWith('analog:')
                ? { analog: Number(running.split(':')[1]), threshold: Number(running.split(':')[2]) }
                : running,
    },
  });
}

async function runSimulated(): Promise<void> {
  const config = readConfig();
  const sim = await startSimulatedController({
    mqttUrl: config.mqttUrl,
    deviceId: config.deviceId,
    secret: config.secret,
    machineId: config.machineId,
    topicRoot: config.topicRoot,
    dataDir: config.dataDir,
    ...(config.allowListPublicKey ? { allowListPublicKey: config.allowListPublicKey } : {}),
    heartbeatSeconds: config.heartbeatSeconds,
    decisionTimeoutMs: config.decisionTimeoutMs,
    relayPin: config.relay.pin,
    relayType: config.relay.type,
    runningInput: config.runningInput,
    ...(config.modeButton ? { modeButton: config.modeButton } : {}),
    ...(config.reportButton ? { reportButton: config.reportButton } : {}),
    ...(config.warningOutput ? { warningOutput: config.warningOutput } : {}),
    onEvent: logEvent,
  });
  log(
    `Simulation: machine ${config.machineId}, relais broche ${config.relay.pin} / relay pin ${config.relay.pin}`,
  );
  log(`Tapez un UID + Entrée pour badger / Type a UID + Enter to badge (${KEYBOARD_HELP})`);
  const keyboard = new KeyboardReader(process.stdin, (line) => {
    const cmd = parseKeyboardLine(line);
    if (cmd.kind === 'quit') void shutdown();
    else if (cmd.kind === 'run' || cmd.kind === 'idle') {
      try {
        sim.setRunning(cmd.kind === 'run');
      } catch (err) {
        log((err as Error).message);
      }
    } else if (cmd.kind === 'status') {
      log(
        `relais/relay ${sim.relay()} (pin ${sim.relayPinValue()}), session ${sim.sessionId() ?? '—'}, ` +
          `${sim.controller.runningSeconds()} s / ${sim.controller.unlockedSeconds()} s, ` +
          `mode ${sim.mode()}, ${sim.controller.pendingEvents().length} en attente/pending, ` +
          `${sim.controller.connected ? 'connecté/connected' : 'hors ligne/offline'}`,
      );
    } else if (cmd.kind === 'mode') sim.pressModeButton();
    else runCommand(sim.controller, cmd);
  });
  await keyboard.start();
  const shutdown = async () => {
    await keyboard.stop();
    await sim.stop();
    process.exit(0);
  };
  installSignals(shutdown, () => sim.controller.abort());
}

async function runBoard(): Promise<void> {
  const config = readConfig();
  const machine = new MachineIo({
    port: config.boardPort,
    relayPin: config.relay.pin,
    relayType: config.relay.type,
    runningInput: config.runningInput,
    buttons: {
      ...(config.modeButton ? { mode: config.modeButton } : {}),
      ...(config.reportButton ? { report: config.reportButton } : {}),
    },
    warningPin: config.warningOutput?.pin,
  });
  const controller = new Controller({
    config,
    machine,
    onEvent: logEvent,
  });
  await controller.start();
  const reader =
    config.reader === 'keyboard'
      ? new KeyboardReader(process.stdin, (line) => {
          const cmd = parseKeyboardLine(line);
          if (cmd.kind === 'mode') controller.pressModeButton();
          else runCommand(controller, cmd);
        })
      : createReader(
          config.reader,
          process.stdin,
          (uid) => controller.badge(uid),
          (err) => log(`Lecteur / Reader: ${err.message}`, 'warn'),
        );
  await reader.start();
  log(`Sésame: machine ${config.machineId} prête / ready`);
  const shutdown = async () => {
    await reader.stop();
    await controller.stop();
    process.exit(0);
  };
  installSignals(shutdown, () => controller.abort());
}

/** The badge, report and material lines (both modes); the rest is the simulation's. */
function runCommand(controller: Controller, cmd: KeyboardCommand): void {
  switch (cmd.kind) {
    case 'badge':
      controller.badge(cmd.uid, cmd.mode);
      return;
    case 'report':
      controller.report(cmd.note);
      return;
    case 'material':
      controller.recordMaterial(cmd.materialId, cmd.quantity);
      return;
    case 'error':
      log(cmd.message);
      return;
    default:
      log(`? ${KEYBOARD_HELP}`);
  }
}

function installSignals(shutdown: () => Promise<void>, abort: () => void): void {
  const onSignal = () => {
    shutdown().catch((err: unknown) => {
      log(`arrêt / stop: ${(err as Error).message}`, 'error');
      process.exit(1);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // FAIL SECURE: any unexpected error cuts the relay before the process dies.
  const fatal = (err: unknown) => {
    log(`DÉFAUT / FAULT: ${(err as Error)?.stack ?? String(err)}`, 'error');
    abort();
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
}

if (values.help) {
  process.stdout.write(`${readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]}*/\n`);
  process.exit(0);
}
(values.simulate ? runSimulated() : runBoard()).catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`sesame controller: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
