/**
 * The durable event buffer (SPEC §2: "buffers its events durably, and sends them when it
 * reconnects"). Every event is appended to `outbox.jsonl` in the data folder and fsynced
 * before it is handed to MQTT; it is forgotten only once the SERVER acknowledged it (its `ack`
 * message after the commit, issue #10; delivery.ts), never at the broker's PUBACK. The file is
 * an append-only log of `add` and `ack` records, rewritten (compacted) once every event is
 * acknowledged or the log grows. A torn last line (power cut mid-write) is skipped.
 *
 * Bounded (a server that never acks, an older one, leaves everything here): at `maxEntries`
 * (default 1000) a new event first drops the oldest `runtime` event superseded by a later
 * runtime or end of the same session (the server bills a session per its greatest
 * runningSeconds, so the later event carries everything the older one said); if none is
 * superseded, the oldest event of any kind goes. A new event is never refused: the newest
 * `end` matters most. No age bound: ages would be read on the wall clock, which an NTP step
 * after an offline boot can move by years.
 *
 * Synchronous file I/O on purpose: a board handles a few events a minute, and an event must be
 * on disk before anything else happens.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

export interface OutboxEntry {
  id: string;
  topic: string;
  /** the exact JSON payload to publish */
  payload: string;
}

export interface DroppedEntry {
  entry: OutboxEntry;
  why: 'superseded' | 'full';
}

export const DEFAULT_OUTBOX_MAX_ENTRIES = 1000;

type LogRecord = ({ op: 'add' } & OutboxEntry) | { op: 'ack'; id: string };

const FILE = 'outbox.jsonl';
const COMPACT_AFTER_RECORDS = 200;

export class Outbox {
  readonly #file: string;
  readonly #dir: string;
  #fd: number | null = null;
  #pending = new Map<string, OutboxEntry>();
  #records = 0;
  readonly #maxEntries: number;

  constructor(dir: string, opts: { maxEntries?: number } = {}) {
    this.#dir = dir;
    this.#file = path.join(dir, FILE);
    this.#maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_OUTBOX_MAX_ENTRIES);
  }

  /** Reads what a previous run left unacknowledged; returns it in publication order. */
  open(): OutboxEntry[] {
    mkdirSync(this.#dir, { recursive: true });
    this.#pending.clear();
    if (existsSync(this.#file)) {
      for (const line of readFileSync(this.#file, 'utf8').split('\n')) {
        const record = parseRecord(line);
        if (record === null) continue;
        if (record.op === 'add')
          this.#pending.set(record.id, { id: record.id, topic: record.topic, payload: record.payload });
        else this.#pending.delete(record.id);
      }
    }
    this.#compact();
    return this.pending();
  }

  pending(): OutboxEntry[] {
    return [...this.#pending.values()];
  }

  has(id: string): boolean {
    return this.#pending.has(id);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Durably records an event to publish; returns what the bound dropped to make room. */
  append(entry: OutboxEntry): DroppedEntry[] {
    const dropped: DroppedEntry[] = [];
    while (this.#pending.size >= this.#maxEntries) {
      const superseded = this.#superseded();
      const victim = superseded ?? this.#pending.values().next().value;
      if (victim === undefined) break;
      dropped.push({ entry: victim, why: superseded ? 'superseded' : 'full' });
      this.ack(victim.id);
    }
    this.#pending.set(entry.id, entry);
    this.#write({ op: 'add', ...entry });
    return dropped;
  }

  /** The server stored (or rejected) it: forget it. */
  ack(id: string): void {
    if (!this.#pending.delete(id)) return;
    this.#write({ op: 'ack', id });
    if (this.#pending.size === 0 || this.#records >= COMPACT_AFTER_RECORDS) this.#compact();
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  /** The oldest runtime event followed by a runtime or end of the same session, if any. */
  #superseded(): OutboxEntry | undefined {
    const later = new Set<string>();
    let found: OutboxEntry | undefined;
    // Walk newest to oldest: a runtime whose session was seen later is superseded.
    for (const entry of [...this.#pending.values()].reverse()) {
      const kind = entry.topic.slice(entry.topic.lastIndexOf('/') + 1);
      if (kind !== 'runtime' && kind !== 'end') continue;
      const sessionId = sessionIdOf(entry.payload);
      if (sessionId === null) continue;
      if (kind === 'runtime' && later.has(sessionId)) found = entry;
      later.add(sessionId);
    }
    return found;
  }

  #write(record: LogRecord): void {
    if (this.#fd === null) throw new Error('outbox: not open');
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.#fd);
    this.#records++;
  }

  /** Rewrites the log with only the pending events: temp file, fsync, rename, fsync folder. */
  #compact(): void {
    this.close();
    const tmp = `${this.#file}.tmp`;
    const fd = openSync(tmp, 'w');
    for (const entry of this.#pending.values()) writeSync(fd, `${JSON.stringify({ op: 'add', ...entry })}\n`);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.#file);
    fsyncDir(this.#dir);
    this.#fd = openSync(this.#file, 'a');
    this.#records = this.#pending.size;
  }
}

function sessionIdOf(payload: string): string | null {
  try {
    const id = (JSON.parse(payload) as { sessionId?: unknown }).sessionId;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

function parseRecord(line: string): LogRecord | null {
  if (line.trim() === '') return null;
  try {
    const r = JSON.parse(line) as Partial<LogRecord> & Record<string, unknown>;
    if (r.op === 'ack' && typeof r.id === 'string') return { op: 'ack', id: r.id };
    if (
      r.op === 'add' &&
      typeof r.id === 'string' &&
      typeof r.topic === 'string' &&
      typeof r.payload === 'string'
    ) {
      return { op: 'add', id: r.id, topic: r.topic, payload: r.payload };
    }
  } catch {
    // a line torn by a power cut: everything before it is intact
  }
  return null;
}

export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic
  }
}
