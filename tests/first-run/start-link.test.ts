/**
 * Issue #12 (item 2): the real `npm start` on an empty database without BOOTSTRAP_ADMIN_TOKEN
 * logs one setup link at the default log level, and that link opens the setup form.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnMain } from '../support/spawn-server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'sesame-first-run-'));
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start on an empty database (issue #12)', () => {
  it('logs one setup link that opens the setup form; the sign-in page points to it', async () => {
    child = spawnMain({ DATA_DIR: dataDir });
    let out = '';
    const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child!.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const found = out.split('\n').find((l) => l.includes('"msg":"first run:'));
        if (found) resolve(JSON.parse(found));
      });
      child!.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    });
    expect(line.level).toBe('warn');
    expect(String(line.msg)).toContain(String(line.setupUrl));
    const url = String(line.setupUrl).replace('//localhost:', '//127.0.0.1:');
    const form = await fetch(url);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Créer mon compte et continuer');
    const signIn = await (await fetch(new URL('/sign-in', url))).text();
    expect(signIn).toContain('pas encore configuré');
    expect(out.match(/"msg":"first run:/g)).toHaveLength(1);
  }, 240_000);
});
