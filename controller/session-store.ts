/**
 * What survives a power cut of an open session (`session.json` in the data folder), so that it
 * can be ended (`power_loss`) on the next start with the running seconds of its last heartbeat.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SessionRecord {
  sessionId: string;
  uid: string;
  offline: boolean;
  startedAt: string;
  runningSeconds: number;
  unlockedSeconds?: number;
  /** offline sessions: the allow-list decided from (issue #10) */
  listIssuedAt?: string;
}

const FILE = 'session.json';

export class SessionStore {
  readonly #file: string;

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, FILE);
  }

  save(record: SessionRecord): void {
    writeFileSync(this.#file, JSON.stringify(record), { flush: true });
  }

  clear(): void {
    rmSync(this.#file, { force: true });
  }

  /** The record left by a previous run (null: none, or unreadable); `clear()` once it is ended. */
  take(): SessionRecord | null {
    if (!existsSync(this.#file)) return null;
    let record: SessionRecord | null = null;
    try {
      const r = JSON.parse(readFileSync(this.#file, 'utf8')) as SessionRecord;
      record = typeof r.sessionId === 'string' && typeof r.runningSeconds === 'number' ? r : null;
    } catch {
      record = null;
    }
    return record;
  }
}
