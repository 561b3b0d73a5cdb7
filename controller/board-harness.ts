/**
 * Test support shared by the board's flow tests (controller*.test.ts, lab-practices*.test.ts):
 * per test, a real in-process Aedes broker on port 0, a plain mqtt.js client playing the server
 * (it answers badges with `h.answer` and acks events, issue #10) and a manual clock (`h.clock`,
 * wall and monotonic together). `useBoardHarness()` registers the hooks; read the mutable
 * fields through the returned object.
 */
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach } from 'vitest';
import {
  badgeRequestSchema,
  type Decision,
  endEventSchema,
  runtimeEventSchema,
} from '../core/mqtt-contract.ts';
import type { ControllerEvent } from './events.ts';
import {
  type SimulatedController,
  type SimulatedControllerOptions,
  startSimulatedController,
} from './simulate.ts';
import { connectServer, startTestBroker, type TestBroker, waitFor } from './test-helpers.ts';

export const M = 'laser-1';
export const T = (kind: string) => `fablab/v1/machines/${M}/${kind}`;
export const UID = '04A3B2C1';
export const OTHER = 'DEADBEEF01';
export const THIRD = 'CAFE0123';

type Answer = (req: { requestId: string; badge: string; mode?: string }) => Decision | null;

export const grant =
  (sessionId: string, extra: Partial<Decision> = {}) =>
  (req: { requestId: string }): Decision => ({
    requestId: req.requestId,
    granted: true,
    reason: 'granted',
    sessionId,
    member: { name: 'Camille' },
    ...extra,
  });
export const refuse =
  (reason: Decision['reason'], extra: Partial<Decision> = {}) =>
  (req: { requestId: string }): Decision => ({ requestId: req.requestId, granted: false, reason, ...extra });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const ofType = <K extends ControllerEvent['type']>(sim: SimulatedController, type: K) =>
  sim.events.filter((e): e is Extract<ControllerEvent, { type: K }> => e.type === type);

/** Every level the board wrote on a pin, in order. */
export function recordWrites(sim: SimulatedController, pin: number): number[] {
  const writes: number[] = [];
  const io = sim.io as unknown as { digitalWrite: (p: number, v: number) => void };
  const original = io.digitalWrite.bind(io);
  io.digitalWrite = (p, v) => {
    if (p === pin) writes.push(v);
    original(p, v);
  };
  return writes;
}

export interface BoardHarness {
  broker: TestBroker;
  server: MqttClient;
  clock: number;
  answer: Answer;
  sims: SimulatedController[];
  start(opts?: Partial<SimulatedControllerOptions>): Promise<SimulatedController>;
  startConnected(opts?: Partial<SimulatedControllerOptions>): Promise<SimulatedController>;
  published(kind: string): Record<string, unknown>[];
  requests(): ReturnType<typeof badgeRequestSchema.parse>[];
  runtimes(): ReturnType<typeof runtimeEventSchema.parse>[];
  ends(): ReturnType<typeof endEventSchema.parse>[];
  /** the server's badge answering, on any client (e.g. a server connected after a restart) */
  listen(client: MqttClient): void;
}

export function useBoardHarness(): BoardHarness {
  const h = { sims: [] as SimulatedController[] } as unknown as BoardHarness;
  h.listen = (client) => {
    client.on('message', (topic, payload) => {
      if (topic !== T('badge')) return;
      const decision = h.answer(JSON.parse(payload.toString()));
      if (decision) client.publish(T('decision'), JSON.stringify(decision), { qos: 1 });
    });
  };
  h.start = async (opts = {}) => {
    const sim = await startSimulatedController({
      mqttUrl: h.broker.url,
      deviceId: 'dev-1',
      secret: 'secret-1',
      machineId: M,
      heartbeatSeconds: 0.05,
      decisionTimeoutMs: 300,
      reconnectPeriodMs: 100,
      tickMs: 20,
      now: () => h.clock,
      ...opts,
    });
    h.sims.push(sim);
    return sim;
  };
  h.startConnected = async (opts = {}) => {
    const sim = await h.start(opts);
    await waitFor(() => sim.controller.connected);
    return sim;
  };
  h.published = (kind) => h.broker.published.filter((p) => p.topic === T(kind)).map((p) => p.payload);
  h.requests = () => h.published('badge').map((p) => badgeRequestSchema.parse(p));
  h.runtimes = () => h.published('runtime').map((p) => runtimeEventSchema.parse(p));
  h.ends = () => h.published('end').map((p) => endEventSchema.parse(p));

  beforeEach(async () => {
    h.broker = await startTestBroker();
    h.server = await connectServer(h.broker.url);
    await h.server.subscribeAsync(T('badge'), { qos: 1 });
    h.answer = grant('s-1');
    h.listen(h.server);
    h.clock = Date.now();
  });
  afterEach(async () => {
    for (const s of h.sims.splice(0)) await s.stop();
    await h.server.endAsync(true);
    await h.broker.stop();
  });
  return h;
}
