/**
 * MQTT packet size limit, enforced on the raw bytes before aedes buffers them (issue #9).
 *
 * Neither aedes 1.x nor mqtt-packet 9 has a maximum packet size: mqtt-packet's parser appends
 * every byte of an announced packet to a buffer list until the packet is complete, so a socket
 * that announces a 150 MB remaining length and streams it grows the server by 150 MB, before
 * CONNECT is even parsed. This guard reads each packet's fixed header (MQTT 3.1.1 §2.2: one
 * type byte, then the remaining length in 1 to 4 bytes of 7 bits) as the bytes go by, and says
 * "too big" as soon as an announced length is over the limit, so the socket is destroyed with at
 * most one read chunk buffered.
 *
 * `PacketScanner` is pure bookkeeping; `guardSocket` plugs it into a socket handed to aedes.
 */
import type net from 'node:net';

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
 * Watches the bytes aedes reads from `socket` and destroys it on the first over-limit packet.
 * Call after `aedes.handle(socket)`: aedes reads in paused mode ('readable' + read()), and a
 * 'data' listener added then sees each chunk as read() hands it over, without switching the
 * socket to flowing mode, so aedes' back-pressure (it pauses while authenticating) still holds.
 */
export function guardSocket(
  socket: net.Socket,
  scanner: PacketScanner,
  onViolation: (result: Extract<ScanResult, { ok: false }>) => void,
): void {
  let tripped = false;
  socket.on('data', (chunk: Buffer) => {
    if (tripped) return;
    const result = scanner.feed(chunk);
    if (result.ok) return;
    tripped = true;
    onViolation(result);
    socket.destroy();
  });
}
