/**
 * Badge readers. Keyboard-emulation readers (most USB ones) type the UID then Enter: one line,
 * one badge. RDM6300-type 125 kHz readers stream frames on a 9600 baud UART (rdm6300.ts).
 * Each reader calls `onBadge` with the raw UID; the controller normalises and validates it.
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ReaderConfig } from './config.ts';
import { Rdm6300Parser } from './rdm6300.ts';

export interface BadgeReader {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export class KeyboardReader implements BadgeReader {
  readonly #input: Readable;
  readonly #onLine: (line: string) => void;
  #rl: Interface | null = null;

  constructor(input: Readable, onLine: (line: string) => void) {
    this.#input = input;
    this.#onLine = onLine;
  }

  async start(): Promise<void> {
    this.#rl = createInterface({ input: this.#input, terminal: false });
    this.#rl.on('line', (line) => {
      const text = line.trim();
      if (text !== '') this.#onLine(text);
    });
  }

  async stop(): Promise<void> {
    this.#rl?.close();
    this.#rl = null;
  }
}

export class SerialRdm6300Reader implements BadgeReader {
  readonly #path: string;
  readonly #baud: number;
  readonly #onBadge: (uid: string) => void;
  readonly #onError: (err: Error) => void;
  #port: { close(cb?: (err: Error | null) => void): void; removeAllListeners(): void } | null = null;

  constructor(path: string, baud: number, onBadge: (uid: string) => void, onError: (err: Error) => void) {
    this.#path = path;
    this.#baud = baud;
    this.#onBadge = onBadge;
    this.#onError = onError;
  }

  async start(): Promise<void> {
    // Loaded on demand: the native serial bindings are not needed by keyboard readers or tests.
    const { default: SerialPort } = await import('serialport');
    const port = new SerialPort(this.#path, { baudRate: this.#baud, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const parser = new Rdm6300Parser();
    port.on('data', (chunk: Buffer) => {
      for (const uid of parser.push(chunk, Date.now())) this.#onBadge(uid);
    });
    port.on('error', (err: Error) => this.#onError(err));
    this.#port = port;
  }

  async stop(): Promise<void> {
    const port = this.#port;
    this.#port = null;
    if (port === null) return;
    port.removeAllListeners();
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

export function createReader(
  config: ReaderConfig,
  input: Readable,
  onBadge: (uid: string) => void,
  onError: (err: Error) => void,
): BadgeReader {
  if (config === 'keyboard') return new KeyboardReader(input, onBadge);
  return new SerialRdm6300Reader(config.serial, config.baud, onBadge, onError);
}
