/**
 * Opens the database: embedded PostgreSQL (PGlite) in a folder by default, a real
 * PostgreSQL server when a URL is given. The committed migrations are applied on open.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { amcheck } from '@electric-sql/pglite/contrib/amcheck';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.ts';
import {
  checkEmbeddedDatabase,
  explainPgliteOpenError,
  explainPostgresError,
  prepareDataDir,
  probePostgres,
} from './startup-check.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or a transaction: services accept both. */
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
  ping(): Promise<boolean>;
  /**
   * PGlite only (issue #10 backups): the data folder as a gzipped tarball, copied while holding
   * the client's transaction mutex, so no other statement or transaction runs during the copy.
   */
  snapshot?: () => Promise<Uint8Array>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations', import.meta.url));

export interface OpenOptions {
  /** postgres://… — a real server; otherwise PGlite */
  databaseUrl?: string | undefined;
  /** PGlite folder; undefined keeps the database in memory (tests) */
  dataDir?: string | undefined;
  /** pool size on PostgreSQL */
  poolSize?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  let release = () => {};
  let existing = false;
  if (dataDir !== undefined) {
    // Issue #9 item 12: a storage failure at start is one line naming DATA_DIR (startup-check.ts).
    existing = prepareDataDir(dataDir).existing;
    release = lockDataDir(dataDir);
  }
  let client: PGlite;
  try {
    client = dataDir === undefined ? new PGlite() : new PGlite(dataDir, { extensions: { amcheck } });
    await client.waitReady;
  } catch (err) {
    release();
    throw dataDir === undefined ? err : explainPgliteOpenError(dataDir, err);
  }
  if (dataDir !== undefined && existing) {
    await checkEmbeddedDatabase(client, dataDir).catch(async (err: unknown) => {
      await client.close().catch(() => {});
      release();
      throw err;
    });
  }
  const db = drizzlePglite({ client, schema });
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    close: async () => {
      await client.close();
      release();
    },
    ping: async () => {
      await client.query('select 1');
      return true;
    },
    snapshot: async () => {
      const tarball = await client.transaction(async (tx) => {
        await tx.exec('CHECKPOINT');
        return client.dumpDataDir('gzip');
      });
      return new Uint8Array(await tarball.arrayBuffer());
    },
  };
}

export class DataDirInUseError extends Error {}

/**
 * The embedded database is one process's: a second one on the same folder would corrupt it.
 * A pid file guards the folder; a stale one (after kill -9 or a power cut) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'sesame.pid');
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new DataDirInUseError(
        `the database in ${dataDir} is in use by process ${pid}: stop it, or set DATA_DIR to another folder`,
      );
    }
  } catch (err) {
    if (err instanceof DataDirInUseError) throw err;
  }
  writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {}
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPostgres(url: string, max: number): Promise<Database> {
  await probePostgres(url); // one line naming DATABASE_URL if it cannot be reached (issue #9)
  const pool = new pg.Pool({ connectionString: url, max });
  // Idle clients can fail when the server restarts; the pool replaces them.
  pool.on('error', () => {});
  // A checked-out client whose connection dies between two queries of a transaction emits
  // 'error' with no listener (pg-pool removes its own at checkout), which would crash the
  // process; its next query fails instead, and the machine loop retries (issue #10).
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzleNodePg({ client: pool, schema });
  // Several server processes may start at once on one database: one migrates at a time.
  try {
    const lockClient = await pool.connect();
    try {
      await lockClient.query('select pg_advisory_lock(7275001)');
      await migrateNodePg(db, { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await lockClient.query('select pg_advisory_unlock(7275001)').catch(() => {});
      lockClient.release();
    }
  } catch (err) {
    await pool.end().catch(() => {});
    throw explainPostgresError(url, err);
  }
  return {
    db: db as unknown as Db,
    kind: 'postgres',
    close: () => pool.end(),
    ping: async () => {
      await pool.query('select 1');
      return true;
    },
  };
}
