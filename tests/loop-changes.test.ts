/**
 * Issue #12: a change made by ANY process reaches the running server's machine loop. A use case
 * records its change in the `machine_loop_changes` outbox inside its transaction; the server
 * polls the outbox and republishes the allow-lists. Observed as a board would: the retained,
 * signed allow-list over a real MQTT client.
 * - any database: a top-up through a context whose own loop hears nothing (as in the CLI);
 * - PostgreSQL: a real `npm run cli -- topup` child process while the server runs (the
 *   embedded database is opened by one process at a time, so the CLI cannot share it).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topUp } from '../application/money-use-cases.ts';
import { loadSiteKeys } from '../application/site-keys.ts';
import { cliContext } from '../application/use-case.ts';
import { onPostgres } from './support/db.ts';
import { createMachine, createMember, type LabMember } from './support/lab.ts';
import { ROOT } from './support/spawn-server.ts';
import { connectDevice, startSystem, type TestSystem } from './support/system.ts';

interface AllowList {
  entries: { badge: string; creditCents: number | null }[];
}

/** Resolves with the first allow-list (retained or new) whose only entry holds `credit`. */
function listWithCredit(client: MqttClient, topic: string, credit: number, timeoutMs = 20_000) {
  return new Promise<AllowList>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no allow-list with ${credit} c within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic || payload.length === 0) return;
      const signed = JSON.parse(payload.toString()) as { body?: AllowList } & AllowList;
      const body = signed.body ?? signed;
      if (body.entries?.[0]?.creditCents !== credit) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(body);
    };
    client.on('message', onMessage);
  });
}

describe('machine-loop changes from other processes (issue #12)', () => {
  let sys: TestSystem;
  let member: LabMember;
  let board: MqttClient;
  const topic = 'fablab/v1/machines/laser-o/allowlist';

  beforeAll(async () => {
    sys = await startSystem();
    const device = await createMachine(sys, 'laser-o');
    member = await createMember(sys, { creditCents: 1000 });
    board = await connectDevice(sys.server.mqttUrl, device.deviceId, device.secret);
    const first = listWithCredit(board, topic, 1000);
    await board.subscribeAsync(topic, { qos: 1 });
    await first;
  }, 120_000);

  afterAll(async () => {
    await board?.endAsync();
    await sys?.stop();
  });

  it('republishes after a top-up whose own process has no machine loop', async () => {
    const next = listWithCredit(board, topic, 1500);
    // The CLI's context: its loop port does nothing; only the outbox row can tell the server.
    const ctx = cliContext({
      db: sys.database.db,
      keys: await loadSiteKeys(sys.database.db),
      now: new Date(),
      labTimeZone: 'Europe/Paris',
    });
    await topUp(ctx, {
      memberId: member.id,
      idempotencyKey: crypto.randomUUID(),
      amountCents: 500,
      method: 'cash',
    });
    expect((await next).entries).toHaveLength(1);
  }, 60_000);

  it.runIf(onPostgres)(
    'republishes after `npm run cli -- topup` run as its own process',
    async () => {
      const result = (await sys.database.db.execute('select current_database() as name')) as unknown as {
        rows: { name: string }[];
      };
      const row = result.rows[0];
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${row!.name}`;
      const next = listWithCredit(board, topic, 2250);
      const cli = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [
            '--import',
            'tsx',
            join(ROOT, 'cli/main.ts'),
            'topup',
            member.id,
            '--amount',
            '7,50',
            '--method',
            'cash',
          ],
          { cwd: ROOT, env: { ...process.env, DATABASE_URL: url.toString() }, timeout: 120_000 },
          (err, stdout, stderr) =>
            resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ kind: 'topup', amountCents: 750, createdBy: 'cli' });
      expect((await next).entries).toHaveLength(1);
      const audit = await sys.api('GET', `/audit?entityId=${member.id}`);
      expect(JSON.stringify(audit.body)).toContain('"actor":"cli"');
    },
    180_000,
  );
});
