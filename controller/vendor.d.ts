// johnny-five 2, mock-firmata and serialport 8 ship no types: only what the controller uses.
declare module 'johnny-five' {
  import type { EventEmitter } from 'node:events';

  export interface BoardOptions {
    io?: unknown;
    port?: string;
    repl?: boolean;
    debug?: boolean;
    sigint?: boolean;
    timeout?: number;
  }
  export class Board extends EventEmitter {
    constructor(opts?: BoardOptions);
    io: FirmataLike;
    isReady: boolean;
  }
  export interface RelayOptions {
    pin: number | string;
    type?: 'NO' | 'NC';
    board?: Board;
  }
  export class Relay {
    constructor(opts: RelayOptions);
    readonly isClosed: boolean;
    readonly type: 'NO' | 'NC';
    open(): this;
    close(): this;
  }
  export interface PinOptions {
    pin: number | string;
    type?: 'digital' | 'analog';
    mode?: number;
    board?: Board;
  }
  export class Pin extends EventEmitter {
    constructor(opts: PinOptions);
    high(): this;
    low(): this;
    readonly isHigh: boolean;
  }
  /** The slice of a Firmata IO object the controller touches. */
  export interface FirmataLike extends EventEmitter {
    readonly HIGH: number;
    readonly LOW: number;
    readonly MODES: { INPUT: number; OUTPUT: number; ANALOG: number; PULLUP?: number };
    readonly analogPins: number[];
    pins: Array<{ value: number; mode: number }>;
    pinMode(pin: number, mode: number): void;
    digitalWrite(pin: number, value: number): void;
    digitalRead(pin: number, cb: (value: number) => void): void;
    analogRead(pin: number, cb: (value: number) => void): void;
    reportDigitalPin?(pin: number, value: 0 | 1): void;
    reportAnalogPin?(pin: number, value: 0 | 1): void;
  }
  const five: { Board: typeof Board; Relay: typeof Relay; Pin: typeof Pin };
  export default five;
}

declare module 'mock-firmata' {
  import type { FirmataLike } from 'johnny-five';
  export interface MockFirmataConstructor {
    new (opts?: Record<string, unknown>): FirmataLike;
  }
  const mock: { Firmata: MockFirmataConstructor };
  export default mock;
}

declare module 'serialport' {
  import type { EventEmitter } from 'node:events';

  class SerialPort extends EventEmitter {
    constructor(path: string, opts: { baudRate: number; autoOpen?: boolean });
    open(cb: (err: Error | null) => void): void;
    close(cb?: (err: Error | null) => void): void;
    readonly isOpen: boolean;
  }
  export default SerialPort;
}
