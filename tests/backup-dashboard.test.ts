/**
 * Issue #10, backups in the running server: with BACKUP_DIR set, the server writes a first
 * archive at start; the admin's Backups page lists it and links the download, which works with
 * the dashboard's session cookie; other roles get neither. Embedded database only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../application/backup.ts';
import { listBackups } from '../application/backup-schedule.ts';
import { openDatabase } from '../db/client.ts';
import { PASSWORD, staffWithPassword } from './dashboard/support.ts';
import { onPostgres } from './support/db.ts';
import { eventually, startSystem, type TestSystem } from './support/system.ts';

const dir = mkdtempSync(join(tmpdir(), 'sesame-backup-dash-'));
const backupDir = join(dir, 'backups');
let sys: TestSystem;

beforeAll(async () => {
  if (onPostgres) return;
  const database = await openDatabase({ dataDir: join(dir, 'data') });
  sys = await startSystem({
    database: { ...database, drop: () => database.close() },
    env: { BACKUP_DIR: backupDir, BACKUP_INTERVAL_HOURS: '24', BACKUP_KEEP: '3' },
  });
}, 120_000);
afterAll(async () => {
  await sys?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function cookieFor(roles: string[]): Promise<string> {
  const { email } = await staffWithPassword(sys, roles);
  const res = await fetch(`${sys.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

describe.skipIf(onPostgres)(
  'backups from the running server (embedded database only: on PostgreSQL, pg_dump)',
  () => {
    it('are scheduled at start, listed on the admin page, and downloaded with the session cookie', async () => {
      const first = await eventually(async () => listBackups(backupDir)[0], 60_000);
      expect(openArchive(readFileSync(join(backupDir, first.name))).manifest.kind).toBe('pglite-data-dir');

      const admin = await cookieFor(['admin']);
      const pageRes = await fetch(`${sys.baseUrl}/admin/backup?lang=fr`, { headers: { cookie: admin } });
      expect(pageRes.status).toBe(200);
      const html = await pageRes.text();
      expect(html).toContain('href="/api/v1/backup"');
      expect(html).toContain('Télécharger une sauvegarde');
      expect(html).toContain(first.name);
      expect(html).toContain('toutes les 24 h');

      const download = await fetch(`${sys.baseUrl}/api/v1/backup`, { headers: { cookie: admin } });
      expect(download.status).toBe(200);
      const archive = openArchive(new Uint8Array(await download.arrayBuffer()));
      expect(archive.manifest.site).toBe(first.site);

      const treasurer = await cookieFor(['treasurer']);
      expect((await fetch(`${sys.baseUrl}/admin/backup`, { headers: { cookie: treasurer } })).status).toBe(
        403,
      );
      expect((await fetch(`${sys.baseUrl}/api/v1/backup`, { headers: { cookie: treasurer } })).status).toBe(
        403,
      );
      expect((await fetch(`${sys.baseUrl}/api/v1/backup`)).status).toBe(401);
    }, 180_000);
  },
);
