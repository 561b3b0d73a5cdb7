/**
 * Frame parser for RDM6300-type 125 kHz readers (EM4100 tags) on a 9600 baud UART.
 *
 * A frame is 14 bytes: STX (0x02), 10 ASCII hex digits (2 version + 8 tag), 2 ASCII hex digits
 * of checksum (XOR of the 5 data bytes), ETX (0x03). The reader repeats the frame for as long
 * as the tag stays in the field, so the same tag is reported once until it has been out of the
 * field for `debounceMs` (sliding: every repeated frame restarts the window).
 *
 * Pure: bytes and the current time in, UIDs out. The UID is the 5 data bytes as 10 upper-case
 * hex digits, a valid SPEC §2 UID (4 to 10 bytes).
 */
const STX = 0x02;
const ETX = 0x03;
const FRAME_LENGTH = 14;
const HEX = /^[0-9A-Fa-f]+$/;

export type FrameRejection = 'bad_checksum' | 'bad_frame';

export interface Rdm6300Options {
  /** the same tag within this many ms of its last frame is not reported again (default 1500) */
  debounceMs?: number;
  /** told about every discarded frame (tests, diagnostics) */
  onReject?: (reason: FrameRejection) => void;
}

export class Rdm6300Parser {
  #buffer: number[] = [];
  #lastUid: string | null = null;
  #lastSeenMs = Number.NEGATIVE_INFINITY;
  readonly #debounceMs: number;
  readonly #onReject: (reason: FrameRejection) => void;

  constructor(opts: Rdm6300Options = {}) {
    this.#debounceMs = opts.debounceMs ?? 1500;
    this.#onReject = opts.onReject ?? (() => {});
  }

  /** Feeds a chunk of bytes received at `nowMs`; returns the UIDs to report, in order. */
  push(chunk: Uint8Array, nowMs: number): string[] {
    const out: string[] = [];
    for (const byte of chunk) this.#buffer.push(byte);
    for (;;) {
      const start = this.#buffer.indexOf(STX);
      if (start < 0) {
        this.#buffer.length = 0; // nothing but noise
        break;
      }
      if (start > 0) this.#buffer.splice(0, start);
      if (this.#buffer.length < FRAME_LENGTH) break;
      const frame = this.#buffer.slice(0, FRAME_LENGTH);
      const uid = decodeFrame(frame);
      if (typeof uid !== 'string') {
        this.#onReject(uid.rejected);
        // Resync: this STX was not the start of a good frame; look for the next one after it.
        this.#buffer.splice(0, 1);
        continue;
      }
      this.#buffer.splice(0, FRAME_LENGTH);
      if (this.#accept(uid, nowMs)) out.push(uid);
    }
    return out;
  }

  #accept(uid: string, nowMs: number): boolean {
    const repeated = uid === this.#lastUid && nowMs - this.#lastSeenMs < this.#debounceMs;
    this.#lastUid = uid;
    this.#lastSeenMs = nowMs;
    return !repeated;
  }
}

/** Decodes one 14-byte frame starting with STX: the UID, or why it was refused. */
export function decodeFrame(frame: readonly number[]): string | { rejected: FrameRejection } {
  if (frame.length !== FRAME_LENGTH || frame[0] !== STX || frame[FRAME_LENGTH - 1] !== ETX) {
    return { rejected: 'bad_frame' };
  }
  const text = String.fromCharCode(...frame.slice(1, 13));
  if (!HEX.test(text)) return { rejected: 'bad_frame' };
  const data = text.slice(0, 10).toUpperCase();
  let xor = 0;
  for (let i = 0; i < 10; i += 2) xor ^= Number.parseInt(data.slice(i, i + 2), 16);
  if (xor !== Number.parseInt(text.slice(10, 12), 16)) return { rejected: 'bad_checksum' };
  return data;
}

/** Builds a frame for a 10-hex-digit tag (tests and the simulator). */
export function encodeFrame(data: string, checksum?: number): Uint8Array {
  let xor = 0;
  for (let i = 0; i < 10; i += 2) xor ^= Number.parseInt(data.slice(i, i + 2), 16);
  const sum = (checksum ?? xor).toString(16).toUpperCase().padStart(2, '0');
  return Uint8Array.from([STX, ...Buffer.from(`${data}${sum}`, 'ascii'), ETX]);
}
