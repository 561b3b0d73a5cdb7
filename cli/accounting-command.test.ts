import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sesame-cli-accounting-'));

function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: join(dir, 'data'),
    LAB_TIMEZONE: 'Europe/Paris',
  };
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

describe('npm run cli -- accounting (issue #11)', () => {
  it('refuses an account missing from the chart, saves a declared sub-account', () => {
    const refused = cli('accounting', '--set', '{"machineRevenue":{"laser":"7061"}}');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('"7061" is not in the plan comptable associatif 2025');
    const saved = cli(
      'accounting',
      '--set',
      '{"machineRevenue":{"laser":"7061"},"subAccounts":[{"number":"7061","label":"Découpe laser"}]}',
    );
    expect(saved.code, saved.stderr).toBe(0);
    expect(JSON.parse(saved.stdout)).toMatchObject({ machineRevenue: { laser: '7061' }, check: '5112' });
    const shown = JSON.parse(cli('accounting').stdout);
    expect(shown.labels['7061']).toBe('Découpe laser');
  }, 600_000);
});
