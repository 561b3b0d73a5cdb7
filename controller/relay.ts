/**
 * The machine's relay, through johnny-five's Relay on a Firmata board. FAIL SECURE: the relay
 * is opened (machine off) as soon as it exists, whatever state the pin was left in, and only an
 * explicit `close()` (a granted decision) energises it. johnny-five's Relay writes nothing at
 * construction, which for a normally-closed wiring (LOW = closed) would leave the machine on.
 */
import five, { type Board } from 'johnny-five';

export type RelayType = 'NO' | 'NC';

export class FailSecureRelay {
  readonly #relay: InstanceType<typeof five.Relay>;

  constructor(board: Board, pin: number, type: RelayType) {
    board.io.pinMode(pin, board.io.MODES.OUTPUT);
    this.#relay = new five.Relay({ pin, type, board });
    this.#relay.open();
  }

  get isOn(): boolean {
    return this.#relay.isClosed;
  }

  /** Machine powered (relay contacts closed). */
  on(): void {
    this.#relay.close();
  }

  /** Machine cut off (relay contacts open). */
  off(): void {
    this.#relay.open();
  }
}
