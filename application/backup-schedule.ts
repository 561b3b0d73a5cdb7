/**
 * Scheduled backups of the embedded database (issue #10): every BACKUP_INTERVAL_HOURS into
 * BACKUP_DIR, keeping the newest BACKUP_KEEP archives of this site (older ones of this site
 * are deleted; other files in the folder are never touched). A file is written under a
 * temporary name and renamed when complete, so the folder never holds a half-written archive.
 * At start, the first backup is due one interval after the newest one already in the folder
 * (at once if there is none), so restarts do not multiply or postpone backups.
 */
import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../db/client.ts';
import type { Logger } from '../logging/logger.ts';
import { metrics } from '../logging/metrics.ts';
import { type BackupManifest, createBackup, siteId } from './backup.ts';

const lastSuccess = metrics.gauge(
  'sesame_backup_last_success_timestamp_seconds',
  'When the last scheduled backup was written (alert when older than a few intervals)',
);
const failures = metrics.counter('sesame_backup_failures_total', 'Scheduled backups that failed');

const NAME = /^sesame-([0-9a-f]{16})-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.sesame-backup$/;

export interface BackupFile {
  name: string;
  site: string;
  takenAt: Date;
  bytes: number;
}

/** The archives in a folder, newest first (files named as createBackup names them). */
export function listBackups(dir: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const files: BackupFile[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const [, site, y, mo, d, h, mi, s] = m;
    let bytes = 0;
    try {
      bytes = statSync(join(dir, name)).size;
    } catch {
      continue;
    }
    files.push({ name, site: site!, takenAt: new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`), bytes });
  }
  return files.sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || b.name.localeCompare(a.name));
}

export interface BackupScheduleOptions {
  database: Database;
  dir: string;
  intervalHours: number;
  keep: number;
  log: Logger;
  now?: () => Date;
}

export interface BackupStatus {
  dir: string;
  intervalHours: number;
  keep: number;
  lastSuccessAt: Date | null;
  lastError: string | null;
  nextAt: Date | null;
}

export class BackupScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private lastSuccessAt: Date | null = null;
  private lastError: string | null = null;
  private nextAt: Date | null = null;
  private readonly now: () => Date;

  constructor(private readonly opts: BackupScheduleOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  get intervalMs(): number {
    return this.opts.intervalHours * 3_600_000;
  }

  status(): BackupStatus {
    const { dir, intervalHours, keep } = this.opts;
    return {
      dir,
      intervalHours,
      keep,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
      nextAt: this.nextAt,
    };
  }

  async start(): Promise<void> {
    try {
      mkdirSync(this.opts.dir, { recursive: true });
    } catch (err) {
      throw new Error(`BACKUP_DIR=${this.opts.dir} cannot be used: ${(err as Error).message}`);
    }
    const site = await siteId(this.opts.database.db);
    const newest = listBackups(this.opts.dir).find((f) => f.site === site);
    if (newest) {
      this.lastSuccessAt = newest.takenAt;
      lastSuccess.set(newest.takenAt.getTime() / 1000);
    }
    const due = newest ? newest.takenAt.getTime() + this.intervalMs : this.now().getTime();
    this.schedule(Math.max(0, due - this.now().getTime()));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.nextAt = new Date(this.now().getTime() + delayMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce()
        .catch(() => {})
        .finally(() => {
          this.running = null;
          this.schedule(this.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** Takes one backup into the folder and applies the retention; logs and remembers the outcome. */
  async runOnce(): Promise<{ file: string; manifest: BackupManifest; deleted: string[] }> {
    const { dir, keep, log } = this.opts;
    try {
      mkdirSync(dir, { recursive: true });
      const archive = await createBackup(this.opts.database, this.now());
      const file = join(dir, archive.filename);
      const partial = `${file}.partial`;
      writeFileSync(partial, archive.bytes);
      renameSync(partial, file);
      const deleted = listBackups(dir)
        .filter((f) => f.site === archive.manifest.site)
        .slice(keep)
        .map((f) => f.name);
      for (const name of deleted) unlinkSync(join(dir, name));
      this.lastSuccessAt = new Date(archive.manifest.createdAt);
      this.lastError = null;
      lastSuccess.set(this.lastSuccessAt.getTime() / 1000);
      log('info', 'backup written', { file, bytes: archive.bytes.byteLength, deleted: deleted.length });
      return { file, manifest: archive.manifest, deleted };
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      failures.inc();
      log('error', 'backup failed', { dir, error: this.lastError });
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = null;
    await this.running;
  }
}
