/**
 * Simulated controllers: the real Controller on a simulated Firmata board (MockFirmata), for
 * the CLI's --simulate mode, the demo (several machines in one process) and tests.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BadgeMode } from '../core/mqtt-contract.ts';
import type { Clock } from './clock.ts';
import { type ButtonConfig, type ControllerConfig, parseConfig, type RunningInput } from './config.ts';
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
  /** clock, ms (tests): wall and monotonic time together */
  now?: () => number;
  /** wall and monotonic clocks apart (tests of clock steps; wins over `now`) */
  clock?: Clock;
  /** delivery (delivery.ts): first resend of an unacknowledged event, ms (default 20 000) */
  resendAfterMs?: number;
  /** longest wait between resends, ms (default 300 000) */
  resendMaxMs?: number;
  /** outbox bound, events (default 1000) */
  outboxMaxEntries?: number;
  /** session limit check period, ms (default 1000) */
  tickMs?: number;
  /** MQTT reconnect period, ms (default 2000) */
  reconnectPeriodMs?: number;
  /** issue #6: the mode button (cycles use -> certify -> enrol) on a digital input */
  modeButton?: { pin: number; activeLow?: boolean };
  /** issue #6: the "report a problem" button on a digital input */
  reportButton?: { pin: number; activeLow?: boolean };
  /** issue #6: buzzer/LED pin blinked during a grace before cut */
  warningOutput?: { pin: number };
  /** an armed certify/enrol mode falls back to `use` after this long, ms (default 30 000) */
  modeResetMs?: number;
}

export interface BadgeAndWaitOptions {
  /** default 5000 */
  timeoutMs?: number;
  /** the badge's mode (default: the armed mode, normally `use`) */
  mode?: BadgeMode;
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
  /** presents a badge, as the reader would; `mode` as if chosen with the mode button */
  badge(uid: string, mode?: BadgeMode): void;
  /**
   * Presents a badge and resolves with what it led to (rejects after the timeout, default
   * 5000 ms). A takeover resolves with the new `session_open` (the old session's `session_end`
   * with reason `takeover` is in `events`). A number is the timeout (the older signature).
   */
  badgeAndWait(uid: string, opts?: number | BadgeAndWaitOptions): Promise<BadgeOutcome>;
  /** report a problem (the report button, or keyboard `report <note>`); the eventId or null */
  report(note?: string): string | null;
  /** material used in the open session; the eventId, or null when refused (no session, invalid) */
  recordMaterial(materialId: string, quantity: number): string | null;
  /** presses the mode button: on the board's pin when configured, else through the controller */
  pressModeButton(): BadgeMode;
  /** presses the report button's pin (throws when the simulation has none) */
  pressReportButton(): void;
  /** the mode the next badge will carry */
  mode(): BadgeMode;
  /** whether the warning output blinks (a grace before cut is running) */
  warning(): boolean;
  /** the level the board drives on the warning pin now (throws without warningOutput) */
  warningPinValue(): number;
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
    ...(opts.modeButton ? { modeButton: opts.modeButton } : {}),
    ...(opts.reportButton ? { reportButton: opts.reportButton } : {}),
    ...(opts.warningOutput ? { warningOutput: opts.warningOutput } : {}),
  });
  const io = new SimulatedFirmata().boot();
  const machine = new MachineIo({
    io,
    relayPin: config.relay.pin,
    relayType: config.relay.type,
    runningInput: config.runningInput,
    buttons: {
      ...(config.modeButton ? { mode: config.modeButton } : {}),
      ...(config.reportButton ? { report: config.reportButton } : {}),
    },
    warningPin: config.warningOutput?.pin,
    debounceMs: 0, // simulated presses are clean (and may come in a burst)
  });
  const events: ControllerEvent[] = [];
  const waiters = new Set<(e: ControllerEvent) => void>();
  const controller = new Controller({
    config,
    machine,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.resendAfterMs !== undefined ? { resendAfterMs: opts.resendAfterMs } : {}),
    ...(opts.resendMaxMs !== undefined ? { resendMaxMs: opts.resendMaxMs } : {}),
    ...(opts.outboxMaxEntries !== undefined ? { outboxMaxEntries: opts.outboxMaxEntries } : {}),
    ...(opts.tickMs !== undefined ? { tickMs: opts.tickMs } : {}),
    ...(opts.reconnectPeriodMs !== undefined ? { reconnectPeriodMs: opts.reconnectPeriodMs } : {}),
    ...(opts.modeResetMs !== undefined ? { modeResetMs: opts.modeResetMs } : {}),
    onEvent: (e) => {
      events.push(e);
      if (events.length > 1000) events.shift();
      for (const w of [...waiters]) w(e);
      opts.onEvent?.(e);
    },
  });
  await controller.start();

  const input = config.runningInput;
  /** released, pressed, released: one press as the board reports it */
  const press = (button: ButtonConfig) => {
    const level = (pressed: boolean): 0 | 1 => (pressed !== button.activeLow ? 1 : 0);
    io.setDigitalInput(button.pin, level(false));
    io.setDigitalInput(button.pin, level(true));
    io.setDigitalInput(button.pin, level(false));
  };
  return {
    controller,
    io,
    config,
    events,
    badge: (uid, mode) => controller.badge(uid, mode),
    badgeAndWait: (uid, opts = {}) => {
      const { timeoutMs = 30_000, mode } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
      return new Promise<BadgeOutcome>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no answer to badge ${uid} within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (e: ControllerEvent) => {
          if (
            e.type === 'session_open' ||
            (e.type === 'session_end' && e.reason !== 'takeover') ||
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
        controller.badge(uid, mode);
      });
    },
    report: (note) => controller.report(note),
    recordMaterial: (materialId, quantity) => controller.recordMaterial(materialId, quantity),
    pressModeButton: () => {
      if (config.modeButton) press(config.modeButton);
      else controller.pressModeButton();
      return controller.mode;
    },
    pressReportButton: () => {
      if (!config.reportButton) throw new Error('this simulation has no report button (reportButton)');
      press(config.reportButton);
    },
    mode: () => controller.mode,
    warning: () => controller.warning,
    warningPinValue: () => {
      if (!config.warningOutput) throw new Error('this simulation has no warning output (warningOutput)');
      return io.pinValue(config.warningOutput.pin);
    },
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
