/**
 * Restoring a backup (issue #10) into a data folder for the embedded database. Nothing is
 * touched until the archive checks out (application/backup.ts openArchive); the database is
 * unpacked into a staging folder beside the target, opened once (migrations brought up to this
 * code's level, site checked), and only then moved into place. The target must be empty or
 * absent; `replace` moves a current folder aside (never deletes it), and then an archive from
 * another site is refused unless `force`.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../db/client.ts';
import { type BackupManifest, openArchive, siteId } from './backup.ts';

/** A restore that would lose or mix data: the target folder is not empty, or holds another site. */
export class RestoreRefusedError extends Error {}

export interface RestoreOptions {
  archive: Uint8Array;
  dataDir: string;
  /** move a non-empty target aside to <dataDir>.replaced-<time> instead of refusing */
  replace?: boolean;
  /** with replace: restore even if the target holds another site's database */
  force?: boolean;
  now?: Date;
}

export interface RestoreResult {
  manifest: BackupManifest;
  dataDir: string;
  /** where the previous data folder was moved (replace), else null */
  replacedDir: string | null;
}

function isEmptyOrAbsent(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/** The site held by an existing data folder (opens it: refused while a server uses it). */
async function siteOfDataDir(dir: string): Promise<string> {
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    throw new RestoreRefusedError(
      `${dir} is not empty and holds no Sésame database: restore into a new, empty folder`,
    );
  }
  const database = await openDatabase({ dataDir: dir });
  try {
    return await siteId(database.db);
  } finally {
    await database.close();
  }
}

export async function restoreArchive(opts: RestoreOptions): Promise<RestoreResult> {
  const { manifest, payload } = openArchive(opts.archive);
  const target = resolve(opts.dataDir);
  const stamp = (opts.now ?? new Date())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let replacing = false;
  if (!isEmptyOrAbsent(target)) {
    if (!opts.replace) {
      throw new RestoreRefusedError(
        `${target} is not empty: restore into a new folder and point DATA_DIR at it, or add --replace ` +
          'to move the current data aside (the server must be stopped)',
      );
    }
    const current = await siteOfDataDir(target);
    if (current !== manifest.site && !opts.force) {
      throw new RestoreRefusedError(
        `the archive is from site ${manifest.site} but ${target} holds site ${current}: ` +
          'this would replace another lab’s data; add --force if that is really what you want',
      );
    }
    replacing = true;
  }

  mkdirSync(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.restoring-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const unpack = new PGlite(staging, { loadDataDir: new Blob([new Uint8Array(payload)]) });
    await unpack.waitReady;
    await unpack.close();
    // The source server's pid file came with the copy: it is not this folder's owner.
    rmSync(join(staging, 'sesame.pid'), { force: true });
    const database = await openDatabase({ dataDir: staging });
    try {
      const site = await siteId(database.db);
      if (site !== manifest.site) {
        throw new RestoreRefusedError(
          `the unpacked database is site ${site}, the manifest says ${manifest.site}: archive refused`,
        );
      }
    } finally {
      await database.close();
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }

  let replacedDir: string | null = null;
  if (replacing) {
    replacedDir = `${target}.replaced-${stamp}`;
    renameSync(target, replacedDir);
  } else if (existsSync(target)) {
    rmdirSync(target);
  }
  renameSync(staging, target);
  return { manifest, dataDir: target, replacedDir };
}
