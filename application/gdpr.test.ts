import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.ts';
import { apiTokens, auditLog, badges, machineEvents, members, offlineReviews } from '../db/schema.ts';
import { testDatabase } from '../tests/support/db.ts';
import { addMachine, addMember } from '../tests/support/fixtures.ts';
import { insertSession, usage } from '../tests/support/ledger-fixtures.ts';
import { audit } from './audit.ts';
import { issueToken } from './auth.ts';
import { eraseMember, exportMemberData } from './gdpr.ts';
import { cardReport } from './reports.ts';

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
let id: string;
const now = new Date('2026-03-10T10:00:00Z');

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  await addMachine(db, 'laser-1');
  id = await addMember(db, { name: 'Camille Martin', uid: '04A3B2C1', creditCents: 2000 });
  const s = await insertSession(db, {
    machineId: 'laser-1',
    memberId: id,
    startedAt: new Date('2026-03-01T10:00:00Z'),
    endedAt: new Date('2026-03-01T10:05:00Z'),
    runningSeconds: 300,
    chargedCents: 250,
  });
  await usage(db, id, { id: 'laser-1', kind: 'laser' }, 250, new Date('2026-03-01T10:05:00Z'), s);
  await db.insert(machineEvents).values({
    id: 'ev-1',
    machineId: 'laser-1',
    kind: 'badge',
    memberId: id,
    granted: true,
    sessionId: s,
    response: { member: { name: 'Camille Martin' } },
  });
  await issueToken(db, { memberId: id });
});
afterAll(async () => {
  await database.drop();
});

describe('GDPR export', () => {
  it('gathers everything about the member, badges as last 4 digits only', async () => {
    const data = await exportMemberData(db, id, now);
    expect(data.profile).toMatchObject({ id, name: 'Camille Martin', balanceCents: 1750 });
    expect(data.badges).toEqual([expect.objectContaining({ last4: 'B2C1', status: 'active' })]);
    expect(JSON.stringify(data)).not.toMatch(/uidHash|offlineHash|passwordHash|tokenHash/);
    expect(data.sessions).toHaveLength(1);
    expect(data.ledger.map((l) => [l.kind, l.amountCents])).toEqual(
      expect.arrayContaining([
        ['topup', -2000],
        ['usage', 250],
      ]),
    );
    expect(data.ledger).toHaveLength(2);
    expect(data.badgeEvents).toHaveLength(1);
  });
});

describe('GDPR erasure', () => {
  it('pseudonymises the identity, revokes badges and tokens, keeps the ledger', async () => {
    const before = await cardReport(db, { from: new Date('2026-01-01'), to: new Date('2027-01-01') });
    await audit(db, {
      actor: 'staff:admin',
      action: 'create',
      entity: 'member',
      entityId: id,
      after: { name: 'Camille Martin' },
    });
    await db.insert(offlineReviews).values({
      id: 'review-1',
      machineId: 'laser-gdpr',
      sessionId: 'off-gdpr',
      memberId: id,
      badgeLast4: 'B2C1',
      holdReason: 'not_on_list',
    });
    const result = await eraseMember(db, 'staff:admin', id, now);
    const [review] = await db.select().from(offlineReviews).where(eq(offlineReviews.id, 'review-1'));
    expect(review?.badgeLast4).toBe('····');
    expect(result).toMatchObject({ badgesRevoked: 1, badgeEventsAnonymised: 1 });
    const [m] = await db.select().from(members).where(eq(members.id, id));
    expect(m!.name).toMatch(/^Membre effacé #/);
    expect(m!.email).toBe(`erased-${id}@erased.invalid`);
    expect(m).toMatchObject({ passwordHash: null, balanceCents: 1750, category: null, birthYear: null });
    expect(m!.erasedAt?.toISOString()).toBe(now.toISOString());
    const bs = await db.select().from(badges).where(eq(badges.memberId, id));
    expect(
      bs.every((b) => b.status === 'revoked' && b.uidHash.startsWith('erased:') && b.offlineHash === null),
    ).toBe(true);
    const tokens = await db.select().from(apiTokens).where(eq(apiTokens.memberId, id));
    expect(tokens.every((t) => t.revokedAt !== null)).toBe(true);
    const [ev] = await db.select().from(machineEvents).where(eq(machineEvents.id, 'ev-1'));
    expect(ev).toMatchObject({ memberId: null, response: null });
    const after = await cardReport(db, { from: new Date('2026-01-01'), to: new Date('2027-01-01') });
    expect(after.closingLiabilityCents).toBe(before.closingLiabilityCents);
    expect(after.checks.discrepancies).toEqual([]);
    const exported = await exportMemberData(db, id, now);
    expect(JSON.stringify(exported.profile)).not.toContain('Camille');
    // Nor does the audit trail keep the identity it recorded.
    const trail = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'member'), eq(auditLog.entityId, id)));
    expect(JSON.stringify(trail)).not.toContain('Camille');
    await expect(eraseMember(db, 'staff:admin', id, now)).rejects.toThrow(/already erased/);
  });
});
