/**
 * Issue #9 "Logs": one pino logger for the server, the broker and the board program; secrets,
 * tokens, passwords, authorization/cookie headers and badge UIDs passed in fields never reach
 * the output, and a field cannot change a line's level, msg or time.
 *
 * The board program is run for real (controller/main.ts --simulate, stdout piped so it writes
 * JSON lines): a badge typed on its keyboard never appears whole in its log.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, createPinoLogger } from '../../logging/logger.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'debug') {
  const lines: string[] = [];
  const log = createLogger(level, (line) => lines.push(line));
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const SECRETS = {
  secret: 'dev-secret-value-1',
  token: 'api-token-value-2',
  password: 'correct horse battery 3',
  passwordHash: '$argon2id$v=19$hash-value-4',
  clientSecret: 'helloasso-client-secret-5',
  accessToken: 'oauth-access-token-6',
  BOOTSTRAP_ADMIN_TOKEN: 'bootstrap-token-value-7',
};
const UID = '04A3B2C1';

describe('the shared logger redacts, once, for everyone', () => {
  it('never writes a secret, token, password or hash passed in fields, at any of three levels', () => {
    const { log, lines } = capture();
    log('info', 'top level', { ...SECRETS, machineId: 'laser-1' });
    log('warn', 'nested', { device: { ...SECRETS }, deep: { inner: { ...SECRETS } } });
    log('error', 'in a list', { items: [{ password: SECRETS.password }, { token: SECRETS.token }] });
    expect(lines).toHaveLength(3);
    const out = lines.join('\n');
    for (const value of Object.values(SECRETS)) expect(out).not.toContain(value);
    expect(out).toContain('[redacted]');
    // What is not a secret is kept.
    expect(JSON.parse(lines[0]!)).toMatchObject({ machineId: 'laser-1', password: '[redacted]' });
  });

  it("finds a secret at any depth and in any case, and leaves the caller's object alone", () => {
    const { log, lines } = capture();
    const fields = { a: { b: { c: { d: { PASSWORD: 'deep-password-13', Api_Key: 'k' } } } } };
    log('info', 'deep', fields);
    expect(lines[0]).not.toContain('deep-password-13');
    expect(fields.a.b.c.d.PASSWORD).toBe('deep-password-13');
  });

  it('protects the pino logger used directly (the board program) the same way', () => {
    const lines: string[] = [];
    const logger = createPinoLogger({ write: (l) => lines.push(l), bindings: { component: 'controller' } });
    logger.warn(
      { level: 'debug', msg: 'forged', component: 'api', secret: 'direct-secret-14', uid: UID },
      'real',
    );
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'warn', msg: 'real', component: 'controller', uid: '…B2C1' });
    expect(lines[0]!.match(/"component":/g)).toHaveLength(1);
    expect(lines[0]).not.toContain('direct-secret-14');
  });

  it('redacts authorization and cookie headers', () => {
    const { log, lines } = capture();
    log('info', 'request', {
      headers: { authorization: 'Bearer leaked-bearer-8', cookie: 'sesame_session=leaked-cookie-9' },
      req: { headers: { Authorization: 'Bearer leaked-bearer-10', 'set-cookie': 'sesame_session=x-11' } },
    });
    const out = lines.join('\n');
    for (const value of ['leaked-bearer-8', 'leaked-cookie-9', 'leaked-bearer-10', 'x-11']) {
      expect(out).not.toContain(value);
    }
  });

  it('keeps only the end of a badge UID, alone or in a list', () => {
    const { log, parsed, lines } = capture();
    log('info', 'badge', { uid: UID, uids: ['11223344', 'AABBCCDD'], member: { badgeUid: 'DEADBEEF' } });
    expect(lines.join('\n')).not.toMatch(/04A3B2C1|11223344|AABBCCDD|DEADBEEF/);
    expect(parsed()[0]).toMatchObject({
      uid: '…B2C1',
      uids: ['…3344', '…CCDD'],
      member: { badgeUid: '…BEEF' },
    });
  });

  it('a field named level, msg or time cannot change the line', () => {
    const { log, parsed, lines } = capture('info');
    log('error', 'the real message', { level: 'debug', msg: 'a forged message', time: '1970-01-01' });
    // The hand-made logger spread fields after level/msg: a debug line would hide this error.
    log('debug', 'below the level', { level: 'error' });
    expect(lines).toHaveLength(1);
    // No duplicate keys either (JSON.parse keeps the last one, so check the raw text).
    expect(lines[0]!.match(/"level":/g)).toHaveLength(1);
    expect(lines[0]!.match(/"msg":/g)).toHaveLength(1);
    expect(lines[0]!.match(/"time":/g)).toHaveLength(1);
    const line = parsed()[0]!;
    expect(line.level).toBe('error');
    expect(line.msg).toBe('the real message');
    expect(line.time).not.toBe('1970-01-01');
    expect(line).toMatchObject({
      field_level: 'debug',
      field_msg: 'a forged message',
      field_time: '1970-01-01',
    });
  });

  it('writes one JSON object per line with a level name and an ISO time', () => {
    const { log, parsed } = capture();
    log('info', 'http listening', { port: 8080 });
    const line = parsed()[0]!;
    expect(line).toMatchObject({ level: 'info', msg: 'http listening', port: 8080 });
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
  });
});

describe('the board program logs through the same logger', () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('masks a badge UID typed on its keyboard and never logs its secret', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-ctrl-log-'));
    dirs.push(dataDir);
    const secret = 'board-secret-value-12';
    // No broker on port 1: the board works offline and denies (no allow-list), which is the
    // line this test waits for.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'controller/main.ts',
        '--simulate',
        '--mqtt-url',
        'mqtt://127.0.0.1:1',
        '--device-id',
        'd-logtest',
        '--secret',
        secret,
        '--machine-id',
        'laser-1',
        '--data-dir',
        dataDir,
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    children.push(child);
    let out = '';
    const denied = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no denial within 30 s:\n${out}`)), 30_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('"msg":"Tapez un UID') && !child.stdin!.writableEnded)
          child.stdin!.write(`${UID}\n`);
        if (out.includes('"event":"denied"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    });
    await denied;
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.component === 'controller' && typeof l.level === 'string')).toBe(true);
    expect(lines.find((l) => l.event === 'request')).toMatchObject({ uid: '…B2C1' });
    expect(out).not.toContain(UID);
    expect(out).not.toContain(secret);
  });
});
