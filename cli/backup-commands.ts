/**
 * `backup` and `restore` (issue #10): the embedded database to one archive file and back
 * (application/backup.ts, docs/backup.md). Both open the database themselves: `restore`
 * writes a new data folder, and `backup` explains what to do while the server runs.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BackupUnsupportedError, createBackup } from '../application/backup.ts';
import { restoreArchive } from '../application/backup-restore.ts';
import { DataDirInUseError, openDatabase } from '../db/client.ts';
import { type CliContext, type Command, need, UsageError } from './command.ts';

/** A command that opens (or not) the database itself: it gets no `db`. */
export interface StandaloneCommand extends Omit<Command, 'run'> {
  standalone: true;
  run(
    ctx: Omit<CliContext, 'db'>,
    positionals: string[],
    values: Record<string, string | boolean | undefined>,
  ): Promise<void>;
}

export const backupCommand: StandaloneCommand = {
  name: 'backup',
  standalone: true,
  usage: 'backup [--out file-or-folder]',
  summary: 'Back up the embedded database (DATA_DIR) to one archive file; the server must be stopped',
  options: {
    out: {
      type: 'string',
      help: 'the archive file, or a folder for sesame-<site>-<time>.sesame-backup (default: this folder)',
    },
  },
  async run(ctx, _positionals, values) {
    if (ctx.env.DATABASE_URL) throw new BackupUnsupportedError();
    const dataDir = ctx.env.DATA_DIR;
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      throw new UsageError(`no database in ${resolve(dataDir)}: set DATA_DIR to the server's data folder`);
    }
    let database: Awaited<ReturnType<typeof openDatabase>>;
    try {
      database = await openDatabase({ dataDir });
    } catch (err) {
      if (err instanceof DataDirInUseError) {
        throw new UsageError(
          `${err.message}. While the server runs, download a backup from it instead: the dashboard's ` +
            'Admin → Backups page, or GET /api/v1/backup with an admin token (docs/backup.md)',
        );
      }
      throw err;
    }
    try {
      const archive = await createBackup(database, ctx.now);
      const out = typeof values.out === 'string' && values.out !== '' ? values.out : '.';
      const isDir = existsSync(out) && statSync(out).isDirectory();
      const file = resolve(isDir ? join(out, archive.filename) : out);
      writeFileSync(`${file}.partial`, archive.bytes);
      renameSync(`${file}.partial`, file);
      const { manifest } = archive;
      ctx.say(
        `backup of site ${manifest.site} written to ${file} (${archive.bytes.byteLength} bytes, sha256 ${manifest.payload.sha256})`,
      );
      ctx.out(file);
    } finally {
      await database.close();
    }
  },
};

export const restoreCommand: StandaloneCommand = {
  name: 'restore',
  standalone: true,
  usage: 'restore --from file [--data-dir folder] [--replace [--force]]',
  summary: 'Restore a backup into a new, empty data folder (checks the archive first)',
  options: {
    from: { type: 'string', help: 'the archive made by `backup`, the dashboard or GET /api/v1/backup' },
    'data-dir': { type: 'string', help: 'the folder to create (default DATA_DIR); must be empty or absent' },
    replace: {
      type: 'boolean',
      help: 'move a non-empty folder aside to <folder>.replaced-<time> first (server stopped)',
    },
    force: { type: 'boolean', help: 'with --replace: even if the folder holds another site’s database' },
  },
  async run(ctx, _positionals, values) {
    const from = need(values, 'from');
    if (values.force && !values.replace) throw new UsageError('--force goes with --replace');
    let archive: Buffer;
    try {
      archive = readFileSync(from);
    } catch (err) {
      throw new UsageError(`cannot read ${from}: ${(err as Error).message}`);
    }
    const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : ctx.env.DATA_DIR;
    const result = await restoreArchive({
      archive,
      dataDir,
      replace: values.replace === true,
      force: values.force === true,
      now: ctx.now,
    });
    const { manifest } = result;
    if (result.replacedDir) ctx.say(`the previous data folder was moved to ${result.replacedDir}`);
    ctx.say(
      `restored the backup of ${manifest.createdAt} (site ${manifest.site}) into ${result.dataDir}; ` +
        `start the server with DATA_DIR=${result.dataDir}`,
    );
    ctx.out(
      JSON.stringify({
        dataDir: result.dataDir,
        site: manifest.site,
        createdAt: manifest.createdAt,
        replacedDir: result.replacedDir,
      }),
    );
  },
};
