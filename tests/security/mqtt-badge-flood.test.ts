/**
 * Issue #9 item 7: one board's badge flood is shed, not queued. 200 requests at once from one
 * machine are all answered within the SPEC's 1 s (the shed ones at once, `machine_busy`), and a
 * genuine badge on another machine during the flood is decided fast.
 * Real system: embedded aedes on port 0, real mqtt.js boards, the database (PGlite or PostgreSQL).
 *
 * Prints the figures: npx vitest run tests/security/mqtt-badge-flood.test.ts
 */
import { sql } from 'drizzle-orm';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSY_MESSAGE } from '../../machine-loop/badge-flood.ts';
import { createMachine, createMember, uniqueUid } from '../support/lab.ts';
import { connectDevice, startSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
const T = (m: string, kind: string) => `fablab/v1/machines/${m}/${kind}`;
const FLOOD = 200;

beforeAll(async () => {
  sys = await startSystem();
});
afterAll(async () => sys?.stop());

interface Answer {
  requestId: string | null;
  granted: boolean;
  reason: string;
  message?: string;
  ms: number;
}

/** A board that timestamps each request and its decision. */
async function board(machineId: string) {
  const { deviceId, secret } = await createMachine(sys, machineId, {
    pricePerMinuteCents: 10,
    minimumChargeCents: 0,
  });
  const client: MqttClient = await connectDevice(sys.server.mqttUrl, deviceId, secret);
  await client.subscribeAsync(T(machineId, 'decision'), { qos: 1 });
  const sent = new Map<string, number>();
  const answers = new Map<string, Answer>();
  const waiters = new Map<string, (a: Answer) => void>();
  client.on('message', (_topic, payload) => {
    const d = JSON.parse(payload.toString()) as Omit<Answer, 'ms'>;
    const t0 = d.requestId ? sent.get(d.requestId) : undefined;
    if (t0 === undefined || answers.has(d.requestId!)) return;
    const answer = { ...d, ms: performance.now() - t0 };
    answers.set(d.requestId!, answer);
    waiters.get(d.requestId!)?.(answer);
  });
  return {
    client,
    answers,
    request(uid: string): Promise<Answer> {
      const requestId = crypto.randomUUID();
      const answered = new Promise<Answer>((resolve) => waiters.set(requestId, resolve));
      sent.set(requestId, performance.now());
      client.publish(
        T(machineId, 'badge'),
        JSON.stringify({ requestId, badge: uid, at: new Date().toISOString() }),
        {
          qos: 1,
        },
      );
      return answered;
    },
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe('a badge flood from one machine', () => {
  it('is answered, the excess denied at once (machine_busy) without reaching the database, and another machine still served', async () => {
    const flooder = await board('flood-a');
    const other = await board('flood-b');
    const member = await createMember(sys, { creditCents: 10_000 });
    const flooded = await createMember(sys, { creditCents: 10_000 });

    // 200 requests at once from one board (a stuck reader, a replay, a hostile device).
    const flood = Array.from({ length: FLOOD }, (_, i) => flooder.request(i % 2 ? uniqueUid() : flooded.uid));
    // Meanwhile, genuine use of another machine: unknown cards, then a member who gets in.
    const others: Answer[] = [];
    for (let i = 0; i < 3; i++) others.push(await other.request(uniqueUid()));
    const genuine = await other.request(member.uid);
    others.push(genuine);
    const answers = await Promise.all(flood);

    const floodMs = answers.map((a) => a.ms).sort((a, b) => a - b);
    const otherMs = others.map((a) => a.ms).sort((a, b) => a - b);
    const shed = answers.filter((a) => a.reason === 'machine_busy');
    console.log(
      `badge flood (${sys.database.kind}): flooding machine ${FLOOD} requests, median ${percentile(floodMs, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(floodMs, 99).toFixed(1)} ms, max ${floodMs.at(-1)!.toFixed(1)} ms, ${shed.length} shed; ` +
        `other machine ${others.length} requests, median ${percentile(otherMs, 50).toFixed(1)} ms, p99 ${percentile(otherMs, 99).toFixed(1)} ms, ` +
        `genuine grant ${genuine.ms.toFixed(1)} ms`,
    );

    expect(answers).toHaveLength(FLOOD);
    expect(genuine, JSON.stringify(genuine)).toMatchObject({ granted: true, reason: 'granted' });
    // At most the burst (plus the refill while the flood lasts) went to the database.
    // the burst and what refills while the flood is answered go through; the rest is shed
    expect(shed.length).toBeGreaterThanOrEqual(FLOOD - 50);
    for (const a of shed)
      expect(a).toMatchObject({ granted: false, reason: 'machine_busy', message: BUSY_MESSAGE });
    // The shed requests never reached the database: only the admitted ones were claimed there.
    // (Times are printed above, not asserted: they measure the box's load as much as the code;
    // `npm run bench` and docs/mqtt.md carry the figures. The old queue shed nothing.)
    const claimed = await sys.database.db.execute(
      sql`select count(*)::int as n from machine_events where machine_id = ${'flood-a'} and kind = 'badge'`,
    );
    const rows = (claimed as unknown as { rows: { n: number }[] }).rows;
    expect(rows[0]?.n).toBeLessThanOrEqual(FLOOD - shed.length);
  });
});
