/**
 * MQTT packet size limit, enforced on the raw bytes before aedes buffers them (issue #9).
 *
 * Neither aedes 1.x nor mqtt-packet 9 has a maximum packet size: mqtt-packet's parser appends
 * every byte of an announced packet to a buffer list until the packet is complete, so a socket
 * that announces a 150 MB remaining length and streams it grows the server by 150 MB, before
 * CONNECT is even parsed. This guard reads each packet's fixed header (MQTT 3.1.1 §2.2: one
 * type byte, then the remaining length in 1 to 4 bytes of 7 bits) as the bytes go by, and says
 * "too big" as soon as an announced length is over the limit, so the socket is destroyed with at
 * most one read chunk buffered, and no byte of the over-limit packet is ever handed to aedes.
 *
 * `PacketScanner` is pure bookkeeping; `GuardedConnection` is the stream aedes gets instead of
 * the socket, passing on only checked bytes.
 */
import type net from 'node:net';
import { Duplex } from 'node:stream';

export interface PacketLimits {
  /** the first packet (CONNECT), read before the client is authenticated */
  connectBytes: number;
  /** every later packet until the client's identity says otherwise (devices) */
  packetBytes: number;
}

/** The limits the broker applies (BrokerOptions.packetLimits). */
export interface PacketLimitOptions {
  /** the CONNECT packet, read before authentication */
  connectBytes: number;
  /** every packet of a device (and of a client not yet authenticated) */
  deviceBytes: number;
  /** every packet of a server-side client (it publishes the retained allow-lists) */
  serverBytes: number;
}

/**
 * Sized from the contract (docs/mqtt.md, "Limits"). A CONNECT carries ids and secrets of at most
 * 200 characters and a small status will. The largest device message is a `report` with a
 * 500-character note (under 2 KiB even in 4-byte UTF-8). The largest server message is an
 * allow-list: about 170 bytes per badge with usual names, 730 with 200-character non-Latin ones,
 * so 2000 members with two badges each and the longest names measure about 3 MB
 * (tests/security/mqtt-packet-size.test.ts).
 */
export const DEFAULT_PACKET_LIMITS: PacketLimitOptions = {
  connectBytes: 8 * 1024,
  deviceBytes: 16 * 1024,
  serverBytes: 8 * 1024 * 1024,
};

export type ScanResult = { ok: true } | { ok: false; why: string; announced?: number };

const MAX_REMAINING_LENGTH_BYTES = 4;

export class PacketScanner {
  #limits: PacketLimits;
  #packets = 0;
  // Parser state: waiting for a type byte, reading the remaining length, or skipping a body.
  #state: 'type' | 'length' | 'body' = 'type';
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #toSkip = 0;

  constructor(limits: PacketLimits) {
    this.#limits = limits;
  }

  /** Raises or lowers the limit for the packets not yet announced (once the client is known). */
  setPacketLimit(bytes: number): void {
    this.#limits = { ...this.#limits, packetBytes: bytes };
  }

  get packetLimit(): number {
    return this.#limits.packetBytes;
  }

  /**
   * How many of the bytes fed so far belong to a fixed header not yet complete (0 to 4): they may
   * not be passed on until the header says whether the packet is within the limit.
   */
  get headerBytesPending(): number {
    return this.#state === 'length' ? 1 + this.#lengthBytes : 0;
  }

  /** Feeds the next bytes of the stream; the first violation is final. */
  feed(chunk: Uint8Array): ScanResult {
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === 'body') {
        const n = Math.min(this.#toSkip, chunk.length - i);
        this.#toSkip -= n;
        i += n;
        if (this.#toSkip === 0) this.#state = 'type';
        continue;
      }
      const byte = chunk[i++]!;
      if (this.#state === 'type') {
        this.#state = 'length';
        this.#length = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
        continue;
      }
      // Remaining length, least significant 7 bits first [MQTT-2.2.3].
      this.#length += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      this.#lengthBytes++;
      const more = (byte & 0x80) !== 0;
      const limit = this.#packets === 0 ? this.#limits.connectBytes : this.#limits.packetBytes;
      if (this.#length > limit) {
        // Also true while `more`: the length can only grow.
        return { ok: false, why: 'packet too large', announced: this.#length };
      }
      if (more && this.#lengthBytes >= MAX_REMAINING_LENGTH_BYTES) {
        return { ok: false, why: 'malformed remaining length' };
      }
      if (more) continue;
      this.#packets++;
      this.#toSkip = this.#length;
      this.#state = this.#toSkip > 0 ? 'body' : 'type';
    }
    return { ok: true };
  }
}

/**
 * The stream aedes reads and writes instead of the socket: it passes on only the bytes of packets
 * whose fixed header is complete and within the limit, so no byte of an over-limit packet ever
 * reaches aedes' parser, and it destroys itself (and the socket) before passing anything of the
 * chunk that carried the violation.
 *
 * Why not watch the socket aedes reads: aedes pulls a chunk with `socket.read()` and parses it at
 * once, so a 'data' listener that destroys the socket runs too late — the chunk holding a whole
 * 20 KB packet was still parsed and published (issue #9 item 6). Here the bytes of a header still
 * in progress (type byte, remaining length) are held back until the header is known, and the
 * socket is read only when aedes asks for more (pull, not flow), so aedes' back-pressure (it stops
 * reading while it authenticates) still decides when the next header is checked, and under which
 * limit (a server client's is raised once it is authenticated).
 */
export class GuardedConnection extends Duplex {
  readonly socket: net.Socket;
  readonly #scanner: PacketScanner;
  readonly #onViolation: (result: Extract<ScanResult, { ok: false }>) => void;
  /** bytes of a fixed header still in progress, not yet passed on */
  #held: Buffer = Buffer.alloc(0);
  #wantsData = false;
  #tripped = false;

  constructor(
    socket: net.Socket,
    scanner: PacketScanner,
    onViolation: (result: Extract<ScanResult, { ok: false }>) => void,
  ) {
    // Like a net.Socket from a server: no half-open connection.
    super({ allowHalfOpen: false });
    this.socket = socket;
    this.#scanner = scanner;
    this.#onViolation = onViolation;
    socket.on('readable', () => this.#pull());
    // Bytes of an unfinished header are dropped with the connection: no packet is complete.
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  /** True once an over-limit packet was seen: nothing more of this connection is handled. */
  get tripped(): boolean {
    return this.#tripped;
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

  override _read(): void {
    this.#wantsData = true;
    this.#pull();
  }

  #pull(): void {
    while (this.#wantsData && !this.destroyed) {
      const chunk: Buffer | null = this.socket.read();
      if (chunk === null) return; // the socket's next 'readable' calls again
      this.#pass(chunk);
    }
  }

  #pass(chunk: Buffer): void {
    const result = this.#scanner.feed(chunk);
    if (!result.ok) {
      this.#tripped = true;
      this.#wantsData = false;
      this.#onViolation(result);
      this.destroy();
      return;
    }
    const bytes = this.#held.length > 0 ? Buffer.concat([this.#held, chunk]) : chunk;
    const ready = bytes.length - this.#scanner.headerBytesPending;
    // Copied: a few header bytes must not pin the whole read chunk.
    this.#held = Buffer.from(bytes.subarray(ready));
    if (ready > 0 && !this.push(bytes.subarray(0, ready))) this.#wantsData = false;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.#forward(chunk, callback);
  }

  /** mqtt-packet corks the stream while it writes a packet: one socket write per packet. */
  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (err?: Error | null) => void,
  ): void {
    this.#forward(Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  #forward(bytes: Buffer, callback: (err?: Error | null) => void): void {
    if (this.socket.destroyed) {
      callback(new Error('connection closed'));
      return;
    }
    if (this.socket.write(bytes)) callback();
    else this.socket.once('drain', () => callback());
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.#wantsData = false;
    this.#held = Buffer.alloc(0);
    this.socket.destroy();
    callback(err);
  }
}
