/**
 * Security check of 1 Dec 2026 (issue #12): `npm run demo`'s admin token is new at every run
 * (or BOOTSTRAP_ADMIN_TOKEN), it listens on 127.0.0.1 unless HOST says otherwise, and run with
 * no stdin (in the background) it keeps running until SIGTERM instead of quitting after its
 * prompt. The real process: node + tsx server/demo.ts, stdin closed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { demoSettings } from '../../server/demo-settings.ts';

describe('demoSettings', () => {
  it('draws a new token each run, binds to loopback, and follows the environment when set', () => {
    const a = demoSettings({});
    const b = demoSettings({});
    expect(a.adminToken).toMatch(/^demo-[0-9a-f]{32}$/);
    expect(a.adminToken).not.toBe(b.adminToken);
    expect(a.adminToken).not.toBe('demo-admin-token-change-me');
    expect(a).toMatchObject({ host: '127.0.0.1', mqttHost: '127.0.0.1' });
    expect(
      demoSettings({ BOOTSTRAP_ADMIN_TOKEN: 'my-own-token-123', HOST: '0.0.0.0', MQTT_HOST: '::' }),
    ).toEqual({ adminToken: 'my-own-token-123', host: '0.0.0.0', mqttHost: '::' });
    expect(demoSettings({ BOOTSTRAP_ADMIN_TOKEN: ' ', HOST: '' }).host).toBe('127.0.0.1');
  });
});

let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

describe('npm run demo in the background (no stdin)', () => {
  it('prints a fresh token, listens on 127.0.0.1, keeps running after stdin ends, stops on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', MQTT_PORT: '0' };
    delete env.HOST;
    delete env.MQTT_HOST;
    delete env.BOOTSTRAP_ADMIN_TOKEN;
    delete env.DATABASE_URL;
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/demo.ts'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    // Barrier: the demo says that its input closed and that it goes on (no sleep involved).
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('stdin closed: the demo runs until SIGINT/SIGTERM')) resolve();
      });
      proc.stderr!.on('data', (d: Buffer) => {
        out += d.toString();
      });
      void exited.then((code) => reject(new Error(`demo exited (${code}):\n${out}`)));
    });
    const token = /admin token\s*:\s*(\S+)/.exec(out)?.[1];
    expect(token).toMatch(/^demo-[0-9a-f]{32}$/);
    expect(out).not.toContain('demo-admin-token-change-me');
    expect(out).toMatch(/listening on\s*: 127\.0\.0\.1 \(HTTP\), 127\.0\.0\.1 \(MQTT\)/);
    const port = /http:\/\/localhost:(\d+)\//.exec(out)?.[1];
    // Still serving after stdin ended: the printed token works on the loopback address.
    const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
    expect(proc.exitCode).toBeNull();
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
