/**
 * Issue #9 item 13: nothing shipped holds a usable credential, and the image runs unprivileged.
 *
 * There is no Docker engine where these tests run, so the files are read, not run: the compose
 * file's variable references are resolved the way Compose documents it (`${VAR:?err}` stops with
 * the error when VAR is unset or empty, `${VAR:-default}` / `${VAR-default}` fall back), and
 * the Dockerfile's instructions are checked in order.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const compose = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

const SECRET_NAME = /TOKEN|PASSWORD|SECRET|KEY/i;

/** Compose's interpolation (compose-spec "Interpolation"), enough for these files. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[?-])([^}]*))?\}/g, (_m, name, op, arg) => {
    const value = env[name];
    const unset = value === undefined || (op?.startsWith(':') && value === '');
    if (op === ':?' || op === '?') {
      if (unset) throw new Error(`required variable ${name} is missing a value: ${arg}`);
      return value!;
    }
    if (op === ':-' || op === '-') return unset ? arg : value!;
    return value ?? '';
  });
}

/** `KEY: value` lines of the environment blocks, comments aside. */
function environmentLines(text: string): { key: string; value: string }[] {
  return text
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .map((l) => /^\s+([A-Z_][A-Z0-9_]*):\s*(.+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ key: m[1]!, value: m[2]!.replace(/^"(.*)"$/, '$1') }));
}

describe('docker-compose.yml ships no usable credential', () => {
  it('refuses to start without BOOTSTRAP_ADMIN_TOKEN and POSTGRES_PASSWORD', () => {
    expect(() => interpolate(compose, {})).toThrow(/POSTGRES_PASSWORD|BOOTSTRAP_ADMIN_TOKEN/);
    expect(() => interpolate(compose, { POSTGRES_PASSWORD: 'a1b2c3d4e5f6' })).toThrow(
      /BOOTSTRAP_ADMIN_TOKEN/,
    );
    expect(() => interpolate(compose, { BOOTSTRAP_ADMIN_TOKEN: 'long-enough-token' })).toThrow(
      /POSTGRES_PASSWORD/,
    );
    // Empty counts as unset (`:?`), so `BOOTSTRAP_ADMIN_TOKEN=` does not slip through.
    expect(() => interpolate(compose, { BOOTSTRAP_ADMIN_TOKEN: '', POSTGRES_PASSWORD: 'x' })).toThrow(
      /BOOTSTRAP_ADMIN_TOKEN/,
    );
    const resolved = interpolate(compose, {
      BOOTSTRAP_ADMIN_TOKEN: 'operator-chosen-token',
      POSTGRES_PASSWORD: 'operatorchosenpassword',
    });
    expect(resolved).toContain('BOOTSTRAP_ADMIN_TOKEN: "operator-chosen-token"');
    expect(resolved).toContain('postgres://sesame:operatorchosenpassword@db:5432/sesame');
  });

  it('has no literal or default value for any secret', () => {
    const secrets = environmentLines(compose).filter((l) => SECRET_NAME.test(l.key));
    expect(secrets.map((s) => s.key).sort()).toEqual(['BOOTSTRAP_ADMIN_TOKEN', 'POSTGRES_PASSWORD']);
    for (const { key, value } of secrets) expect(value, key).toMatch(/^\$\{[A-Z_]+:\?[^}]*\}$/);
    // No fallback (`:-` / `-`) on any secret-looking variable anywhere in the file.
    for (const m of compose.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)/g)) {
      expect(SECRET_NAME.test(m[1]!), m[0]).toBe(false);
    }
    // The database URL carries the required password, not a literal one.
    const url = environmentLines(compose).find((l) => l.key === 'DATABASE_URL')!.value;
    expect(url).toMatch(/^postgres:\/\/[^:]+:\$\{POSTGRES_PASSWORD:\?[^}]*\}@/);
    expect(compose).not.toContain('change-me');
  });
});

describe('Dockerfile runs unprivileged', () => {
  const instructions = dockerfile
    .replace(/\\\n\s*/g, ' ') // continuation lines
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#') && !/^\s/.test(l))
    .map((l) => ({ op: l.split(/\s+/)[0]!.toUpperCase(), args: l.slice(l.indexOf(' ') + 1).trim() }));

  it('switches to a non-root user before the command, after the last RUN', () => {
    const users = instructions.map((i, n) => ({ ...i, n })).filter((i) => i.op === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1]!;
    expect(last.args).not.toMatch(/^(root|0)(:|$)/);
    const lastRun = instructions.map((i) => i.op).lastIndexOf('RUN');
    const cmd = instructions.findIndex((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT');
    expect(last.n).toBeGreaterThan(lastRun);
    expect(last.n).toBeLessThan(cmd);
  });

  it('gives that user its data folder and points DATA_DIR at it', () => {
    const user = instructions
      .filter((i) => i.op === 'USER')
      .at(-1)!
      .args.split(':')[0]!;
    const env = instructions
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    const dataDir = /DATA_DIR=(\S+)/.exec(env)?.[1];
    expect(dataDir).toBeDefined();
    const runs = instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runs.some((r) => r.includes(`chown ${user}`) && r.includes(dataDir!))).toBe(true);
  });
});
