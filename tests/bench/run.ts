/**
 * `npm run bench`: badge-to-decision latency with many simulated controllers connected,
 * side by side with the raw MQTT QoS 1 round trip on the same broker in the same run.
 *
 *   npm run bench                       # PGlite in memory, 200 controllers, 2000 requests
 *   BENCH_DEVICES=50 BENCH_REQUESTS=500 npm run bench
 *   DATABASE_URL=postgres://… npm run bench   (a fresh database is created and dropped)
 *   BENCH_BACKGROUND=20 BENCH_BACKGROUND_EPS=50 npm run bench
 *
 * Both measurements run under background load: BENCH_BACKGROUND other machines hold open
 * sessions and publish runtime events (BENCH_BACKGROUND_EPS in all, each acknowledged by the
 * server after its commit), as a busy lab's running machines do.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { silentLogger } from '../../logging/logger.ts';
import { parseEnv } from '../../server/env.ts';
import { startServer } from '../../server/server.ts';
import { testDatabase } from '../support/db.ts';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 200);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const ADMIN = 'bench-admin-token-0123456789';
const BACKGROUND = Number(process.env.BENCH_BACKGROUND ?? 20);
const BACKGROUND_EPS = Number(process.env.BENCH_BACKGROUND_EPS ?? 50);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const progress = (msg: string) => process.stderr.write(`\r${msg}`.padEnd(70));

async function main() {
  const database = await testDatabase();
  const env = parseEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    MQTT_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    BOOTSTRAP_ADMIN_TOKEN: ADMIN,
  });
  const server = await startServer({ env, log: silentLogger, database });
  const base = `http://127.0.0.1:${server.httpPort}/api/v1`;
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const clients: MqttClient[] = [];
  try {
    console.log(`Sésame bench — ${database.kind}, ${DEVICES} controllers, ${REQUESTS} badge requests`);
    await api('POST', '/qualifications', { id: 'bench', name: 'Bench', validityDays: 365 });
    const member = await api('POST', '/members', { name: 'Bench Member', email: 'bench@example.org' });
    await api('POST', `/members/${member.id}/certifications`, { qualificationId: 'bench' });
    await api(
      'POST',
      `/members/${member.id}/topups`,
      { amountCents: 10_000_000, method: 'cash', reference: 'bench' },
      { 'idempotency-key': 'bench' },
    );
    const uid = '04A3B2C1';
    await api('POST', `/members/${member.id}/badges`, { uid });

    const devices: { machineId: string; client: MqttClient }[] = [];
    for (let i = 0; i < DEVICES + BACKGROUND; i++) {
      const machineId = i < DEVICES ? `bench-${i}` : `busy-${i - DEVICES}`;
      await api('POST', '/machines', {
        id: machineId,
        name: machineId,
        kind: 'printer-3d',
        pricePerMinuteCents: 5,
        minimumChargeCents: 0,
        qualifications: ['bench'],
      });
      const d = await api('POST', `/machines/${machineId}/devices`, {});
      const client = await mqtt.connectAsync(server.mqttUrl, {
        clientId: d.deviceId,
        username: d.deviceId,
        password: d.secret,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      (client.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
      await client.subscribeAsync(
        [`fablab/v1/machines/${machineId}/decision`, `fablab/v1/machines/${machineId}/ack`],
        { qos: 1 },
      );
      clients.push(client);
      devices.push({ machineId, client });
      if (i % 20 === 19) progress(`connected ${i + 1}/${DEVICES} controllers`);
    }
    progress('');
    const busy = devices.splice(DEVICES);

    // Background load: the busy machines open a session each and report runtime events.
    const sessions: { machineId: string; client: MqttClient; sessionId: string; seq: number }[] = [];
    const busyUid = '04B00B1E';
    if (busy.length > 0) {
      const other = await api('POST', '/members', { name: 'Busy Member', email: 'busy@example.org' });
      await api('POST', `/members/${other.id}/certifications`, { qualificationId: 'bench' });
      await api(
        'POST',
        `/members/${other.id}/topups`,
        { amountCents: 10_000_000, method: 'cash', reference: 'bench' },
        { 'idempotency-key': 'bench-busy' },
      );
      await api('POST', `/members/${other.id}/badges`, { uid: busyUid });
    }
    let acked = 0;
    for (const { machineId, client } of busy) {
      const requestId = crypto.randomUUID();
      const decision = await new Promise<any>((resolve) => {
        const onMessage = (t: string, payload: Buffer) => {
          const d = JSON.parse(payload.toString());
          if (!t.endsWith('/decision') || d.requestId !== requestId) return;
          client.off('message', onMessage);
          resolve(d);
        };
        client.on('message', onMessage);
        client.publish(
          `fablab/v1/machines/${machineId}/badge`,
          JSON.stringify({ requestId, badge: busyUid, at: new Date().toISOString() }),
          { qos: 1 },
        );
      });
      if (!decision.granted) throw new Error(`background session denied: ${decision.reason}`);
      client.on('message', (t) => {
        if (t.endsWith('/ack')) acked++;
      });
      sessions.push({ machineId, client, sessionId: decision.sessionId, seq: 0 });
    }
    let published = 0;
    const backgroundStart = performance.now();
    const background =
      sessions.length === 0 || BACKGROUND_EPS <= 0
        ? null
        : setInterval(
            () => {
              const s = sessions[published % sessions.length]!;
              s.seq++;
              published++;
              s.client.publish(
                `fablab/v1/machines/${s.machineId}/runtime`,
                JSON.stringify({
                  eventId: crypto.randomUUID(),
                  sessionId: s.sessionId,
                  seq: s.seq,
                  runningSeconds: s.seq,
                  at: new Date().toISOString(),
                }),
                { qos: 1 },
              );
            },
            Math.max(1, 1000 / BACKGROUND_EPS),
          );

    // Badge in then out on a rotating machine: each request opens a session, the end closes it.
    const decisionMs: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const { machineId, client } = devices[i % devices.length]!;
      const requestId = crypto.randomUUID();
      const t0 = performance.now();
      const decision = await new Promise<any>((resolve) => {
        const onMessage = (_t: string, payload: Buffer) => {
          const d = JSON.parse(payload.toString());
          if (d.requestId !== requestId) return;
          client.off('message', onMessage);
          resolve(d);
        };
        client.on('message', onMessage);
        client.publish(
          `fablab/v1/machines/${machineId}/badge`,
          JSON.stringify({ requestId, badge: uid, at: new Date().toISOString() }),
          { qos: 1 },
        );
      });
      decisionMs.push(performance.now() - t0);
      if (!decision.granted) throw new Error(`denied: ${decision.reason}`);
      await client.publishAsync(
        `fablab/v1/machines/${machineId}/end`,
        JSON.stringify({
          eventId: crypto.randomUUID(),
          sessionId: decision.sessionId,
          runningSeconds: 60,
          reason: 'badge_out',
          at: new Date().toISOString(),
        }),
        { qos: 1 },
      );
      if (i % 100 === 99) progress(`badge requests ${i + 1}/${REQUESTS}`);
    }
    progress('');

    // Raw QoS 1 round trip on the same broker: the server's client publishes to a topic it
    // is subscribed to and waits for the message to come back.
    const raw = await mqtt.connectAsync(server.mqttUrl, {
      ...server.serverCredentials,
      clientId: 'bench-raw',
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    clients.push(raw);
    (raw.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    const echo = 'fablab/v1/bench/echo';
    await raw.subscribeAsync(echo, { qos: 1 });
    const rawMs: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const id = String(i);
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        const onMessage = (_t: string, payload: Buffer) => {
          if (payload.toString() !== id) return;
          raw.off('message', onMessage);
          resolve();
        };
        raw.on('message', onMessage);
        raw.publish(echo, id, { qos: 1 });
      });
      rawMs.push(performance.now() - t0);
    }

    if (background) clearInterval(background);
    const backgroundSeconds = (performance.now() - backgroundStart) / 1000;
    decisionMs.sort((a, b) => a - b);
    rawMs.sort((a, b) => a - b);
    const d50 = percentile(decisionMs, 50);
    const d99 = percentile(decisionMs, 99);
    const r50 = percentile(rawMs, 50);
    const r99 = percentile(rawMs, 99);
    console.log('');
    console.log(
      `background: ${sessions.length} machines in session, ${published} runtime events in ${backgroundSeconds.toFixed(1)} s ` +
        `(${(published / backgroundSeconds).toFixed(0)}/s), ${acked} acknowledged after their commit`,
    );
    console.log('                                 p50          p99          max');
    console.log(
      `badge → decision          ${fmt(d50).padStart(12)} ${fmt(d99).padStart(12)} ${fmt(decisionMs.at(-1)!).padStart(12)}`,
    );
    console.log(
      `raw MQTT QoS 1 round trip ${fmt(r50).padStart(12)} ${fmt(r99).padStart(12)} ${fmt(rawMs.at(-1)!).padStart(12)}`,
    );
    console.log(
      `ratio decision / raw       ${(d50 / r50).toFixed(1).padStart(10)}×  ${(d99 / r99).toFixed(1).padStart(10)}×`,
    );
    console.log(
      `SPEC budget: a decision within 1000 ms — p99 uses ${((d99 / 1000) * 100).toFixed(1)}% of it`,
    );
  } finally {
    await Promise.allSettled(clients.map((c) => c.endAsync(true)));
    await server.stop();
    await database.drop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
