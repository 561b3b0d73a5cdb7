/**
 * Issue #12 item 10: an `end` whose reason is not in the contract (a board sending "lock"
 * after a lock command, instead of `command`) is not dropped silently: the server logs a
 * warning naming the machine and answers `rejected` on `ack` naming the field, and the
 * session goes on until a valid `end` (or the heartbeat timeout) closes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLevel } from '../logging/logger.ts';
import { badgeIn, endSession, topic } from './dashboard/support.ts';
import { createMachine, createMember } from './support/lab.ts';
import { connectDevice, eventually, nextMessage, startSystem, type TestSystem } from './support/system.ts';

let sys: TestSystem;
const logs: { level: LogLevel; msg: string; fields: Record<string, unknown> }[] = [];

beforeAll(async () => {
  sys = await startSystem({ log: (level, msg, fields) => logs.push({ level, msg, fields: fields ?? {} }) });
}, 60_000);

afterAll(async () => {
  await sys?.stop();
});

describe('an end with an unknown reason', () => {
  it('is logged and rejected on ack, and the session stays open until a valid end', async () => {
    const creds = await createMachine(sys, 'saw-r');
    const member = await createMember(sys, { creditCents: 1000 });
    const board = await connectDevice(sys.server.mqttUrl, creds.deviceId, creds.secret);
    await board.subscribeAsync(topic('saw-r', 'decision'), { qos: 1 });
    await board.subscribeAsync(topic('saw-r', 'ack'), { qos: 1 });
    const decision = await badgeIn(board, 'saw-r', member.uid);
    expect(decision.granted).toBe(true);

    const eventId = crypto.randomUUID();
    const answered = nextMessage<{ eventId: string; status: string; error?: string }>(
      board,
      topic('saw-r', 'ack'),
      (a) => a.eventId === eventId,
    );
    await board.publishAsync(
      topic('saw-r', 'end'),
      JSON.stringify({
        eventId,
        sessionId: decision.sessionId,
        runningSeconds: 120,
        reason: 'lock',
        at: new Date().toISOString(),
      }),
      { qos: 1 },
    );
    const ack = await answered;
    expect(ack).toMatchObject({ eventId, kind: 'end', status: 'rejected' });
    expect(ack.error).toMatch(/^reason: /);
    const warned = logs.find((l) => l.msg === 'invalid end event' && l.fields.machineId === 'saw-r');
    expect(warned?.level).toBe('warn');
    expect(String(warned?.fields.issues)).toContain('reason');
    expect((await sys.api('GET', `/sessions/${decision.sessionId}`)).body.endedAt).toBeNull();

    // A valid end closes it, billed on its own runningSeconds.
    await endSession(board, 'saw-r', decision.sessionId, 60);
    const ended = await eventually(async () => {
      const s = (await sys.api('GET', `/sessions/${decision.sessionId}`)).body;
      return s.endedAt ? s : null;
    });
    expect(ended).toMatchObject({ endReason: 'badge_out', runningSeconds: 60 });
    await board.endAsync();
  });
});
