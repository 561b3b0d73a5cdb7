/**
 * `npm run chaos -- --processes` (issue #10): the real server (`server/main.ts`, embedded broker
 * and database) and simulated boards speaking MQTT as the contract says — each event kept
 * until the server's `ack`, replayed after reconnects — while the server is `kill -9`ed at
 * random moments and restarted on the same data. Then the invariants, from the API and from
 * the ledger itself: every session billed for the greatest runningSeconds its board sent,
 * each session's debits = its charge, cached balances = Σ entries, every transaction
 * balanced, nothing left open.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import mqtt, { type MqttClient } from 'mqtt';
import { openDatabase } from '../../db/client.ts';
import { rng } from './sim.ts';

const MAIN = fileURLToPath(new URL('../../server/main.ts', import.meta.url));
const TOKEN = `chaos-${crypto.randomUUID()}`;
const PRICE = 50;
const MINIMUM = 100;
const CREDIT = 1_000_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Options {
  sessions: number;
  boards: number;
}

export async function runProcessChaos(opts: Options): Promise<boolean> {
  const started = performance.now();
  const r = rng(Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000));
  const dataDir = mkdtempSync(join(tmpdir(), 'sesame-chaos-'));
  const [port, mqttPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}/api/v1`;
  let server: ChildProcess | null = null;
  let kills = 0;

  const start = async () => {
    server = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        MQTT_PORT: String(mqttPort),
        MQTT_HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        BOOTSTRAP_ADMIN_TOKEN: TOKEN,
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; i < 600; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (res) => res.ok,
        () => false,
      );
      if (ok) return;
      await sleep(100);
    }
    throw new Error('the server did not become healthy within 60 s');
  };
  const stopGently = async () => {
    const s = server as ChildProcess | null;
    if (s === null) return;
    const exited = new Promise((res) => s.once('exit', res));
    s.kill('SIGTERM');
    await exited;
    server = null;
  };
  const kill = async () => {
    const s = server as ChildProcess | null;
    if (s === null) return;
    const exited = new Promise((res) => s.once('exit', res));
    s.kill('SIGKILL');
    await exited;
    server = null;
    kills++;
  };
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  try {
    await start();
    console.log(`chaos --processes: server up (HTTP ${port}, MQTT ${mqttPort}, ${dataDir})`);
    // The lab: one machine and one board per machine, members with plenty of credit.
    const creds: { machineId: string; deviceId: string; secret: string }[] = [];
    for (let i = 0; i < opts.boards; i++) {
      const machineId = `chaos-${i}`;
      await api('POST', '/machines', {
        id: machineId,
        name: `Machine ${i}`,
        kind: 'other',
        pricePerMinuteCents: PRICE,
        minimumChargeCents: MINIMUM,
        qualifications: [],
        heartbeatSeconds: 5,
      });
      const d = await api('POST', `/machines/${machineId}/devices`, {});
      creds.push({ machineId, ...d });
    }
    const uids: string[] = [];
    for (let i = 0; i < opts.boards; i++) {
      const m = await api('POST', '/members', {
        name: `Membre ${i}`,
        email: `chaos-${i}-${crypto.randomUUID()}@example.org`,
      });
      const uid = (0x04a00000 + i).toString(16).toUpperCase().padStart(8, '0');
      await api('POST', `/members/${m.id}/badges`, { uid });
      await api(
        'POST',
        `/members/${m.id}/topups`,
        { amountCents: CREDIT, method: 'cash', reference: 'chaos' },
        { 'idempotency-key': crypto.randomUUID() },
      );
      uids.push(uid);
    }

    let granted = 0;
    const emitted = new Map<string, number>();
    const boards = creds.map((c, i) => new SimBoard(c, mqttPort, uids[i] as string, emitted));
    let stopKilling = false;
    const killer = (async () => {
      while (!stopKilling) {
        await sleep(r.int(1500, 5000));
        if (stopKilling) break;
        await kill();
        await sleep(r.int(100, 1500));
        await start();
      }
    })();
    const progress = setInterval(
      () =>
        console.log(
          `  ${granted}/${opts.sessions} sessions, ${kills} kills, ${((performance.now() - started) / 1000).toFixed(0)} s`,
        ),
      10_000,
    );
    await Promise.all(
      boards.map(async (b) => {
        while (granted < opts.sessions) {
          if (await b.runSession(r.int(3, 15))) granted++;
        }
      }),
    );
    stopKilling = true;
    await killer;
    // Every board ends, then replays until the server acknowledged everything.
    for (let i = 0; boards.some((b) => b.pending > 0); i++) {
      if (i > 1200)
        throw new Error(`outboxes not drained: ${boards.reduce((n, b) => n + b.pending, 0)} events`);
      await sleep(100);
    }
    clearInterval(progress);
    // Sessions the server alone knew about (a decision lost in a kill) close by timeout.
    let open = 0;
    for (let i = 0; i < 120; i++) {
      open = (await api('GET', '/sessions?open=true&limit=1')).total as number;
      if (open === 0) break;
      await sleep(500);
    }
    for (const b of boards) await b.close();
    const failures = await verify(api, emitted, open);
    // Then the ledger itself, on the server's own data folder once it has stopped.
    await stopGently();
    failures.push(...(await ledgerInvariants(dataDir)));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `chaos --processes: ${granted} sessions on ${opts.boards} boards, ${kills} kill -9 of the server, ${seconds} s: ${failures.length === 0 ? 'every invariant holds' : `${failures.length} broken`}`,
    );
    for (const f of failures.slice(0, 20)) console.log(`  ${f}`);
    return failures.length === 0;
  } finally {
    const s = server as ChildProcess | null;
    s?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function verify(
  api: (m: string, p: string) => Promise<any>,
  emitted: Map<string, number>,
  open: number,
): Promise<string[]> {
  const failures: string[] = [];
  if (open > 0) failures.push(`${open} sessions still open`);
  const items: { id: string; runningSeconds: number; chargedCents: number; memberId: string }[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await api('GET', `/sessions?limit=500&offset=${offset}`);
    items.push(...page.items);
    if (page.items.length < 500) break;
  }
  const charged = new Map<string, number>();
  for (const s of items) {
    const want = emitted.get(s.id);
    if (want !== undefined && s.runningSeconds !== want)
      failures.push(`session ${s.id}: billed ${s.runningSeconds} s, the board sent ${want} s`);
    const due = Math.max(MINIMUM, Math.ceil(s.runningSeconds / 60) * PRICE);
    if (s.chargedCents !== due) failures.push(`session ${s.id}: charged ${s.chargedCents}, due ${due}`);
    charged.set(s.memberId, (charged.get(s.memberId) ?? 0) + s.chargedCents);
  }
  for (const sessionId of emitted.keys())
    if (!items.some((s) => s.id === sessionId)) failures.push(`session ${sessionId} granted but unknown`);
  for (const [memberId, total] of charged) {
    const m = await api('GET', `/members/${memberId}`);
    if (m.balanceCents !== CREDIT - total)
      failures.push(`member ${memberId}: balance ${m.balanceCents}, expected ${CREDIT - total}`);
  }
  return failures;
}

/** The ledger's own invariants, read from the data folder the server wrote. */
async function ledgerInvariants(dataDir: string): Promise<string[]> {
  const database = await openDatabase({ dataDir });
  const q = async (text: string) => rowsOf(await database.db.execute(sql.raw(text)));
  try {
    const failures: string[] = [];
    for (const row of await q(
      `select transaction_id, sum(amount_cents) as total from ledger_entries group by transaction_id having sum(amount_cents) <> 0`,
    ))
      failures.push(`transaction ${row.transaction_id} does not balance (${row.total})`);
    for (const row of await q(
      `select m.id, m.balance_cents, -coalesce((select sum(e.amount_cents) from ledger_entries e
         where e.account = 'member_cards' and e.member_id = m.id), 0) as derived
       from members m where m.balance_cents <> -coalesce((select sum(e.amount_cents) from ledger_entries e
         where e.account = 'member_cards' and e.member_id = m.id), 0)`,
    ))
      failures.push(`member ${row.id}: cached ${row.balance_cents} ≠ Σ entries ${row.derived}`);
    for (const row of await q(
      `select s.id, s.charged_cents, -coalesce((select sum(e.amount_cents) from ledger_transactions t
         join ledger_entries e on e.transaction_id = t.id
         where t.session_id = s.id and e.account = 'machine_revenue'), 0) as debited
       from machine_sessions s`,
    ))
      if (Number(row.debited) !== Number(row.charged_cents))
        failures.push(`session ${row.id}: debited ${row.debited} ≠ chargedCents ${row.charged_cents}`);
    return failures;
  } finally {
    await database.close();
  }
}

type Row = Record<string, unknown>;
const rowsOf = (res: unknown): Row[] => ((res as { rows?: Row[] }).rows ?? (res as Row[])) as Row[];

type Outgoing = { topic: string; payload: string };

/** A board as docs/mqtt.md describes it: outbox until `ack`, replays after reconnects. */
class SimBoard {
  private readonly client: MqttClient;
  private readonly outbox = new Map<string, Outgoing>();
  private readonly decisions = new Map<string, (d: any) => void>();
  private session: { id: string; running: number; seq: number } | null = null;
  private locked = false;
  private readonly topic: (k: string) => string;

  constructor(
    c: { machineId: string; deviceId: string; secret: string },
    mqttPort: number,
    private readonly uid: string,
    private readonly emitted: Map<string, number>,
  ) {
    this.topic = (k) => `fablab/v1/machines/${c.machineId}/${k}`;
    this.client = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: c.deviceId,
      username: c.deviceId,
      password: c.secret,
      protocolVersion: 4,
      reconnectPeriod: 300,
      connectTimeout: 5000,
    });
    this.client.on('connect', () => {
      this.client.subscribe([this.topic('decision'), this.topic('command'), this.topic('ack')], { qos: 1 });
      this.replay();
    });
    this.client.on('error', () => {});
    this.client.on('message', (topic, payload) => {
      let msg: any;
      try {
        msg = JSON.parse(payload.toString());
      } catch {
        return;
      }
      if (topic.endsWith('/ack') && typeof msg.eventId === 'string') this.outbox.delete(msg.eventId);
      else if (topic.endsWith('/decision')) this.decisions.get(msg.requestId)?.(msg);
      else if (topic.endsWith('/command') && msg.sessionId === this.session?.id) this.locked = true;
    });
    setInterval(() => this.replay(), 2000).unref();
  }

  get pending(): number {
    return this.outbox.size;
  }

  private send(topic: string, body: Record<string, unknown>, eventId: string): void {
    const payload = JSON.stringify(body);
    this.outbox.set(eventId, { topic, payload });
    if (this.client.connected) this.client.publish(topic, payload, { qos: 1 });
  }

  private replay(): void {
    if (!this.client.connected) return;
    for (const { topic, payload } of this.outbox.values()) this.client.publish(topic, payload, { qos: 1 });
  }

  /** Badges in, runs for `ticks` heartbeats of 6 s each, badges out. false: not granted. */
  async runSession(ticks: number): Promise<boolean> {
    const requestId = crypto.randomUUID();
    const decision = await new Promise<any>((resolve) => {
      const timer = setTimeout(() => resolve(null), 3000);
      this.decisions.set(requestId, (d) => {
        clearTimeout(timer);
        resolve(d);
      });
      if (this.client.connected)
        this.client.publish(
          this.topic('badge'),
          JSON.stringify({ requestId, badge: this.uid, at: new Date().toISOString() }),
          { qos: 1 },
        );
    });
    this.decisions.delete(requestId);
    if (!decision?.granted) {
      await sleep(300);
      return false;
    }
    this.session = { id: decision.sessionId, running: 0, seq: 0 };
    this.locked = false;
    this.emitted.set(decision.sessionId, 0);
    let reason = 'badge_out';
    for (let i = 0; i < ticks; i++) {
      await sleep(150);
      if (this.locked) {
        reason = 'command';
        break;
      }
      const s = this.session;
      s.running += 6;
      s.seq++;
      this.emitted.set(s.id, s.running);
      const eventId = crypto.randomUUID();
      this.send(
        this.topic('runtime'),
        { eventId, sessionId: s.id, seq: s.seq, runningSeconds: s.running, at: new Date().toISOString() },
        eventId,
      );
    }
    const s = this.session;
    const eventId = crypto.randomUUID();
    this.send(
      this.topic('end'),
      { eventId, sessionId: s.id, runningSeconds: s.running, reason, at: new Date().toISOString() },
      eventId,
    );
    this.session = null;
    return true;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
