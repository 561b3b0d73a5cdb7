/**
 * At-least-once until the SERVER's ack (issue #10), through a real in-process Aedes broker on
 * port 0 and a plain mqtt.js client playing the server: it acks (or not) on the machine's `ack`
 * topic exactly as core/mqtt-contract.ts says. Every wait is for a positive barrier (a message
 * seen at the broker, an event emitted), never for "nothing happened".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ack } from '../core/mqtt-contract.ts';
import { Outbox } from './outbox.ts';
import {
  type SimulatedController,
  type SimulatedControllerOptions,
  startSimulatedController,
} from './simulate.ts';
import { ackEvents, connectServer, startTestBroker, type TestBroker, waitFor } from './test-helpers.ts';

const M = 'laser-1';
const T = (kind: string) => `fablab/v1/machines/${M}/${kind}`;
const UID = '04A3B2C1';

let broker: TestBroker;
let server: MqttClient;
const sims: SimulatedController[] = [];

beforeEach(async () => {
  broker = await startTestBroker();
  server = await connectServer(broker.url, { ack: false }); // an older server: no acks
  await answerBadges(server);
});

afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
  await server.endAsync(true);
  await broker.stop();
});

async function answerBadges(client: MqttClient): Promise<void> {
  await client.subscribeAsync(T('badge'), { qos: 1 });
  client.on('message', (topic, payload) => {
    if (topic !== T('badge')) return;
    const { requestId } = JSON.parse(payload.toString()) as { requestId: string };
    const decision = { requestId, granted: true, reason: 'granted', sessionId: 's-1' };
    client.publish(T('decision'), JSON.stringify(decision), { qos: 1 });
  });
}

async function start(opts: Partial<SimulatedControllerOptions> = {}): Promise<SimulatedController> {
  const sim = await startSimulatedController({
    mqttUrl: broker.url,
    deviceId: 'dev-1',
    secret: 'secret-1',
    machineId: M,
    heartbeatSeconds: 3600, // one runtime at the opening, then none
    decisionTimeoutMs: 5000,
    reconnectPeriodMs: 100,
    ...opts,
  });
  sims.push(sim);
  await waitFor(() => sim.controller.connected, 10_000);
  return sim;
}

const publishedIds = (kind: string, from = 0) =>
  broker.published
    .slice(from)
    .filter((p) => p.topic === T(kind))
    .map((p) => p.payload.eventId as string);
const ack = (eventId: string, kind: Ack['kind'], status: Ack['status'] = 'stored', error?: string) =>
  server.publishAsync(T('ack'), JSON.stringify({ eventId, kind, status, ...(error ? { error } : {}) }), {
    qos: 1,
  });
const ids = (sim: SimulatedController) => sim.controller.pendingEvents().map((e) => e.id);

describe('outbox kept until the server acknowledges', () => {
  it("keeps an event after the broker's PUBACK and drops it at the server's `stored` ack", async () => {
    const sim = await start();
    await sim.badgeAndWait(UID);
    const [runtimeId] = await waitFor(() => publishedIds('runtime').length > 0 && publishedIds('runtime'));
    // The broker took it (PUBACK): still pending, marked delivered.
    await waitFor(() => sim.controller.pendingEvents().some((e) => e.id === runtimeId && e.delivered));
    expect(ids(sim)).toEqual([runtimeId]);
    await ack(runtimeId as string, 'runtime');
    await waitFor(() => sim.events.some((e) => e.type === 'acked' && e.eventId === runtimeId));
    expect(ids(sim)).toEqual([]);
  });

  it('republishes unacknowledged events after a reconnect, in their original order, until acked', async () => {
    const sim = await start({ resendAfterMs: 300, resendMaxMs: 300 });
    await sim.badgeAndWait(UID);
    await sim.badgeAndWait(UID); // badge out: runtime then end
    await waitFor(
      () =>
        sim.controller.pendingEvents().length === 2 &&
        sim.controller.pendingEvents().every((e) => e.delivered),
    );
    const before = ids(sim);

    await broker.stop(); // broker (and server) gone: a fresh broker knows nothing of them
    await waitFor(() => !sim.controller.connected);
    await broker.restart();
    const mark = broker.published.length;
    await waitFor(() => sim.events.some((e) => e.type === 'resent' && e.why === 'reconnect'), 10_000);
    await waitFor(() => publishedIds('end', mark).length > 0, 10_000);
    const replayed = broker.published
      .slice(mark)
      .filter((p) => p.topic === T('runtime') || p.topic === T('end'))
      .map((p) => p.payload.eventId);
    expect(replayed.slice(0, 2)).toEqual(before); // the same events, same ids, same order
    expect(ids(sim)).toEqual(before); // still not acknowledged

    // The server comes back and acks what it reads (the periodic resend reaches it).
    server = await connectServer(broker.url);
    await waitFor(() => sim.controller.pendingEvents().length === 0, 10_000);
  });

  it('an older server that never acks: resent periodically with back-off, same eventId', async () => {
    const sim = await start({ resendAfterMs: 150, resendMaxMs: 600 });
    const reportId = sim.report('Courroie cassée');
    await waitFor(() => publishedIds('report').length >= 4, 15_000);
    expect(new Set(publishedIds('report'))).toEqual(new Set([reportId]));
    expect(sim.events.some((e) => e.type === 'resent' && e.why === 'timer')).toBe(true);
    expect(ids(sim)).toEqual([reportId]);
  });

  it('a rejected event leaves the outbox and is reported', async () => {
    const sim = await start();
    const reportId = sim.report('x') as string;
    await waitFor(() => publishedIds('report').includes(reportId));
    await ack(reportId, 'report', 'rejected', 'unknown machine');
    const rejected = await waitFor(() => sim.events.find((e) => e.type === 'event_rejected'));
    expect(rejected).toEqual({
      type: 'event_rejected',
      eventId: reportId,
      kind: 'report',
      error: 'unknown machine',
    });
    expect(ids(sim)).toEqual([]);
  });

  it('keeps unacknowledged events across a restart of the board program, then delivers them', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sesame-delivery-'));
    const first = await start({ dataDir });
    await first.badgeAndWait(UID);
    first.report('avant / before');
    await waitFor(
      () =>
        first.controller.pendingEvents().length === 2 &&
        first.controller.pendingEvents().every((e) => e.delivered),
    );
    await first.stop(); // ends the session (power_loss): three events, none acknowledged
    sims.splice(sims.indexOf(first), 1);
    const onDisk = new Outbox(dataDir).open().map((e) => e.topic.split('/').at(-1));
    expect(onDisk).toEqual(['runtime', 'report', 'end']);

    await ackEvents(server); // the server now acks
    const mark = broker.published.length;
    const second = await start({ dataDir });
    await waitFor(() => second.controller.pendingEvents().length === 0, 10_000);
    const topics = broker.published.slice(mark).map((p) => p.topic.split('/').at(-1));
    expect(topics.filter((t) => t !== 'status' && t !== 'ack')).toEqual(['runtime', 'report', 'end']);
  });
});
