/**
 * Simulated controllers: the real Controller on a simulated Firmata board (MockFirmata), for
 * the CLI's --simulate mode, the demo (several machines in one process) and tests.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ControllerConfig, parseConfig, type RunningInput } from './config.ts';
import { Controller, type ControllerEvent } from './controller.ts';
import { MachineIo } from './machine-io.ts';
import { SimulatedFirmata } from './simulated-firmata.ts';

export interface SimulatedControllerOptions {
  mqttUrl: string;
  deviceId: string;
  secret: string;
  machineId: string;
  topicRoot?: string;
  /** durable buffer folder; default: a fresh temporary folder */
  dataDir?: string;
  /** PEM of the server's Ed25519 key (offline decisions); without it, never offline */
  allowListPublicKey?: string;
  heartbeatSeconds?: number;
  decisionTimeoutMs?: number;
  relayPin?: number;
  relayType?: 'NO' | 'NC';
  /** default 'none': the machine counts as running while the relay is on */
  runningInput?: RunningInput;
  onEvent?: (event: ControllerEvent) => void;
  /** clock, ms (tests) */
  now?: () => number;
  /** session limit check period, ms (default 1000) */
  tickMs?: number;
  /** MQTT reconnect period, ms (default 2000) */
  reconnectPeriodMs?: number;
}

/** Events that answer a badge. */
export type BadgeOutcome = Extract<
  ControllerEvent,
  { type: 'session_open' | 'session_end' | 'denied' | 'ignored_badge' | 'invalid_badge' }
>;

export interface SimulatedController {
  readonly controller: Controller;
  readonly io: SimulatedFirmata;
  readonly config: ControllerConfig;
  /** presents a badge, as the reader would */
  badge(uid: string): void;
  /** presents a badge and resolves with what it led to (rejects after timeoutMs, default 5000) */
  badgeAndWait(uid: string, timeoutMs?: number): Promise<BadgeOutcome>;
  /** 'on' = relay closed, machine powered */
  relay(): 'on' | 'off';
  /** the level the board drives on the relay pin (1 HIGH / 0 LOW; inverted for NC) */
  relayPinValue(): number;
  sessionId(): string | null;
  /** drives the running input (throws when the simulation has none) */
  setRunning(running: boolean): void;
  /** every event so far (newest last) */
  readonly events: readonly ControllerEvent[];
  stop(): Promise<void>;
}

export async function startSimulatedController(
  opts: SimulatedControllerOptions,
): Promise<SimulatedController> {
  const config = parseConfig({
    mqttUrl: opts.mqttUrl,
    deviceId: opts.deviceId,
    secret: opts.secret,
    machineId: opts.machineId,
    ...(opts.topicRoot !== undefined ? { topicRoot: opts.topicRoot } : {}),
    dataDir: opts.dataDir ?? mkdtempSync(path.join(tmpdir(), `sesame-controller-${opts.machineId}-`)),
    ...(opts.allowListPublicKey !== undefined ? { allowListPublicKey: opts.allowListPublicKey } : {}),
    ...(opts.heartbeatSeconds !== undefined ? { heartbeatSeconds: opts.heartbeatSeconds } : {}),
    ...(opts.decisionTimeoutMs !== undefined ? { decisionTimeoutMs: opts.decisionTimeoutMs } : {}),
    relay: { pin: opts.relayPin ?? 13, type: opts.relayType ?? 'NO' },
    runningInput: opts.runningInput ?? 'none',
  });
  const io = new SimulatedFirmata().boot();
  const machine = new MachineIo({
    io,
    relayPin: config.relay.pin,
    relayType: config.relay.type,
    runningInput: config.runningInput,
  });
  const events: ControllerEvent[] = [];
  const waiters = new Set<(e: ControllerEvent) => void>();
  const controller = new Controller({
    config,
    machine,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.tickMs !== undefined ? { tickMs: opts.tickMs } : {}),
    ...(opts.reconnectPeriodMs !== undefined ? { reconnectPeriodMs: opts.reconnectPeriodMs } : {}),
    onEvent: (e) => {
      events.push(e);
      if (events.length > 1000) events.shift();
      for (const w of [...waiters]) w(e);
      opts.onEvent?.(e);
    },
  });
  await controller.start();

  const input = config.runningInput;
  return {
    controller,
    io,
    config,
    events,
    badge: (uid) => controller.badge(uid),
    badgeAndWait: (uid, timeoutMs = 5000) =>
      new Promise<BadgeOutcome>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no answer to badge ${uid} within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (e: ControllerEvent) => {
          if (
            e.type === 'session_open' ||
            e.type === 'session_end' ||
            e.type === 'denied' ||
            e.type === 'ignored_badge' ||
            e.type === 'invalid_badge'
          ) {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(e);
          }
        };
        waiters.add(waiter);
        controller.badge(uid);
      }),
    relay: () => (controller.relayOn ? 'on' : 'off'),
    relayPinValue: () => io.pinValue(config.relay.pin),
    sessionId: () => controller.sessionId,
    setRunning: (running) => {
      if (input === 'none') throw new Error('this simulation has no running input (runningInput: none)');
      if ('digital' in input) io.setDigitalInput(input.digital, running ? 1 : 0);
      else io.setAnalogInput(input.analog, running ? Math.min(1023, input.threshold + 1) : 0);
    },
    stop: () => controller.stop(),
  };
}
