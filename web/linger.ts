/**
 * Closing a connection whose request body was not read (a 413), without losing the answer
 * (issue #9). Node's server ends such a socket with `destroySoon()` right after the response:
 * the client, still uploading, then gets a TCP reset that can discard the 413 before it is
 * read. Lingering close (as nginx does): send FIN after the response, keep reading and
 * discarding what the client still sends for a bounded time and size, then destroy.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

const LINGER_MS = 2_000;
const LINGER_BYTES = 64 * 1024 * 1024;
const LINGERING = Symbol('sesame.lingering');

/** Makes the request's socket linger when the server closes it; no-op outside node-server. */
export function lingerOnClose(env: unknown): void {
  const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const socket = incoming?.socket as (Socket & { [LINGERING]?: true }) | undefined;
  if (socket === undefined || socket === null || socket[LINGERING] || socket.destroyed) return;
  socket[LINGERING] = true;
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (this.writable) this.end();
    let read = 0;
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > LINGER_BYTES) this.destroy();
    });
    this.once('end', () => this.destroy());
    this.once('close', () => clearTimeout(timer));
    this.resume();
  };
}
