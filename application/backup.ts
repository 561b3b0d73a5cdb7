/**
 * Backups of the embedded database (issue #10). An archive is one file: a first line naming
 * the format, a one-line JSON manifest, then the payload, PGlite's data folder as a gzipped
 * tarball taken while the server runs (Database.snapshot holds the client's transaction mutex:
 * no other statement runs during the copy, so the copy is a committed state).
 *
 *   SESAME-BACKUP/1\n{"format":1,"site":"…","schema":{…},"payload":{"sha256":"…",…},…}\n<tar.gz>
 *
 * The manifest carries what restore checks before touching anything: the payload's size and
 * sha256 (a damaged or truncated file is refused), the site it came from (a foreign archive
 * is not restored over another site's data without --force), and the schema's migration
 * level (an archive from a newer Sésame is refused). On PostgreSQL, pg_dump is the tool.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Database, type Db, MIGRATIONS_FOLDER } from '../db/client.ts';
import type { BackupScheduler } from './backup-schedule.ts';
import { loadSiteKeys } from './site-keys.ts';

export const BACKUP_FORMAT = 1;
const MAGIC = 'SESAME-BACKUP/';
const MAX_HEADER_BYTES = 64 * 1024;
export const BACKUP_EXTENSION = '.sesame-backup';
export const BACKUP_CONTENT_TYPE = 'application/vnd.sesame.backup';

export const manifestSchema = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    kind: z.literal('pglite-data-dir'),
    createdAt: z.iso.datetime(),
    /** the site's identifier: a fingerprint of its allow-list signing key, kept in its database */
    site: z.string().regex(/^[0-9a-f]{16}$/),
    schema: z.object({
      migrations: z.number().int().min(0),
      /** drizzle's `created_at` of the last applied migration (the journal's `when`) */
      lastMigrationAt: z.number().int().nullable(),
    }),
    postgres: z.string().max(200),
    payload: z.object({
      compression: z.literal('gzip'),
      bytes: z.number().int().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  })
  .strict();

export type BackupManifest = z.infer<typeof manifestSchema>;

export interface BackupArchive {
  manifest: BackupManifest;
  /** the whole file: header and payload */
  bytes: Uint8Array<ArrayBuffer>;
  /** suggested file name: sesame-<site>-<UTC time>.sesame-backup */
  filename: string;
}

/** What the HTTP route and the dashboard need: the open database, and the schedule if any. */
export interface BackupDeps {
  database: Database;
  scheduler: BackupScheduler | null;
}

/** PostgreSQL (DATABASE_URL): the server's own tools do it better. */
export class BackupUnsupportedError extends Error {
  constructor() {
    super(
      'this server runs on PostgreSQL (DATABASE_URL): back it up with pg_dump -Fc and restore with ' +
        'pg_restore (or pg_basebackup for point-in-time recovery); see docs/backup.md',
    );
  }
}

/** An archive that cannot be trusted: not ours, truncated, altered, or from a newer Sésame. */
export class ArchiveRefusedError extends Error {}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The site identifier: a fingerprint of the allow-list signing key stored in the database. */
export async function siteId(db: Db): Promise<string> {
  const keys = await loadSiteKeys(db);
  return sha256(Buffer.from(keys.signingPublicKeyPem)).slice(0, 16);
}

/** The database's migration level, from drizzle's own table. */
export async function schemaLevel(db: Db): Promise<BackupManifest['schema']> {
  const rows = (await db.execute(
    sql`select count(*)::int as n, max(created_at)::text as last from drizzle.__drizzle_migrations`,
  )) as unknown as { rows: { n: number; last: string | null }[] };
  const row = rows.rows[0];
  return { migrations: Number(row?.n ?? 0), lastMigrationAt: row?.last ? Number(row.last) : null };
}

/** The migration level this code brings (migrations/meta/_journal.json). */
export function codeSchemaLevel(): BackupManifest['schema'] {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: { when: number }[];
  };
  const whens = journal.entries.map((e) => e.when);
  return { migrations: whens.length, lastMigrationAt: whens.length > 0 ? Math.max(...whens) : null };
}

/** A backup of a running (or stopped) embedded database; PostgreSQL answers BackupUnsupportedError. */
export async function createBackup(database: Database, now: Date = new Date()): Promise<BackupArchive> {
  if (database.kind !== 'pglite' || database.snapshot === undefined) throw new BackupUnsupportedError();
  const site = await siteId(database.db);
  const schema = await schemaLevel(database.db);
  const version = (await database.db.execute(sql`show server_version`)) as unknown as {
    rows: { server_version: string }[];
  };
  const payload = await database.snapshot();
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    kind: 'pglite-data-dir',
    createdAt: now.toISOString(),
    site,
    schema,
    postgres: version.rows[0]?.server_version ?? 'unknown',
    payload: { compression: 'gzip', bytes: payload.byteLength, sha256: sha256(payload) },
  };
  const header = Buffer.from(`${MAGIC}${BACKUP_FORMAT}\n${JSON.stringify(manifest)}\n`);
  return { manifest, bytes: Buffer.concat([header, payload]), filename: backupFilename(site, now) };
}

export function backupFilename(site: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `sesame-${site}-${stamp}${BACKUP_EXTENSION}`;
}

/**
 * Reads and checks an archive: format line, manifest, payload size and sha256, schema level
 * not newer than this code's. Returns the manifest and the payload (the tarball).
 */
export function openArchive(file: Uint8Array): { manifest: BackupManifest; payload: Uint8Array } {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const damaged = (why: string) => new ArchiveRefusedError(`damaged or foreign archive: ${why}`);
  if (!bytes.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC))) {
    throw damaged('it does not start with "SESAME-BACKUP/" (not a Sésame backup)');
  }
  const firstEnd = bytes.indexOf(10);
  const secondEnd = firstEnd < 0 ? -1 : bytes.indexOf(10, firstEnd + 1);
  if (firstEnd < 0 || secondEnd < 0 || secondEnd > MAX_HEADER_BYTES) throw damaged('no manifest line');
  const version = bytes.subarray(MAGIC.length, firstEnd).toString('utf8');
  if (version !== String(BACKUP_FORMAT)) {
    throw new ArchiveRefusedError(
      `archive format ${JSON.stringify(version)} is not one this Sésame reads (${BACKUP_FORMAT}): use the Sésame that made it`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.subarray(firstEnd + 1, secondEnd).toString('utf8'));
  } catch {
    throw damaged('the manifest is not JSON');
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw damaged(`the manifest is invalid (${parsed.error.issues[0]?.message})`);
  const manifest = parsed.data;
  const payload = bytes.subarray(secondEnd + 1);
  if (payload.byteLength !== manifest.payload.bytes) {
    throw damaged(`the payload has ${payload.byteLength} bytes, the manifest says ${manifest.payload.bytes}`);
  }
  if (sha256(payload) !== manifest.payload.sha256) throw damaged('the payload’s sha256 does not match');
  const code = codeSchemaLevel();
  if ((manifest.schema.lastMigrationAt ?? 0) > (code.lastMigrationAt ?? 0)) {
    throw new ArchiveRefusedError(
      `the archive's schema (${manifest.schema.migrations} migrations) is newer than this Sésame's ` +
        `(${code.migrations}): restore it with the Sésame version that made it, or upgrade first`,
    );
  }
  return { manifest, payload };
}
