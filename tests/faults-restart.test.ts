/**
 * Issue #10: a board's events survive a restart of the server while the board is offline
 * and buffering, and two server processes on one database apply each event once. Real
 * servers (HTTP, embedded broker, machine loop) on one database; a board with an outbox
 * that republishes until the server acks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteKeys } from '../application/site-keys.ts';
import type { Database } from '../db/client.ts';
import { silentLogger } from '../logging/logger.ts';
import { Authorizer } from '../machine-loop/authorizer.ts';
import { testDatabase } from './support/db.ts';
import { FaultBoard } from './support/fault-board.ts';
import { createMachine, createMember } from './support/lab.ts';
import { eventually, startSystem, type TestSystem } from './support/system.ts';

let database: Database & { drop(): Promise<void> };
const systems: TestSystem[] = [];
const boards: FaultBoard[] = [];
const loops: Authorizer[] = [];

beforeAll(async () => {
  database = await testDatabase();
}, 120_000);
afterAll(async () => {
  for (const b of boards) await b.disconnect();
  for (const a of loops) await a.stop();
  for (const s of systems) await s.stop();
  await database?.drop();
}, 120_000);

async function system(): Promise<TestSystem> {
  const s = await startSystem({ database, keepDatabase: true });
  systems.push(s);
  return s;
}

async function session(sys: TestSystem, machineId: string, sessionId: string) {
  const items = (await sys.api('GET', `/sessions?machine=${machineId}`)).body.items as any[];
  return items.find((s) => s.id === sessionId);
}

describe('faults around the server', () => {
  it('a restart while the board is offline and buffering: everything applied once after', async () => {
    const first = await system();
    const device = await createMachine(first, 'mill-r', { pricePerMinuteCents: 50, minimumChargeCents: 100 });
    const m = await createMember(first, { creditCents: 5000 });
    const board = new FaultBoard('fablab', 'mill-r', device.deviceId, device.secret);
    boards.push(board);
    await board.connect(first.server.mqttUrl);
    const requestId = await board.badge(m.uid);
    const d = await eventually(async () => board.decisions.find((x) => x.requestId === requestId), 20_000);
    expect(d).toMatchObject({ granted: true });
    const sessionId = d.sessionId as string;
    const early = await board.send('runtime', { sessionId, seq: 1, runningSeconds: 60 });
    await eventually(async () => board.acked(early), 20_000);

    // The board loses the network and buffers; meanwhile the server restarts.
    await board.disconnect();
    const buffered = [
      await board.send('runtime', { sessionId, seq: 2, runningSeconds: 600 }),
      await board.send('runtime', { sessionId, seq: 3, runningSeconds: 1200 }),
      await board.send('end', { sessionId, runningSeconds: 1250, reason: 'badge_out' }),
    ];
    await first.server.stop();
    const second = await system();
    await board.connect(second.server.mqttUrl);
    // An event acked before the restart, sent again (a board that lost the ack): counted once.
    await board.send('runtime', { eventId: early, sessionId, seq: 1, runningSeconds: 60 });
    await eventually(async () => buffered.every((e) => board.acked(e)) && board.outbox.size === 0, 60_000);
    expect(board.acks.filter((a) => a.eventId === early)).toHaveLength(2);
    // 1250 s = 21 started minutes × 50 c.
    expect(await session(second, 'mill-r', sessionId)).toMatchObject({
      runningSeconds: 1250,
      chargedCents: 1050,
      endReason: 'badge_out',
    });
    expect((await second.api('GET', '/machines/mill-r')).body.inUse).toBe(false);
    expect((await second.api('GET', `/members/${m.id}`)).body.balanceCents).toBe(5000 - 1050);
  }, 180_000);

  it('two server processes on one database: each event applied once, acked by both', async () => {
    const a = await system();
    const b = await system();
    // B's machine loop also listens on A's broker, as processes sharing a broker do: every
    // message reaches both, and the database decides which one applies it.
    const keys = await loadSiteKeys(database.db);
    const bOnA = new Authorizer({
      db: database.db,
      keys,
      topicRoot: 'fablab',
      mqttUrl: a.server.mqttUrl,
      ...a.server.serverCredentials,
      clientId: 'second-process',
      log: silentLogger,
      sweepIntervalMs: 200,
    });
    await bOnA.start();
    loops.push(bOnA);
    const device = await createMachine(a, 'laser-2p', { pricePerMinuteCents: 50, minimumChargeCents: 100 });
    const mat = await a.api('POST', '/materials', {
      id: 'mdf-2p',
      name: 'MDF',
      unit: 'sheet',
      pricePerUnitCents: 300,
    });
    expect(mat.status, JSON.stringify(mat.body)).toBe(201);
    const m = await createMember(a, { creditCents: 5000 });
    const board = new FaultBoard('fablab', 'laser-2p', device.deviceId, device.secret);
    boards.push(board);
    await board.connect(a.server.mqttUrl);
    const requestId = await board.badge(m.uid);
    const d = await eventually(async () => board.decisions.find((x) => x.requestId === requestId), 20_000);
    expect(d).toMatchObject({ granted: true });
    expect(board.decisions.filter((x) => x.requestId === requestId)).toHaveLength(1);
    const sessionId = d.sessionId as string;
    const sent = [
      await board.send('runtime', { sessionId, seq: 1, runningSeconds: 300 }),
      await board.send('material', { sessionId, materialId: 'mdf-2p', quantity: 2 }),
      await board.send('runtime', { sessionId, seq: 2, runningSeconds: 900 }),
    ];
    // Both loops ack each event once it is stored (one applied it, the other found it done).
    await eventually(
      async () => sent.every((e) => board.acks.filter((x) => x.eventId === e).length >= 2),
      30_000,
    );
    // The board fails over to B's broker and replays everything, then ends there.
    await board.disconnect();
    await board.connect(b.server.mqttUrl);
    for (const [i, eventId] of sent.entries()) {
      const payload =
        i === 1
          ? { eventId, sessionId, materialId: 'mdf-2p', quantity: 2 }
          : { eventId, sessionId, seq: i === 0 ? 1 : 2, runningSeconds: i === 0 ? 300 : 900 };
      await board.send(i === 1 ? 'material' : 'runtime', payload);
    }
    const end = await board.send('end', { sessionId, runningSeconds: 900, reason: 'badge_out' });
    await eventually(async () => board.acked(end) && board.outbox.size === 0, 30_000);
    expect(board.acks.every((x) => x.status === 'stored')).toBe(true);
    // 900 s = 15 min × 50 c = 750 c of use, plus 2 sheets × 300 c, each once.
    const s = await session(b, 'laser-2p', sessionId);
    expect(s).toMatchObject({ runningSeconds: 900, chargedCents: 750, endReason: 'badge_out' });
    expect((await b.api('GET', `/members/${m.id}`)).body.balanceCents).toBe(5000 - 750 - 600);
    expect((await a.api('GET', '/machines/laser-2p')).body.inUse).toBe(false);
  }, 180_000);
});
