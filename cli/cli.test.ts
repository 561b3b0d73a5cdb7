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
      'members',
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
    // Issue #12: the same file again updates by e-mail; here nothing differs, so nothing changes.
    const again = cli('import-members', file, '--commit');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'Nom;Email\nMartin;not-an-email\n');
    const refused = cli('import-members', bad, '--commit');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/line 2, Email: "not-an-email" is not an e-mail address/);

    // Issue #12: renew, suspend and reactivate through the same use cases, by e-mail.
    const renew = cli(
      'members',
      'renew',
      '--until',
      '31/08/2099',
      '--email',
      'camille@example.org,ghost@example.org',
    );
    expect(renew.code).toBe(1); // one unknown address
    expect(JSON.parse(renew.stdout)).toMatchObject({
      lastDay: '2099-08-31',
      renewed: [expect.objectContaining({ email: 'camille@example.org' })],
      unknown: ['ghost@example.org'],
    });
    const suspend = cli('members', 'suspend', 'camille@example.org', '--reason', 'cotisation impayée');
    expect(suspend.code).toBe(0);
    expect(JSON.parse(suspend.stdout)).toMatchObject({
      status: 'suspended',
      statusReason: 'cotisation impayée',
    });
    expect(cli('members', 'suspend', 'camille@example.org').code).toBe(2); // --reason is required
    const back = cli('members', 'reactivate', 'camille@example.org', '--reason', 'réglée');
    expect(JSON.parse(back.stdout)).toMatchObject({ status: 'active' });
    expect(cli('members', 'renew', '--until', '2001-01-01', '--email', 'camille@example.org').code).toBe(1);

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
