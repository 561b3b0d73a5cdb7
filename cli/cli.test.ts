import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../core/csv.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sesame-cli-'));
const dataDir = join(dir, 'data');

/** Runs the CLI as `npm run cli` does, on its own embedded database in a temp DATA_DIR. */
function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LAB_TIMEZONE: 'Europe/Paris' };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run cli', () => {
  it('prints help, and refuses unknown commands and bad options with exit code 2', () => {
    const help = cli('--help');
    expect(help.code).toBe(0);
    for (const c of [
      'import-members',
      'export',
      'close-month',
      'gdpr-erase',
      'provision-device',
      'create-staff',
      'helloasso-sync',
      'purge',
      'backup',
      'restore',
    ]) {
      expect(help.stdout).toContain(c);
    }
    expect(cli('frobnicate').code).toBe(2);
    const bad = cli('export', 'fec', '--from', '2026-01-01', '--nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--nope/);
  }, 600_000);

  it('imports members (preview, then commit), creates staff once-shown secrets, and exports', () => {
    const file = join(dir, 'adherents.csv');
    writeFileSync(file, '\uFEFFNom;Prénom;Email;Catégorie\nMartin;Camille;camille@example.org;Étudiante\n');
    const preview = cli('import-members', file);
    expect(preview.code).toBe(0);
    expect(JSON.parse(preview.stdout)).toMatchObject({ rows: 1, valid: 1 });
    expect(preview.stderr).toMatch(/nothing written/);
    const commit = cli('import-members', file, '--commit');
    expect(commit.code).toBe(0);
    expect(JSON.parse(commit.stdout).created).toBe(1);
    // Now a duplicate: refused with the line named, exit code 1.
    const again = cli('import-members', file, '--commit');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/line 2, Email: camille@example.org is already a member/);

    const staff = cli(
      'create-staff',
      '--name',
      'Alex',
      '--email',
      'alex@example.org',
      '--roles',
      'treasurer',
    );
    expect(staff.code).toBe(0);
    expect(JSON.parse(staff.stdout).token).toMatch(/^tok_/);
    expect(cli('create-staff', '--name', 'A', '--email', 'x', '--roles', 'boss').code).toBe(2);
    expect(cli('provision-device', 'no-such-machine').code).toBe(1);

    const out = join(dir, 'sessions.csv');
    const exported = cli('export', 'sessions', '--from', '2026-01-01', '--to', '2026-02-01', '--out', out);
    expect(exported.code).toBe(0);
    expect(parseCsv(readFileSync(out, 'utf8'))[0]!.fields[0]).toBe('Session');
    expect(cli('close-month', '2026-13').code).toBe(1);
  }, 1_200_000);
});
