/**
 * The board side of one machine: a Firmata board (a real one over USB serial, or a simulated
 * one), its relay and its optional running input (SPEC §2 metering counts the seconds the
 * machine runs). Without a running input the machine counts as running while the relay is on.
 * Issue #6 adds optional push buttons (mode, report a problem) on digital inputs and a warning
 * output (buzzer or LED) that blinks during a grace before cut.
 *
 * Lifecycle: the constructor assigns; `start()` waits for the board and opens the relay;
 * `stop()` opens the relay and releases the listeners.
 */
import five, { type Board, type FirmataLike } from 'johnny-five';
import type { ButtonConfig, RunningInput } from './config.ts';
import { FailSecureRelay, type RelayType } from './relay.ts';

export interface MachineIoListener {
  /** the board failed or went away: cut everything */
  onFault(err: Error): void;
  onRunningChange(running: boolean): void;
  /** a push button was pressed (a released -> pressed edge, debounced) */
  onButton?(button: ButtonName): void;
}

export type ButtonName = 'mode' | 'report';

/** Half-period of the warning output's blink. */
const BLINK_MS = 250;

export interface MachineIoOptions {
  /** a Firmata IO object (simulation); omit to open the real board */
  io?: FirmataLike;
  /** serial port of the real board; johnny-five autodetects when absent */
  port?: string | undefined;
  relayPin: number;
  relayType: RelayType;
  runningInput: RunningInput;
  /** board connection timeout */
  timeoutMs?: number;
  /** push buttons on digital inputs (issue #6) */
  buttons?: Partial<Record<ButtonName, ButtonConfig>>;
  /** digital output of a buzzer or LED, blinked during a grace before cut (issue #6) */
  warningPin?: number | undefined;
  /** presses closer than this to the previous one are contact bounce (default 50 ms) */
  debounceMs?: number;
}

export class MachineIo {
  readonly #opts: MachineIoOptions;
  #board: Board | null = null;
  #relay: FailSecureRelay | null = null;
  #inputRunning = false;
  #listener: MachineIoListener | null = null;
  #stopped = false;
  #warning: InstanceType<typeof five.Pin> | null = null;
  #blink: NodeJS.Timeout | null = null;

  constructor(opts: MachineIoOptions) {
    this.#opts = opts;
  }

  /** The controller listens here (one listener). */
  attach(listener: MachineIoListener): void {
    this.#listener = listener;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    const board = new five.Board({
      ...(this.#opts.io ? { io: this.#opts.io } : {}),
      ...(this.#opts.port ? { port: this.#opts.port } : {}),
      repl: false,
      debug: false,
      sigint: false,
      timeout: this.#opts.timeoutMs ?? 10_000,
    });
    this.#board = board;
    await new Promise<void>((resolve, reject) => {
      const onReady = () => {
        board.off('error', onError);
        resolve();
      };
      const onError = (err: unknown) => {
        board.off('ready', onReady);
        reject(toError(err));
      };
      board.once('ready', onReady);
      board.once('error', onError);
    });
    this.#relay = new FailSecureRelay(board, this.#opts.relayPin, this.#opts.relayType);
    board.on('error', (err: unknown) => this.#fault(toError(err)));
    board.on('close', () => this.#fault(new Error('board connection closed')));
    board.on('exit', () => this.#fault(new Error('board exited')));
    this.#watchInput(board.io);
    for (const [name, button] of Object.entries(this.#opts.buttons ?? {}) as Array<
      [ButtonName, ButtonConfig]
    >)
      this.#watchButton(board.io, name, button);
    if (this.#opts.warningPin !== undefined) {
      this.#warning = new five.Pin({
        pin: this.#opts.warningPin,
        type: 'digital',
        mode: board.io.MODES.OUTPUT,
        board,
      });
      this.#warning.low();
    }
  }

  get hasWarningOutput(): boolean {
    return this.#warning !== null;
  }

  /** Blinks the warning output (buzzer beeps, LED flashes) or stops it; never throws. */
  setWarning(on: boolean): void {
    const pin = this.#warning;
    if (pin === null) return;
    if (this.#blink !== null) clearInterval(this.#blink);
    this.#blink = null;
    try {
      if (!on) {
        pin.low();
        return;
      }
      let level = true;
      pin.high();
      this.#blink = setInterval(() => {
        level = !level;
        try {
          if (level) pin.high();
          else pin.low();
        } catch {
          // the board is gone: the fault path cuts the relay
        }
      }, BLINK_MS);
    } catch {
      // a warning is a courtesy: never a reason to fail
    }
  }

  get warningOn(): boolean {
    return this.#blink !== null;
  }

  get relayOn(): boolean {
    return this.#relay?.isOn ?? false;
  }

  /** Whether the machine runs now. */
  get running(): boolean {
    return this.#opts.runningInput === 'none' ? this.relayOn : this.#inputRunning;
  }

  get hasRunningInput(): boolean {
    return this.#opts.runningInput !== 'none';
  }

  setRelay(on: boolean): void {
    if (this.#relay === null) throw new Error('board not ready');
    const wasRunning = this.running;
    if (on) this.#relay.on();
    else this.#relay.off();
    if (this.running !== wasRunning) this.#listener?.onRunningChange(this.running);
  }

  /** Best-effort cut: never throws (used on faults). */
  forceOff(): void {
    try {
      this.#relay?.off();
    } catch {
      // the board is gone; its firmware resets the pin (relay off) when it restarts
    }
  }

  async stop(): Promise<void> {
    this.forceOff();
    this.setWarning(false);
    this.#stopped = true;
    this.#listener = null;
    const board = this.#board;
    this.#board = null;
    if (board === null) return;
    board.removeAllListeners();
    board.io.removeAllListeners();
    board.on('error', () => {}); // late errors of a closing transport must not crash the process
    const transport = (board.io as unknown as { transport?: { close?: (cb?: () => void) => void } })
      .transport;
    if (!this.#opts.io && transport?.close)
      await new Promise<void>((resolve) => transport.close?.(() => resolve()));
  }

  #fault(err: Error): void {
    this.forceOff();
    this.setWarning(false);
    if (!this.#stopped) this.#listener?.onFault(err);
  }

  #watchInput(io: FirmataLike): void {
    const input = this.#opts.runningInput;
    if (input === 'none') return;
    const update = (running: boolean) => {
      if (running === this.#inputRunning) return;
      this.#inputRunning = running;
      this.#listener?.onRunningChange(running);
    };
    if ('digital' in input) {
      io.pinMode(input.digital, io.MODES.INPUT);
      io.digitalRead(input.digital, (v) => update(v === io.HIGH));
    } else {
      io.pinMode(io.analogPins[input.analog] ?? input.analog, io.MODES.ANALOG);
      io.analogRead(input.analog, (v) => update(v > input.threshold));
    }
  }

  /**
   * Reports released -> pressed edges. The first level read is only a baseline, so a button
   * stuck (or wired) pressed at boot never counts as a press.
   */
  #watchButton(io: FirmataLike, name: ButtonName, button: ButtonConfig): void {
    const pressedLevel = button.activeLow ? io.LOW : io.HIGH;
    io.pinMode(button.pin, button.activeLow ? (io.MODES.PULLUP ?? io.MODES.INPUT) : io.MODES.INPUT);
    let wasPressed: boolean | null = null;
    let lastPress = Number.NEGATIVE_INFINITY;
    io.digitalRead(button.pin, (v) => {
      const pressed = v === pressedLevel;
      const edge = pressed && wasPressed === false;
      wasPressed = pressed;
      if (!edge) return;
      const now = performance.now();
      if (now - lastPress < (this.#opts.debounceMs ?? 50)) return;
      lastPress = now;
      this.#listener?.onButton?.(name);
    });
  }
}

/** johnny-five reports some errors as plain `{ class, message }` objects. */
function toError(err: unknown): Error {
  if (err instanceof Error) return err;
  const message = (err as { message?: unknown } | null)?.message;
  return new Error(typeof message === 'string' ? message : JSON.stringify(err));
}
