/**
 * Issue #9 item 3: forged offline sessions must not drain cards. A device publishes
 * `runtime`/`end` for `off-…` sessions over the real broker with its own credentials; the
 * server bills only a badge that was on a signed allow-list it published for that machine,
 * eligible at `startedAt`, within the list. Everything else debits nothing and waits for the
 * treasurer, who accepts or refuses over HTTP.
 */
import { eq } from 'drizzle-orm';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineBadgeHash } from '../../controller/allow-list.ts';
import type { AllowList } from '../../core/mqtt-contract.ts';
import { badges, machineEvents, offlineReviews } from '../../db/schema.ts';
import { createMachine, createMember, createQualification, type LabMember } from '../support/lab.ts';
import { connectDevice, eventually, startSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
const T = (m: string, kind: string) => `fablab/v1/machines/${m}/${kind}`;
const lists = new Map<string, AllowList>();
let laser: MqttClient;
let cnc: MqttClient;

beforeAll(async () => {
  sys = await startSystem();
  await createQualification(sys, 'laser');
  await createQualification(sys, 'cnc');
  for (const [id, q] of [
    ['sec-laser', 'laser'],
    ['sec-cnc', 'cnc'],
  ] as const) {
    const { deviceId, secret } = await createMachine(sys, id, { qualifications: [q] });
    const client = await connectDevice(sys.server.mqttUrl, deviceId, secret);
    client.on('message', (topic, payload) => {
      if (topic === T(id, 'allowlist')) lists.set(id, JSON.parse(payload.toString()) as AllowList);
    });
    await client.subscribeAsync(T(id, 'allowlist'), { qos: 1 });
    if (id === 'sec-laser') laser = client;
    else cnc = client;
  }
});
afterAll(async () => {
  await laser?.endAsync();
  await cnc?.endAsync();
  await sys?.stop();
});

/** The list the device holds for `machineId` once it has `uid` on it. */
function listWith(machineId: string, uid: string): Promise<AllowList> {
  return eventually(async () => {
    const list = lists.get(machineId);
    if (!list) return null;
    const hash = offlineBadgeHash(list.body.salt, uid);
    return list.body.entries.some((e) => e.badge === hash) ? list : null;
  }, 10_000);
}

interface Forged {
  sessionId: string;
  badge: string;
  startedAt: string;
  listIssuedAt?: string;
}

async function send(client: MqttClient, machineId: string, kind: 'runtime' | 'end', s: Forged, secs: number) {
  const body = {
    eventId: crypto.randomUUID(),
    sessionId: s.sessionId,
    runningSeconds: secs,
    at: new Date().toISOString(),
    badge: s.badge,
    startedAt: s.startedAt,
    ...(s.listIssuedAt ? { listIssuedAt: s.listIssuedAt } : {}),
    ...(kind === 'runtime' ? { seq: 1 } : { reason: 'badge_out' }),
  };
  await client.publishAsync(T(machineId, kind), JSON.stringify(body), { qos: 1 });
  return body.eventId;
}

const balance = async (m: LabMember) =>
  (await sys.api('GET', `/members/${m.id}`)).body.balanceCents as number;
const session = async (id: string) => sys.api('GET', `/sessions/${id}`);

/** The review row once it has seen the end event (the barrier: the last event was handled). */
async function heldReview(sessionId: string) {
  return eventually(async () => {
    const res = await sys.api('GET', '/offline-reviews?status=pending&limit=500');
    const r = (res.body.items as any[]).find((i) => i.sessionId === sessionId);
    return r?.endReason ? r : null;
  }, 10_000);
}

/** Replays a whole forged session (runtime then end) and waits until the server held it. */
async function forge(client: MqttClient, machineId: string, s: Forged, secs = 3600) {
  await send(client, machineId, 'runtime', s, 60);
  await send(client, machineId, 'end', s, secs);
  return heldReview(s.sessionId);
}

const offId = () => `off-${crypto.randomUUID()}`;
const now = () => new Date().toISOString();

describe('forged offline sessions debit nothing and wait for the treasurer', () => {
  it('a badge revoked before startedAt, though on the list the board held', async () => {
    const m = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    const list = await listWith('sec-laser', m.uid);
    const [b] = await sys.database.db.select().from(badges).where(eq(badges.memberId, m.id));
    expect((await sys.api('POST', `/badges/${b!.id}/revoke`, { status: 'lost' })).status).toBe(200);
    const s = { sessionId: offId(), badge: m.uid, startedAt: now(), listIssuedAt: list.body.issuedAt };
    const review = await forge(laser, 'sec-laser', s);
    expect(review).toMatchObject({
      holdReason: 'badge_inactive',
      status: 'pending',
      memberId: m.id,
      memberName: 'Camille Martin',
      badgeLast4: m.uid.slice(-4),
      runningSeconds: 3600,
    });
    expect(JSON.stringify(review)).not.toContain(m.uid);
    expect(await balance(m)).toBe(1000);
    expect((await session(s.sessionId)).status).toBe(404);
  });

  it('a badge never on the list of that machine (no listIssuedAt)', async () => {
    const m = await createMember(sys, { creditCents: 1000, certify: ['cnc'] });
    await listWith('sec-cnc', m.uid);
    await listWith('sec-laser', (await createMember(sys, { creditCents: 500, certify: ['laser'] })).uid);
    const s = { sessionId: offId(), badge: m.uid, startedAt: now() };
    const review = await forge(laser, 'sec-laser', s);
    expect(review).toMatchObject({ holdReason: 'not_on_list', memberId: m.id });
    expect(await balance(m)).toBe(1000);
  });

  it('a list of another machine named by listIssuedAt', async () => {
    const m = await createMember(sys, { creditCents: 1000, certify: ['cnc'] });
    const other = await listWith('sec-cnc', m.uid);
    const s = { sessionId: offId(), badge: m.uid, startedAt: now(), listIssuedAt: other.body.issuedAt };
    const review = await forge(laser, 'sec-laser', s);
    // Lists of all machines share one issuedAt when built together: the name then finds this
    // machine's list of that instant, which does not have the badge.
    expect(['no_list', 'not_on_list']).toContain(review.holdReason);
    expect(review.memberId).toBe(m.id);
    expect(await balance(m)).toBe(1000);
  });

  it('startedAt in 2020, before any list', async () => {
    const m = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    await listWith('sec-laser', m.uid);
    const s = { sessionId: offId(), badge: m.uid, startedAt: '2020-01-01T08:00:00.000Z' };
    const review = await forge(laser, 'sec-laser', s);
    expect(review).toMatchObject({ holdReason: 'before_list', startedAt: '2020-01-01T08:00:00.000Z' });
    expect(await balance(m)).toBe(1000);
  });

  it('startedAt in the future', async () => {
    const m = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    const list = await listWith('sec-laser', m.uid);
    const future = new Date(Date.now() + 3 * 3600_000).toISOString();
    const s = { sessionId: offId(), badge: m.uid, startedAt: future, listIssuedAt: list.body.issuedAt };
    const review = await forge(laser, 'sec-laser', s);
    expect(review).toMatchObject({ holdReason: 'started_in_future' });
    expect(await balance(m)).toBe(1000);
  });

  it('more running time than elapsed since startedAt', async () => {
    const m = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    await listWith('sec-laser', m.uid);
    const s = { sessionId: offId(), badge: m.uid, startedAt: new Date(Date.now() - 60_000).toISOString() };
    await send(laser, 'sec-laser', 'end', s, 4 * 3600);
    const review = await heldReview(s.sessionId);
    expect(review).toMatchObject({ holdReason: 'ran_longer_than_elapsed', runningSeconds: 4 * 3600 });
    expect(await balance(m)).toBe(1000);
  });

  it('a UID that matches no badge is held with its last 4 only, and cannot be accepted', async () => {
    const s = { sessionId: offId(), badge: '0BADC0FFEE', startedAt: now() };
    const review = await forge(laser, 'sec-laser', s);
    expect(review).toMatchObject({ holdReason: 'not_on_list', memberId: null, badgeLast4: 'FFEE' });
    const [row] = await sys.database.db.select().from(offlineReviews).where(eq(offlineReviews.id, review.id));
    expect(JSON.stringify(row)).not.toContain('0BADC0FFEE');
    expect((await sys.api('POST', `/offline-reviews/${review.id}/accept`, {})).status).toBe(409);
  });
});

describe('the genuine offline session is billed as before', () => {
  it.each([
    { named: true, why: 'naming its list' },
    { named: false, why: 'without listIssuedAt (boards before issue #9)' },
  ])('badge on the list published for the machine, startedAt within it: $why', async ({ named }) => {
    const m = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    const list = await listWith('sec-laser', m.uid);
    const s = {
      sessionId: offId(),
      badge: m.uid,
      startedAt: now(),
      ...(named ? { listIssuedAt: list.body.issuedAt } : {}),
    };
    await send(laser, 'sec-laser', 'runtime', s, 60);
    await send(laser, 'sec-laser', 'end', s, 125);
    const billed = await eventually(async () => {
      const r = await session(s.sessionId);
      return r.status === 200 && r.body.endedAt ? r.body : null;
    }, 10_000);
    expect(billed).toMatchObject({ offline: true, memberId: m.id, runningSeconds: 125, chargedCents: 150 });
    expect(await balance(m)).toBe(850);
    const pending = await sys.api('GET', '/offline-reviews?status=pending&limit=500');
    expect((pending.body.items as any[]).some((r) => r.sessionId === s.sessionId)).toBe(false);
  });
});

describe('an accepted offline session is billed at most the time elapsed since its start', () => {
  it('a later end claiming 14000 s one second after is billed up to elapsed + skew, audited', async () => {
    const m = await createMember(sys, { creditCents: 10_000, certify: ['laser'] });
    const list = await listWith('sec-laser', m.uid);
    const startedAt = new Date();
    const s = {
      sessionId: offId(),
      badge: m.uid,
      startedAt: startedAt.toISOString(),
      listIssuedAt: list.body.issuedAt,
    };
    await send(laser, 'sec-laser', 'runtime', s, 1);
    const opened = await eventually(async () => {
      const r = await session(s.sessionId);
      return r.status === 200 ? r.body : null;
    }, 10_000);
    expect(opened).toMatchObject({ offline: true, memberId: m.id, runningSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1000));
    await send(laser, 'sec-laser', 'end', s, 14_000);
    const billed = await eventually(async () => {
      const r = await session(s.sessionId);
      return r.body.endedAt ? r.body : null;
    }, 10_000);
    // Bound: the wall-clock time since startedAt at the server's now, + 5 min of clock skew.
    const boundSeconds = Math.floor((Date.now() - startedAt.getTime()) / 1000) + 300;
    expect(billed.runningSeconds).toBeGreaterThan(300);
    expect(billed.runningSeconds).toBeLessThanOrEqual(boundSeconds);
    // 50 c a started minute: at most ceil(bound / 60) minutes, far from 11700 c.
    const most = Math.ceil(boundSeconds / 60) * 50;
    expect(billed.chargedCents).toBeLessThanOrEqual(most);
    expect(await balance(m)).toBe(10_000 - billed.chargedCents);
    const log = await sys.api('GET', `/audit?entity=session&entityId=${s.sessionId}`);
    expect(log.body.items).toEqual([
      expect.objectContaining({
        action: 'offline_running_clamped',
        before: expect.objectContaining({ runningSeconds: 14_000 }),
        after: expect.objectContaining({ runningSeconds: billed.runningSeconds }),
      }),
    ]);
  });
});

describe('the treasurer decides over HTTP', () => {
  it("accept bills the held session down to the card's floor, once, audited", async () => {
    const m = await createMember(sys, { creditCents: 300, certify: ['laser'] });
    await listWith('sec-laser', m.uid);
    const s = { sessionId: offId(), badge: m.uid, startedAt: '2020-06-01T10:00:00.000Z' };
    const review = await forge(laser, 'sec-laser', s, 1200); // 20 min at 50 c = 1000 c > 300 c
    expect(await balance(m)).toBe(300);
    const first = await sys.api('POST', `/offline-reviews/${review.id}/accept`, {});
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      status: 'accepted',
      chargedCents: 300,
      decidedBy: expect.any(String),
    });
    const again = await sys.api('POST', `/offline-reviews/${review.id}/accept`, {});
    expect(again.body).toMatchObject({ status: 'accepted', chargedCents: 300 });
    expect(await balance(m)).toBe(0);
    expect((await session(s.sessionId)).body).toMatchObject({
      offline: true,
      memberId: m.id,
      runningSeconds: 1200,
      chargedCents: 300,
      endReason: 'badge_out',
      startedAt: '2020-06-01T10:00:00.000Z',
    });
    // A later event of the accepted session is billed like any other (still at the floor).
    await send(laser, 'sec-laser', 'runtime', s, 1300);
    expect((await sys.api('POST', `/offline-reviews/${review.id}/refuse`, {})).status).toBe(409);
    const log = await sys.api('GET', `/audit?entity=offline_review&entityId=${review.id}`);
    expect((log.body.items as any[]).map((e) => e.action)).toEqual(['accept_offline_session']);
  });

  it('refuse debits nothing, once, audited; later events change no money', async () => {
    const m = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    const list = await listWith('sec-laser', m.uid);
    const s = {
      sessionId: offId(),
      badge: m.uid,
      startedAt: '2021-01-01T00:00:00.000Z',
      listIssuedAt: list.body.issuedAt,
    };
    const review = await forge(laser, 'sec-laser', s);
    const first = await sys.api('POST', `/offline-reviews/${review.id}/refuse`, {});
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'refused', chargedCents: null });
    expect((await sys.api('POST', `/offline-reviews/${review.id}/refuse`, {})).body.status).toBe('refused');
    expect((await sys.api('POST', `/offline-reviews/${review.id}/accept`, {})).status).toBe(409);
    // Later events (a replay) update the refused row and debit nothing.
    await send(laser, 'sec-laser', 'runtime', s, 7200);
    await eventually(async () => {
      const [row] = await sys.database.db
        .select()
        .from(offlineReviews)
        .where(eq(offlineReviews.id, review.id));
      return row?.runningSeconds === 7200;
    }, 10_000);
    expect(await balance(m)).toBe(1000);
    expect((await session(s.sessionId)).status).toBe(404);
    const log = await sys.api('GET', `/audit?entity=offline_review&entityId=${review.id}`);
    expect((log.body.items as any[]).map((e) => e.action)).toEqual(['refuse_offline_session']);
  });

  it('a repeated eventId counts once on a held session', async () => {
    const m = await createMember(sys, { creditCents: 1000, certify: ['laser'] });
    await listWith('sec-laser', m.uid);
    const s = { sessionId: offId(), badge: m.uid, startedAt: '2020-01-01T00:00:00.000Z' };
    await forge(laser, 'sec-laser', s, 100);
    const eventId = crypto.randomUUID();
    const replay = (secs: number) =>
      laser.publishAsync(
        T('sec-laser', 'runtime'),
        JSON.stringify({ ...s, eventId, seq: 2, runningSeconds: secs, at: now() }),
        { qos: 1 },
      );
    await replay(200);
    await replay(9000); // same eventId: ignored
    await send(laser, 'sec-laser', 'runtime', s, 150); // barrier: a new event, smaller
    // runtime 60, end 100, the replayed eventId once, the barrier: four events stored.
    await eventually(async () => {
      const rows = await sys.database.db
        .select()
        .from(machineEvents)
        .where(eq(machineEvents.sessionId, s.sessionId));
      return rows.length === 4;
    }, 10_000);
    const [row] = await sys.database.db
      .select()
      .from(offlineReviews)
      .where(eq(offlineReviews.sessionId, s.sessionId));
    expect(row).toMatchObject({ runningSeconds: 200, status: 'pending', endReason: 'badge_out' });
    expect(await balance(m)).toBe(1000);
  });

  it('the routes refuse unknown tokens, bad filters and unknown ids', async () => {
    const res = await sys.api('GET', '/offline-reviews', undefined, { authorization: 'Bearer nope' });
    expect(res.status).toBe(401);
    expect((await sys.api('GET', '/offline-reviews?status=bogus')).status).toBe(400);
    expect((await sys.api('POST', '/offline-reviews/nope/accept', {})).status).toBe(404);
  });
});
