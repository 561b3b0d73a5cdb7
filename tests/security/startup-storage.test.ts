/**
 * Issue #9 item 12: every storage failure at start is ONE line that names DATA_DIR (or
 * DATABASE_URL) and what to do, with a non-zero exit; a damaged catalog is found by the
 * structural check at start instead of the server reporting healthy.
 *
 * Runs the real entry point (server/main.ts) in a child process on a temporary DATA_DIR damaged in
 * each way. The database damaged here is a real one: created and migrated by openDatabase, then
 * closed, then copied per case.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, cpSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.ts';
import { spawnMain } from '../support/spawn-server.ts';

const children: ChildProcess[] = [];
const temps: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

interface Outcome {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Runs `npm start`; a server that reaches "http listening" is a failure of the test. */
function start(env: Record<string, string>): Promise<Outcome> {
  const child = spawnMain(env);
  children.push(child);
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes('"http listening"')) {
        reject(new Error(`the server started on damaged storage:\n${stdout}`));
      }
    });
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => resolve({ code, stderr, stdout }));
  });
}

/** One line on stderr, naming the variable; nothing on stdout; a non-zero exit. */
function expectOneLine(r: Outcome, variable: string): string {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeNull();
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stdout.trim()).toBe('');
  const line = lines[0]!;
  expect(line).toMatch(/^sesame: could not start: /);
  expect(line).toContain(`${variable}=`);
  return line;
}

describe('npm start on broken embedded storage', () => {
  let base = '';
  let dbDir = '';
  let membersFile = '';

  beforeAll(async () => {
    base = path.join(temp('sesame-base-'), 'data');
    const database = await openDatabase({ dataDir: base });
    // the folder of this database's files under base/
    const { rows } = (await database.db.execute(
      sql`select oid::int as oid from pg_database where datname = current_database()`,
    )) as unknown as { rows: { oid: number }[] };
    dbDir = `base/${rows[0]!.oid}`;
    // A member, so that the members table has a page to damage.
    await database.db.execute(
      sql`insert into members (id, name, email) values ('mem-garbled', 'Zoé Garbled', 'zoe@example.org')`,
    );
    const file = (await database.db.execute(
      sql`select pg_relation_filepath('members') as path`,
    )) as unknown as {
      rows: { path: string }[];
    };
    membersFile = file.rows[0]!.path;
    await database.close();
  }, 120_000);

  function copyOfBase(): string {
    const dir = path.join(temp('sesame-damaged-'), 'data');
    cpSync(base, dir, { recursive: true });
    return dir;
  }

  it('DATA_DIR pointing at a file: one line naming DATA_DIR (was EEXIST)', async () => {
    const file = path.join(temp('sesame-file-'), 'not-a-folder');
    writeFileSync(file, 'hello');
    const line = expectOneLine(await start({ DATA_DIR: file }), 'DATA_DIR');
    expect(line).toContain(file);
    expect(line).toContain('is a file, not a folder');
  }, 120_000);

  it('DATA_DIR under a file: one line naming DATA_DIR', async () => {
    const file = path.join(temp('sesame-file-'), 'plain');
    writeFileSync(file, 'hello');
    const line = expectOneLine(await start({ DATA_DIR: path.join(file, 'data') }), 'DATA_DIR');
    expect(line).toContain('is a file');
  }, 120_000);

  it('DATA_DIR holding something else: refused rather than a database made among its files', async () => {
    const dir = temp('sesame-other-');
    writeFileSync(path.join(dir, 'holiday.jpg'), 'not a database');
    const line = expectOneLine(await start({ DATA_DIR: dir }), 'DATA_DIR');
    expect(line).toContain('not empty and holds no database');
  }, 120_000);

  it('a zeroed global/pg_control: one line naming the file and the way out (was "PGlite failed to initialize properly")', async () => {
    const dir = copyOfBase();
    const control = path.join(dir, 'global', 'pg_control');
    writeFileSync(control, Buffer.alloc(8192));
    const line = expectOneLine(await start({ DATA_DIR: dir }), 'DATA_DIR');
    expect(line).toContain(`${control} is zeroed`);
    expect(line).toContain('restore DATA_DIR from a backup');
  }, 120_000);

  it('a garbled catalog file: caught by the structural check before the server says ready', async () => {
    const dir = copyOfBase();
    // pg_description (relfilenode 2609): not read at open, so the server used to start healthy.
    const file = path.join(dir, dbDir, '2609');
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(300, 0xa5), 0, 300, 8192 + 808); // inside block 1
    closeSync(fd);
    const line = expectOneLine(await start({ DATA_DIR: dir }), 'DATA_DIR');
    expect(line).toContain('is damaged');
    expect(line).toContain(file);
    expect(line).toContain('restore DATA_DIR from a backup');
  }, 120_000);

  it("a garbled page of the members' table: caught at start too, not by the first request", async () => {
    const dir = copyOfBase();
    const file = path.join(dir, membersFile);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(200, 0x5a), 0, 200, 1000); // inside block 0
    closeSync(fd);
    const line = expectOneLine(await start({ DATA_DIR: dir }), 'DATA_DIR');
    expect(line).toContain('is damaged');
    expect(line).toContain(file);
  }, 120_000);
});

describe('npm start on an unreachable PostgreSQL', () => {
  it('connection refused: one line naming DATABASE_URL, without its password', async () => {
    const r = await start({ DATABASE_URL: 'postgres://sesame:hunter2-secret@127.0.0.1:1/sesame' });
    const line = expectOneLine(r, 'DATABASE_URL');
    expect(line).toContain('127.0.0.1:1');
    expect(line).toContain('start PostgreSQL or fix the host/port');
    expect(line).not.toContain('hunter2-secret');
  }, 120_000);

  it.runIf(Boolean(process.env.DATABASE_URL))(
    'a database that does not exist: one line naming DATABASE_URL and what to do',
    async () => {
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = '/sesame_no_such_database_9';
      const line = expectOneLine(await start({ DATABASE_URL: url.toString() }), 'DATABASE_URL');
      expect(line).toContain('does not exist');
    },
    120_000,
  );

  it.runIf(Boolean(process.env.DATABASE_URL))(
    'a user the server refuses: one line naming DATABASE_URL, without the password',
    async () => {
      const url = new URL(process.env.DATABASE_URL!);
      url.username = 'sesame_no_such_role';
      url.password = 'hunter3-secret';
      const line = expectOneLine(await start({ DATABASE_URL: url.toString() }), 'DATABASE_URL');
      expect(line).toMatch(/refuses this user|user name or password is wrong/);
      expect(line).not.toContain('hunter3-secret');
    },
    120_000,
  );
});
