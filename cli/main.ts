/**
 * `npm run cli -- <command>` (issue #5): the treasurer's and admin's tasks from a terminal, on
 * the same database as the server (DATABASE_URL, else the embedded database in DATA_DIR; the
 * embedded one can be opened by one process at a time, so stop the server first or use
 * PostgreSQL). Results go to stdout (or --out), messages and progress to stderr.
 * Exit codes: 0 done, 1 refused (invalid rows, conflicting state), 2 bad usage or configuration.
 */
import { parseArgs } from 'node:util';
import { ArchiveRefusedError, BackupUnsupportedError } from '../application/backup.ts';
import { RestoreRefusedError } from '../application/backup-restore.ts';
import { ServiceError } from '../application/errors.ts';
import { HelloassoNotConfiguredError } from '../application/helloasso/sync.ts';
import { DataDirInUseError, openDatabase } from '../db/client.ts';
import { ConfigError, readEnv } from '../server/env.ts';
import { accountingCommand } from './accounting-command.ts';
import { backupCommand, restoreCommand, type StandaloneCommand } from './backup-commands.ts';
import { adjustCommand, refundCommand, topUpCommand } from './card-commands.ts';
import type { Command } from './command.ts';
import { UsageError } from './command.ts';
import { membersCommand } from './member-commands.ts';
import { closeMonthCommand, exportCommand, helloassoSyncCommand } from './money-commands.ts';
import {
  createStaffCommand,
  gdprEraseCommand,
  gdprExportCommand,
  importMembersCommand,
  provisionDeviceCommand,
  purgeCommand,
} from './people-commands.ts';

const COMMANDS: (Command | StandaloneCommand)[] = [
  importMembersCommand,
  membersCommand,
  topUpCommand,
  refundCommand,
  adjustCommand,
  exportCommand,
  closeMonthCommand,
  gdprExportCommand,
  gdprEraseCommand,
  purgeCommand,
  provisionDeviceCommand,
  createStaffCommand,
  helloassoSyncCommand,
  accountingCommand,
  backupCommand,
  restoreCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Sésame command line. Usage: npm run cli -- <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'npm run cli -- <command> --help shows a command’s options.',
    'The database is the server’s: DATABASE_URL, else DATA_DIR (./data), see README.',
  ].join('\n');
}

function commandHelp(c: Command | StandaloneCommand): string {
  const opts = Object.entries(c.options).map(
    ([name, o]) => `  --${name}${o.type === 'string' ? ' <value>' : ''}  ${o.help}`,
  );
  return [
    `Usage: npm run cli -- ${c.usage}`,
    '',
    c.summary,
    ...(opts.length > 0 ? ['', 'Options:', ...opts] : []),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    process.stderr.write(`sesame: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(Object.entries(command.options).map(([k, o]) => [k, { type: o.type }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    process.stderr.write(`sesame ${name}: ${(e as Error).message}\n\n${commandHelp(command)}\n`);
    return 2;
  }
  const env = readEnv();
  const io = {
    env,
    now: new Date(),
    out: (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    say: (text: string) => process.stderr.write(`${text}\n`),
  };
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if ('standalone' in command) {
    await command.run(io, parsed.positionals, values);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  }
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, poolSize: 2 });
  try {
    await command.run({ db: database.db, ...io }, parsed.positionals, values);
  } finally {
    await database.close();
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof DataDirInUseError) {
      process.stderr.write(`sesame: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof BackupUnsupportedError) {
      process.stderr.write(`sesame: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof ArchiveRefusedError || err instanceof RestoreRefusedError) {
      process.stderr.write(`sesame: refused: ${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof ServiceError) {
      process.stderr.write(`sesame: ${err.detail}\n`);
      process.exit(1);
    }
    if (err instanceof HelloassoNotConfiguredError) {
      process.stderr.write(`sesame: ${err.message}\n`);
      process.exit(2);
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`sesame: failed: ${message}\n`);
    process.exit(1);
  },
);
