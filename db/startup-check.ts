/**
 * Storage at start (issue #9 item 12): every way the database can fail to open becomes ONE line
 * that names `DATA_DIR` (or `DATABASE_URL`) and says what to do, and the embedded database is
 * checked structurally before the process says it is ready, so a damaged catalog or table is
 * found at start rather than by the first request that reads it.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** A storage failure at start, already phrased for the operator (one line). */
export class StorageError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'StorageError';
  }
}

const RESTORE =
  'restore DATA_DIR from a backup (stop the server, copy the folder back), or set DATA_DIR to an empty folder to start a new database';

function where(dataDir: string): string {
  return `DATA_DIR=${resolve(dataDir)}`;
}

function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return errorText(err.errors[0]);
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  return String(err);
}

/**
 * The folder exists (created if missing), is a folder, is writable, and is either empty or
 * a database. Returns whether a database was already there (a new one needs no check).
 */
export function prepareDataDir(dataDir: string): { existing: boolean } {
  try {
    if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) {
      throw new StorageError(
        `${where(dataDir)} is a file, not a folder: set DATA_DIR to a folder (created if missing)`,
      );
    }
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    if (err instanceof StorageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new StorageError(
        `${where(dataDir)} cannot be created: a part of that path is a file: set DATA_DIR to a folder`,
      );
    }
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new StorageError(
        `${where(dataDir)} cannot be created (${code}): give this user write access to it, or set DATA_DIR to a writable folder`,
      );
    }
    throw new StorageError(`${where(dataDir)} cannot be used: ${errorText(err)}`);
  }
  try {
    accessSync(dataDir, constants.W_OK);
  } catch {
    throw new StorageError(
      `${where(dataDir)} is not writable by this user: give it write access, or set DATA_DIR to a writable folder`,
    );
  }
  const entries = readdirSync(dataDir).filter((name) => !name.startsWith('.') && name !== 'sesame.pid');
  const existing = entries.includes('PG_VERSION');
  if (!existing && entries.length > 0) {
    throw new StorageError(
      `${where(dataDir)} is not empty and holds no database (no PG_VERSION): set DATA_DIR to an empty folder or to Sésame's data folder`,
    );
  }
  return { existing };
}

/** Why PGlite could not open the folder (it only says "failed to initialize properly"). */
export function explainPgliteOpenError(dataDir: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const control = join(dataDir, 'global', 'pg_control');
  let finding = '';
  try {
    const bytes = readFileSync(control);
    if (bytes.length === 0 || bytes.every((b) => b === 0)) finding = `${resolve(control)} is zeroed`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') finding = `${resolve(control)} is missing`;
    else finding = `${resolve(control)} cannot be read (${(e as NodeJS.ErrnoException).code})`;
  }
  const version = readVersion(dataDir);
  const cause = errorText(err);
  return new StorageError(
    `the embedded database in ${where(dataDir)} cannot be opened (${finding || cause}` +
      `${version ? `, written by PostgreSQL ${version}` : ''}): it is damaged; ${RESTORE}`,
  );
}

function readVersion(dataDir: string): string | null {
  try {
    return readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim().slice(0, 10);
  } catch {
    return null;
  }
}

/**
 * PostgreSQL's own structural check (the `amcheck` contrib module that PGlite ships) over the
 * embedded database: every page of every table is read and its tuples verified (data checksums
 * are on, so a garbled page fails), and every B-tree index is checked. The extension is created
 * in a transaction that is rolled back: nothing of it stays in the database.
 */
export async function checkEmbeddedDatabase(client: PGlite, dataDir: string): Promise<void> {
  let problem: string | null = null;
  try {
    await client.exec('begin; create extension if not exists amcheck');
    const result = await client.query<{ indexes: number; problems: number; sample: string | null }>(`
      with idx as materialized (
        select c.oid from pg_class c join pg_am a on a.oid = c.relam
         where c.relkind = 'i' and a.amname = 'btree' and c.relpersistence = 'p'),
      tab as materialized (
        select c.oid from pg_class c where c.relkind in ('r', 'm', 't') and c.relpersistence = 'p'),
      heap as materialized (
        select t.oid::regclass::text as rel, h.msg from tab t, lateral verify_heapam(t.oid) h)
      select (select count(bt_index_check(oid, false)) from idx)::int as indexes,
             (select count(*) from heap)::int as problems,
             (select rel || ': ' || msg from heap limit 1) as sample`);
    const row = result.rows[0];
    if (row && row.problems > 0) problem = `${row.problems} damaged tuple(s), first in ${row.sample}`;
  } catch (err) {
    problem = errorText(err).replace(/relation "(base\/[^"]+)"/, (_m, file: string) => {
      return `file ${join(resolve(dataDir), file)}`;
    });
  } finally {
    await client.exec('rollback').catch(() => {});
  }
  if (problem !== null) {
    throw new StorageError(`the embedded database in ${where(dataDir)} is damaged (${problem}): ${RESTORE}`);
  }
}

/** `postgres://user:secret@host/db` -> `postgres://user:***@host/db`, for the message. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

const PG_HINTS: Record<string, string> = {
  ECONNREFUSED: 'nothing answers at that host and port: start PostgreSQL or fix the host/port',
  ENOTFOUND: 'the host name does not resolve: fix the host',
  EAI_AGAIN: 'the host name does not resolve: fix the host',
  ETIMEDOUT: 'the server does not answer: check the host, port and firewall',
  EHOSTUNREACH: 'the host is unreachable: check the host and the network',
  '28P01': 'the user name or password is wrong',
  '28000': 'the server refuses this user (unknown role, or not allowed from this address by pg_hba.conf)',
  '3D000': 'the database does not exist: create it (createdb) or fix its name',
  '42501': 'the user lacks the rights to create the tables: grant them or use the owner',
};

/** One connection first, with a timeout, so that an unreachable server is one clear line. */
export async function probePostgres(url: string, timeoutMs = 10_000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw explainPostgresError(url, err);
  } finally {
    await client.end().catch(() => {});
  }
}

export function explainPostgresError(url: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const first = err instanceof AggregateError && err.errors.length > 0 ? err.errors[0] : err;
  const code = String((first as { code?: unknown })?.code ?? '');
  const text = errorText(err);
  const timedOut = /timeout/i.test(text);
  const hint = PG_HINTS[code] ?? (timedOut ? PG_HINTS.ETIMEDOUT : 'check DATABASE_URL and the server');
  return new StorageError(
    `cannot use the PostgreSQL database in DATABASE_URL=${redactDatabaseUrl(url)} (${text}): ${hint}`,
  );
}
