/**
 * Issue #10, backups: a backup downloaded from a running server while boards are mid-session
 * and publishing runtime events restores into a new DATA_DIR that a server starts on, with the
 * same balances, sessions and ledger. The embedded database only: on PostgreSQL (DATABASE_URL)
 * pg_dump is the tool, and the route says so (last test).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { openArchive } from '../application/backup.ts';
import { restoreArchive } from '../application/backup-restore.ts';
import { type Database, type Db, openDatabase } from '../db/client.ts';
import { onPostgres } from './support/db.ts';
import { createMachine, createMember, type LabMember } from './support/lab.ts';
import { ADMIN_TOKEN, connectDevice, eventually, startSystem, type TestSystem } from './support/system.ts';

const dir = mkdtempSync(join(tmpdir(), 'sesame-backup-live-'));
const systems: TestSystem[] = [];
const clients: MqttClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.endAsync().catch(() => {});
  for (const s of systems.reverse()) await s.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

async function fileDatabase(dataDir: string): Promise<Database & { drop(): Promise<void> }> {
  const database = await openDatabase({ dataDir });
  return { ...database, drop: () => database.close() };
}

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** The ledger, the sessions and the balances, in a stable order: equal dumps, equal books. */
async function canonical(db: Db) {
  return {
    members: await rows(db, sql`select id, name, balance_cents from members order by id`),
    sessions: await rows(
      db,
      sql`select id, machine_id, member_id, started_at, ended_at, running_seconds, due_cents,
                 charged_cents, end_reason from machine_sessions order by id`,
    ),
    transactions: await rows(
      db,
      sql`select id, kind, member_id, session_id, method, reference, created_at
          from ledger_transactions order by id`,
    ),
    entries: await rows(
      db,
      sql`select id, transaction_id, account, amount_cents, member_id, machine_id
          from ledger_entries order by id`,
    ),
    events: await rows(db, sql`select id, kind, session_id, running_seconds from machine_events order by id`),
  };
}

/** What a consistent copy must satisfy whenever it was taken. */
async function expectConsistentBooks(db: Db) {
  const unbalanced = await rows(
    db,
    sql`select transaction_id from ledger_entries group by transaction_id having sum(amount_cents) <> 0`,
  );
  expect(unbalanced).toEqual([]);
  const wrongBalances = await rows(
    db,
    sql`select m.id from members m left join ledger_entries e
          on e.account = 'member_cards' and e.member_id = m.id
        group by m.id, m.balance_cents having m.balance_cents <> -coalesce(sum(e.amount_cents), 0)`,
  );
  expect(wrongBalances).toEqual([]);
  const wrongCharges = await rows(
    db,
    sql`select s.id from machine_sessions s
        left join ledger_transactions t on t.session_id = s.id and t.kind = 'usage'
        left join ledger_entries e on e.transaction_id = t.id and e.account = 'member_cards'
        group by s.id, s.charged_cents having s.charged_cents <> coalesce(sum(e.amount_cents), 0)`,
  );
  expect(wrongCharges).toEqual([]);
}

async function download(sys: TestSystem): Promise<Uint8Array> {
  const res = await fetch(`${sys.baseUrl}/api/v1/backup`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-disposition')).toMatch(/sesame-[0-9a-f]{16}-\d{8}T\d{6}Z\.sesame-backup/);
  return new Uint8Array(await res.arrayBuffer());
}

describe.skipIf(onPostgres)(
  'a backup taken during live sessions (embedded database only: on PostgreSQL, pg_dump)',
  () => {
    it('restores into a new DATA_DIR with the same balances, sessions and ledger', async () => {
      const source = await fileDatabase(join(dir, 'source'));
      const sys = await startSystem({ database: source });
      systems.push(sys);
      const T = (m: string, k: string) => `fablab/v1/machines/${m}/${k}`;
      const boards: {
        machine: string;
        dev: MqttClient;
        member: LabMember;
        sessionId: string;
        running: number;
      }[] = [];
      for (const machine of ['laser-1', 'cnc-1', 'printer-1']) {
        const device = await createMachine(sys, machine, {
          pricePerMinuteCents: 60,
          minimumChargeCents: 100,
        });
        const member = await createMember(sys, { creditCents: 50_000 });
        const dev = await connectDevice(sys.server.mqttUrl, device.deviceId, device.secret);
        clients.push(dev);
        await dev.subscribeAsync(T(machine, 'decision'), { qos: 1 });
        const requestId = crypto.randomUUID();
        const decided = new Promise<{ granted: boolean; sessionId: string }>((resolve) =>
          dev.on('message', (_t, p) => {
            const d = JSON.parse(p.toString());
            if (d.requestId === requestId) resolve(d);
          }),
        );
        await dev.publishAsync(
          T(machine, 'badge'),
          JSON.stringify({ requestId, badge: member.uid, at: new Date().toISOString() }),
          { qos: 1 },
        );
        const d = await decided;
        expect(d.granted).toBe(true);
        boards.push({ machine, dev, member, sessionId: d.sessionId, running: 0 });
      }

      // Every board publishes a runtime event every 40 ms (a busy lab, far above a real board's rate).
      let pumping = true;
      const runtime = (b: (typeof boards)[number]) => {
        b.running += 7;
        return b.dev.publishAsync(
          T(b.machine, 'runtime'),
          JSON.stringify({
            eventId: crypto.randomUUID(),
            sessionId: b.sessionId,
            seq: b.running,
            runningSeconds: b.running,
            at: new Date().toISOString(),
          }),
          { qos: 1 },
        );
      };
      const pumps = boards.map(async (b) => {
        while (pumping) {
          await runtime(b);
          await new Promise((r) => setTimeout(r, 40));
        }
      });
      // Mid-session, with events landing: at least one debit made before the download starts.
      for (const b of boards) {
        await eventually(
          async () => (await sys.api('GET', `/members/${b.member.id}`)).body.balanceCents < 50_000,
          30_000,
        );
      }
      const live = await download(sys);
      const progressDuring = boards.map((b) => b.running);
      // The events kept flowing during and after the download.
      await eventually(async () => boards.every((b, i) => b.running > progressDuring[i]! + 14), 30_000);
      pumping = false;
      await Promise.all(pumps);

      // 1. The live copy is a consistent committed state, and a prefix of the append-only ledger.
      const { manifest } = openArchive(live);
      const restored1 = join(dir, 'restored-live');
      await restoreArchive({ archive: live, dataDir: restored1 });
      const copy = await fileDatabase(restored1);
      const copied = await canonical(copy.db);
      await expectConsistentBooks(copy.db);
      await copy.close();
      // Every event published is applied before the live books are read.
      for (const b of boards) {
        await eventually(
          async () => (await sys.api('GET', `/sessions/${b.sessionId}`)).body.runningSeconds === b.running,
          30_000,
        );
      }
      const now = await canonical(sys.database.db);
      expect(copied.entries.length).toBeGreaterThan(0);
      expect(now.entries.slice(0, copied.entries.length)).toEqual(copied.entries);
      expect(now.transactions.slice(0, copied.transactions.length)).toEqual(copied.transactions);
      expect(copied.sessions).toHaveLength(3);
      const copiedSessions = copied.sessions as { ended_at: unknown; running_seconds: number }[];
      expect(copiedSessions.every((s) => s.ended_at === null && s.running_seconds > 0)).toBe(true);
      expect(manifest.site).toMatch(/^[0-9a-f]{16}$/);

      // 2. Quiet now: a backup equals the live books exactly, and a server starts on its restore.
      const before = await canonical(sys.database.db);
      const quiet = await download(sys);
      const after = await canonical(sys.database.db);
      expect(after).toEqual(before);
      const restored2 = join(dir, 'restored-quiet');
      await restoreArchive({ archive: quiet, dataDir: restored2 });
      const second = await startSystem({ database: await fileDatabase(restored2) });
      systems.push(second);
      expect(await canonical(second.database.db)).toEqual(before);
      for (const b of boards) {
        const [a, z] = await Promise.all([
          sys.api('GET', `/members/${b.member.id}`),
          second.api('GET', `/members/${b.member.id}`),
        ]);
        expect(z.body.balanceCents).toBe(a.body.balanceCents);
        expect(z.body.balanceCents).toBeLessThan(50_000);
        const [s1, s2] = await Promise.all([
          sys.api('GET', `/sessions/${b.sessionId}`),
          second.api('GET', `/sessions/${b.sessionId}`),
        ]);
        expect(s2.body).toEqual(s1.body);
      }
      // The audit log names who downloaded the backups.
      const audits = await sys.api('GET', '/audit?entity=backup');
      expect(audits.status).toBe(200);
      expect(audits.body.items.length).toBeGreaterThanOrEqual(2);
    }, 240_000);
  },
);

describe.runIf(onPostgres)('backups on PostgreSQL', () => {
  it('the route answers 409 naming pg_dump', async () => {
    const sys = await startSystem();
    systems.push(sys);
    const res = await sys.api('GET', '/backup');
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/pg_dump/);
  }, 120_000);
});
