import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { lockMachine } from '../../db/lock-order.ts';
import { machineSessions, members } from '../../db/schema.ts';
import { onPostgres, testDatabase } from '../../tests/support/db.ts';
import { addMachine, addMember, addQualification, TEST_BADGE_KEY } from '../../tests/support/fixtures.ts';
import { ledgerCredit } from '../ledger.ts';
import { handleBadge } from './access-service.ts';
import { buildAllowLists, recordAllowList } from './allowlist.ts';
import { handleEnd, handleRuntime, sweepTimedOutSessions } from './metering-service.ts';

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
const now = () => new Date();
const at = () => new Date().toISOString();
let uidSeq = 0x10000000;
const nextUid = () => (uidSeq++).toString(16).toUpperCase().padStart(8, '0');

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  await addQualification(db, 'laser');
});
afterAll(async () => database.drop());

async function open(machineId: string, uid: string) {
  const outcome = await handleBadge(
    db,
    TEST_BADGE_KEY,
    machineId,
    { requestId: crypto.randomUUID(), badge: uid, at: at() },
    now(),
  );
  return outcome.decision!;
}
const runtime = (
  machineId: string,
  sessionId: string,
  runningSeconds: number,
  eventId = crypto.randomUUID(),
) => handleRuntime(db, machineId, { eventId, sessionId, seq: 1, runningSeconds, at: at() }, now());
const end = (machineId: string, sessionId: string, runningSeconds: number) =>
  handleEnd(
    db,
    machineId,
    { eventId: crypto.randomUUID(), sessionId, runningSeconds, reason: 'badge_out', at: at() },
    now(),
  );

async function session(id: string) {
  return (await db.select().from(machineSessions).where(eq(machineSessions.id, id)))[0]!;
}
async function balance(memberId: string) {
  return (await db.select().from(members).where(eq(members.id, memberId)))[0]!.balanceCents;
}

describe('metering through the database', () => {
  it('debits live and bills exactly max(minimum, ceil(s/60) × price) at the end', async () => {
    await addMachine(db, 'm-exact', { qualifications: ['laser'] });
    const uid = nextUid();
    const memberId = await addMember(db, { uid, creditCents: 1000, certify: ['laser'] });
    const d = await open('m-exact', uid);
    expect(d).toMatchObject({ granted: true, reason: 'granted', balanceCents: 900 });
    const sid = d.sessionId!;
    await runtime('m-exact', sid, 30);
    expect((await session(sid)).chargedCents).toBe(100);
    await runtime('m-exact', sid, 150);
    expect((await session(sid)).chargedCents).toBe(150);
    await end('m-exact', sid, 125); // older than 150: the greatest wins
    const s = await session(sid);
    expect(s).toMatchObject({ chargedCents: 150, runningSeconds: 150, endReason: 'badge_out' });
    expect(await balance(memberId)).toBe(850);
    expect(await ledgerCredit(db, memberId)).toBe(850);
  });

  it('ignores a repeated eventId and still raises the bill for late events after the end', async () => {
    await addMachine(db, 'm-dup', { qualifications: ['laser'] });
    const uid = nextUid();
    const memberId = await addMember(db, { uid, creditCents: 5000, certify: ['laser'] });
    const sid = (await open('m-dup', uid)).sessionId!;
    const eventId = crypto.randomUUID();
    expect((await runtime('m-dup', sid, 300, eventId)).applied).toBe(true);
    expect((await runtime('m-dup', sid, 600, eventId)).applied).toBe(false);
    await end('m-dup', sid, 310);
    await runtime('m-dup', sid, 400); // arrives after the end, greater: billed
    const s = await session(sid);
    expect(s.chargedCents).toBe(7 * 50);
    expect(await balance(memberId)).toBe(5000 - 350);
  });

  it('stops at the floor and asks for a lock when the card runs dry', async () => {
    await addMachine(db, 'm-dry', { qualifications: ['laser'], overdraftLimitCents: 20 });
    const uid = nextUid();
    const memberId = await addMember(db, { uid, creditCents: 200, certify: ['laser'] });
    const sid = (await open('m-dry', uid)).sessionId!;
    const r = await runtime('m-dry', sid, 600);
    expect(r.lock).toEqual({ reason: 'insufficient_balance' });
    expect(await balance(memberId)).toBe(-20);
    expect((await session(sid)).chargedCents).toBe(220);
    // The lock is sent once.
    expect((await runtime('m-dry', sid, 660)).lock).toBeNull();
    expect(await balance(memberId)).toBe(-20);
  });

  it('lets the job finish at the floor when the machine says so', async () => {
    await addMachine(db, 'm-finish', { qualifications: ['laser'], creditPolicy: 'finish' });
    const uid = nextUid();
    const memberId = await addMember(db, { uid, creditCents: 200, certify: ['laser'] });
    const sid = (await open('m-finish', uid)).sessionId!;
    expect((await runtime('m-finish', sid, 3600)).lock).toBeNull();
    expect(await balance(memberId)).toBe(0);
  });

  it('refuses events for a session of another machine', async () => {
    await addMachine(db, 'm-own', { qualifications: ['laser'] });
    await addMachine(db, 'm-other', { qualifications: ['laser'] });
    const uid = nextUid();
    await addMember(db, { uid, creditCents: 1000, certify: ['laser'] });
    const sid = (await open('m-own', uid)).sessionId!;
    expect((await runtime('m-other', sid, 600)).applied).toBe(false);
    expect((await session(sid)).chargedCents).toBe(100);
  });

  it('closes sessions silent for 3 heartbeats', async () => {
    await addMachine(db, 'm-silent', { qualifications: ['laser'], heartbeatSeconds: 30 });
    const uid = nextUid();
    await addMember(db, { uid, creditCents: 1000, certify: ['laser'] });
    const sid = (await open('m-silent', uid)).sessionId!;
    await runtime('m-silent', sid, 60);
    expect(
      (await sweepTimedOutSessions(db, new Date(Date.now() + 60_000))).map((s) => s.sessionId),
    ).not.toContain(sid);
    const closed = await sweepTimedOutSessions(db, new Date(Date.now() + 91_000));
    expect(closed.map((s) => s.sessionId)).toContain(sid);
    expect(await session(sid)).toMatchObject({ endReason: 'timeout', runningSeconds: 60, chargedCents: 100 });
  });

  it.skipIf(!onPostgres)(
    'the sweep skips a machine another transaction holds, and closes it next time',
    async () => {
      await addMachine(db, 'm-held', { qualifications: ['laser'], heartbeatSeconds: 30 });
      const uid = nextUid();
      await addMember(db, { uid, creditCents: 1000, certify: ['laser'] });
      const sid = (await open('m-held', uid)).sessionId!;
      const later = new Date(Date.now() + 91_000);
      let release: () => void = () => {};
      const released = new Promise<void>((r) => {
        release = r;
      });
      let held: () => void = () => {};
      const holding = new Promise<void>((r) => {
        held = r;
      });
      // A dashboard PATCH (or a badge) holding the machine's row while the sweep runs.
      const holder = db.transaction(async (tx) => {
        await lockMachine(tx, 'm-held');
        held();
        await released;
      });
      await holding;
      expect((await sweepTimedOutSessions(db, later)).map((s) => s.sessionId)).not.toContain(sid);
      expect((await session(sid)).endedAt).toBeNull();
      release();
      await holder;
      expect((await sweepTimedOutSessions(db, later)).map((s) => s.sessionId)).toContain(sid);
      expect(await session(sid)).toMatchObject({ endReason: 'timeout' });
    },
  );

  it('never overdraws a card under many concurrent debits on several machines', async () => {
    const uid1 = nextUid();
    const memberId = await addMember(db, { uid: uid1, creditCents: 1000, certify: ['laser'] });
    const sessions: [string, string][] = [];
    for (let i = 0; i < 4; i++) {
      const machineId = `m-conc-${i}`;
      await addMachine(db, machineId, {
        qualifications: ['laser'],
        pricePerMinuteCents: 20,
        minimumChargeCents: 0,
      });
      // One member, several machines at once: a second badge UID is not needed, sessions share the card.
      sessions.push([machineId, (await open(machineId, uid1)).sessionId!]);
    }
    const events = [];
    for (let k = 1; k <= (onPostgres ? 40 : 15); k++) {
      for (const [machineId, sid] of sessions) events.push(runtime(machineId, sid, k * 60));
    }
    await Promise.all(events);
    const b = await balance(memberId);
    expect(b).toBeGreaterThanOrEqual(0);
    expect(b).toBe(await ledgerCredit(db, memberId));
    let charged = 0;
    for (const [, sid] of sessions) charged += (await session(sid)).chargedCents;
    expect(charged).toBe(1000 - b);
  });
});

describe('offline sessions replayed by a board', () => {
  it('opens and bills a session the board decided alone, once', async () => {
    await addMachine(db, 'm-offline', { qualifications: ['laser'] });
    const uid = nextUid();
    const memberId = await addMember(db, { uid, creditCents: 1000, certify: ['laser'] });
    // Issue #9: billed only for a badge on a list published for the machine, started within it.
    const keys = { badgeKey: TEST_BADGE_KEY, signingPrivateKeyPem: '', signingPublicKeyPem: '' };
    const [list] = await buildAllowLists(db, keys, new Date(Date.now() - 120_000), ['m-offline']);
    await recordAllowList(db, list!);
    const sessionId = `off-${crypto.randomUUID()}`;
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    const ev = { sessionId, badge: uid, startedAt, at: at() };
    const r1 = await handleRuntime(
      db,
      'm-offline',
      { ...ev, eventId: crypto.randomUUID(), seq: 1, runningSeconds: 240 },
      now(),
      TEST_BADGE_KEY,
    );
    expect(r1.applied).toBe(true);
    await handleEnd(
      db,
      'm-offline',
      { ...ev, eventId: crypto.randomUUID(), runningSeconds: 300, reason: 'badge_out' },
      now(),
      TEST_BADGE_KEY,
    );
    const s = await session(sessionId);
    expect(s).toMatchObject({
      offline: true,
      memberId,
      chargedCents: 250,
      runningSeconds: 300,
      endReason: 'badge_out',
    });
    expect(s.startedAt.toISOString()).toBe(startedAt);
    expect(await balance(memberId)).toBe(750);
  });

  it('ignores unknown non-offline sessions', async () => {
    await addMachine(db, 'm-offline-2');
    const r = await handleRuntime(
      db,
      'm-offline-2',
      {
        eventId: crypto.randomUUID(),
        sessionId: 'nope',
        seq: 1,
        runningSeconds: 60,
        at: at(),
        badge: '04A3B2C1',
      },
      now(),
      TEST_BADGE_KEY,
    );
    expect(r.applied).toBe(false);
  });
});
