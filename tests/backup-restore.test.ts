/**
 * Issue #10, backups: restore refuses a damaged, truncated, altered, newer or foreign archive
 * and a non-empty data folder, and leaves nothing behind when it refuses; the schedule keeps
 * the newest BACKUP_KEEP archives of its site; the CLI explains what to do on PostgreSQL and
 * while the server runs. Embedded database only (PostgreSQL backups are pg_dump's job).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArchiveRefusedError,
  type BackupManifest,
  createBackup,
  openArchive,
  siteId,
} from '../application/backup.ts';
import { RestoreRefusedError, restoreArchive } from '../application/backup-restore.ts';
import { BackupScheduler, listBackups } from '../application/backup-schedule.ts';
import { type Database, openDatabase } from '../db/client.ts';
import { silentLogger } from '../logging/logger.ts';
import { onPostgres } from './support/db.ts';
import { addMember } from './support/fixtures.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sesame-backup-restore-'));
let siteA: Database;
let siteB: Database;
let archiveA: Uint8Array;
let archiveB: Uint8Array;
let memberId: string;

beforeAll(async () => {
  if (onPostgres) return;
  siteA = await openDatabase({});
  siteB = await openDatabase({});
  memberId = await addMember(siteA.db, { name: 'Zoé Sauvegarde', creditCents: 4321 });
  archiveA = (await createBackup(siteA)).bytes;
  archiveB = (await createBackup(siteB)).bytes;
}, 180_000);
afterAll(async () => {
  await siteA?.close();
  await siteB?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** The archive with its manifest line rewritten (the payload, and so its sha256, unchanged). */
function withManifest(
  archive: Uint8Array,
  edit: (m: BackupManifest & { extra?: boolean }) => void,
): Uint8Array {
  const bytes = Buffer.from(archive);
  const first = bytes.indexOf(10);
  const second = bytes.indexOf(10, first + 1);
  const manifest = JSON.parse(bytes.subarray(first + 1, second).toString());
  edit(manifest);
  return Buffer.concat([
    bytes.subarray(0, first + 1),
    Buffer.from(`${JSON.stringify(manifest)}\n`),
    bytes.subarray(second + 1),
  ]);
}

async function balanceIn(dataDir: string): Promise<number | undefined> {
  const database = await openDatabase({ dataDir });
  try {
    const r = (await database.db.execute(
      sql`select balance_cents from members where id = ${memberId}`,
    )) as unknown as { rows: { balance_cents: string | number }[] };
    return r.rows[0] ? Number(r.rows[0].balance_cents) : undefined;
  } finally {
    await database.close();
  }
}

const leftovers = () => readdirSync(dir).filter((n) => n.includes('.restoring-'));

describe.skipIf(onPostgres)('restore (embedded database only: on PostgreSQL, pg_restore)', () => {
  it('refuses damaged, truncated, altered, newer or unknown archives and writes nothing', async () => {
    const target = join(dir, 'refused');
    const flipped = Buffer.from(archiveA);
    flipped[flipped.length - 100] = (flipped[flipped.length - 100] ?? 0) ^ 0xff;
    const cases: [Uint8Array, RegExp][] = [
      [flipped, /sha256 does not match/],
      [archiveA.subarray(0, archiveA.byteLength - 10), /the payload has \d+ bytes/],
      [Buffer.from('PK\u0003\u0004 a zip file, not ours'), /not a Sésame backup/],
      [withManifest(archiveA, (m) => (m.payload.sha256 = 'ab'.repeat(32))), /sha256 does not match/],
      [
        withManifest(archiveA, (m) => (m.schema.lastMigrationAt = (m.schema.lastMigrationAt ?? 0) + 1)),
        /newer than this Sésame/,
      ],
      [withManifest(archiveA, (m) => (m.extra = true)), /manifest is invalid/],
      [Buffer.concat([Buffer.from('SESAME-BACKUP/2\n{}\n'), Buffer.from(archiveA)]), /format "2"/],
    ];
    for (const [archive, why] of cases) {
      await expect(restoreArchive({ archive, dataDir: target })).rejects.toThrow(why);
      await expect(restoreArchive({ archive, dataDir: target })).rejects.toBeInstanceOf(ArchiveRefusedError);
      expect(existsSync(target)).toBe(false);
    }
    // A manifest naming another site than the database inside: refused after unpacking, cleaned up.
    const lying = withManifest(archiveA, (m) => (m.site = '0123456789abcdef'));
    await expect(restoreArchive({ archive: lying, dataDir: target })).rejects.toThrow(
      /the unpacked database is site/,
    );
    expect(existsSync(target)).toBe(false);
    expect(leftovers()).toEqual([]);
  }, 120_000);

  it('restores into an absent or empty folder, and refuses a non-empty one unless told to replace', async () => {
    const fresh = join(dir, 'fresh');
    const r = await restoreArchive({ archive: archiveA, dataDir: fresh });
    expect(r.manifest.site).toBe(await siteId(siteA.db));
    expect(await balanceIn(fresh)).toBe(4321);

    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await restoreArchive({ archive: archiveA, dataDir: empty });
    expect(await balanceIn(empty)).toBe(4321);

    // Not empty: refused, untouched.
    await expect(restoreArchive({ archive: archiveA, dataDir: fresh })).rejects.toThrow(/is not empty/);
    const stray = join(dir, 'stray');
    mkdirSync(stray);
    writeFileSync(join(stray, 'notes.txt'), 'mine');
    await expect(restoreArchive({ archive: archiveA, dataDir: stray, replace: true })).rejects.toThrow(
      /holds no Sésame database/,
    );
    expect(readdirSync(stray)).toEqual(['notes.txt']);

    // Another site's archive over this site's data: refused even with --replace, unless forced.
    await expect(restoreArchive({ archive: archiveB, dataDir: fresh, replace: true })).rejects.toBeInstanceOf(
      RestoreRefusedError,
    );
    expect(await balanceIn(fresh)).toBe(4321);
    const forced = await restoreArchive({ archive: archiveB, dataDir: fresh, replace: true, force: true });
    expect(await balanceIn(fresh)).toBeUndefined();
    expect(forced.replacedDir).not.toBeNull();
    expect(await balanceIn(forced.replacedDir!)).toBe(4321);

    // The same site's archive with --replace: the current folder is moved aside, not deleted.
    const same = await restoreArchive({ archive: archiveA, dataDir: empty, replace: true });
    expect(await balanceIn(empty)).toBe(4321);
    expect(existsSync(same.replacedDir!)).toBe(true);
    expect(leftovers()).toEqual([]);
  }, 180_000);
});

describe.skipIf(onPostgres)('scheduled backups (embedded database only)', () => {
  it('writes complete archives and keeps the newest BACKUP_KEEP of its site', async () => {
    const folder = join(dir, 'scheduled');
    mkdirSync(folder);
    // Files that are not this site's archives are never deleted.
    writeFileSync(join(folder, 'README.txt'), 'keep me');
    const foreign = 'sesame-0123456789abcdef-20200101T000000Z.sesame-backup';
    writeFileSync(join(folder, foreign), 'another site');
    let now = new Date('2026-03-01T10:00:00Z');
    const scheduler = new BackupScheduler({
      database: siteA,
      dir: folder,
      intervalHours: 6,
      keep: 2,
      log: silentLogger,
      now: () => now,
    });
    for (let i = 0; i < 4; i++) {
      await scheduler.runOnce();
      now = new Date(now.getTime() + 6 * 3_600_000);
    }
    const site = await siteId(siteA.db);
    const mine = listBackups(folder).filter((f) => f.site === site);
    expect(mine.map((f) => f.takenAt.toISOString())).toEqual([
      '2026-03-02T04:00:00.000Z',
      '2026-03-01T22:00:00.000Z',
    ]);
    expect(readdirSync(folder).sort()).toEqual([...mine.map((f) => f.name), foreign, 'README.txt'].sort());
    expect(readdirSync(folder).some((n) => n.endsWith('.partial'))).toBe(false);
    // Each kept file is a valid archive.
    const { readFileSync } = await import('node:fs');
    for (const f of mine) expect(openArchive(readFileSync(join(folder, f.name))).manifest.site).toBe(site);

    // After a restart, the next backup is due one interval after the newest one.
    const restarted = new BackupScheduler({
      database: siteA,
      dir: folder,
      intervalHours: 6,
      keep: 2,
      log: silentLogger,
      now: () => new Date('2026-03-02T05:00:00Z'),
    });
    await restarted.start();
    expect(restarted.status().nextAt?.toISOString()).toBe('2026-03-02T10:00:00.000Z');
    expect(restarted.status().lastSuccessAt?.toISOString()).toBe('2026-03-02T04:00:00.000Z');
    await restarted.stop();
  }, 120_000);
});

/** Runs the CLI as `npm run cli` does. */
function cli(env: Record<string, string>, ...args: string[]) {
  const full: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.DATABASE_URL) delete full.DATABASE_URL;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args], {
    cwd: root,
    env: full,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run cli -- backup, restore', () => {
  it('on PostgreSQL, names pg_dump (exit code 2)', () => {
    const r = cli({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, 'backup', '--out', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pg_dump -Fc/);
  }, 400_000);

  it.skipIf(onPostgres)(
    'while the server holds DATA_DIR, says to download from it (exit code 2)',
    () => {
      const busy = join(dir, 'busy');
      mkdirSync(busy);
      writeFileSync(join(busy, 'PG_VERSION'), '17\n');
      // This test process plays the running server.
      writeFileSync(join(busy, 'sesame.pid'), String(process.pid));
      const r = cli({ DATA_DIR: busy }, 'backup', '--out', dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/in use by process/);
      expect(r.stderr).toMatch(/GET \/api\/v1\/backup/);
    },
    150_000,
  );

  it('restore refuses a damaged file with exit code 1 and creates nothing', () => {
    const file = join(dir, 'damaged.sesame-backup');
    writeFileSync(file, 'SESAME-BACKUP/1\n{"format":1}\nnot a tarball');
    const target = join(dir, 'never');
    const r = cli({ DATA_DIR: target }, 'restore', '--from', file, '--data-dir', target);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused: damaged or foreign archive/);
    expect(existsSync(target)).toBe(false);
  }, 400_000);
});
