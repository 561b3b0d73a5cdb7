/**
 * "Aujourd'hui au lab" (issue #4) counts members let in: a member whose badge was only ever
 * refused (a lost card found by someone, a suspended member) is no visitor (security check of
 * 1 Dec 2026, issue #12).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.ts';
import { machineEvents, members } from '../db/schema.ts';
import { testDatabase } from '../tests/support/db.ts';
import { insertMachine } from '../tests/support/ledger-fixtures.ts';
import { visitorsOn } from './visitors.ts';

const PARIS = 'Europe/Paris';
let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;

async function member(name: string) {
  const id = `m-${randomUUID()}`;
  await db.insert(members).values({ id, name, email: `${id}@example.org` });
  return id;
}

async function badge(memberId: string | null, machineId: string, at: string, granted: boolean) {
  await db
    .insert(machineEvents)
    .values({ id: randomUUID(), machineId, kind: 'badge', memberId, granted, receivedAt: new Date(at) });
}

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  await insertMachine(db, 'door', 'door');
  await insertMachine(db, 'laser-1', 'laser');
  const camille = await member('Camille');
  const refused = await member('Refusée');
  const both = await member('Refusé puis admis');
  await badge(camille, 'door', '2026-03-02T08:05:00Z', true);
  await badge(camille, 'laser-1', '2026-03-02T09:10:00Z', true);
  // Only ever refused, at the door and at the laser: not a visitor.
  await badge(refused, 'door', '2026-03-02T08:30:00Z', false);
  await badge(refused, 'laser-1', '2026-03-02T10:30:00Z', false);
  // Refused at the laser (no certification), let in at the door: one visitor, at the door only.
  await badge(both, 'laser-1', '2026-03-02T11:00:00Z', false);
  await badge(both, 'door', '2026-03-02T11:05:00Z', true);
}, 60_000);
afterAll(async () => database?.drop());

describe('visitorsOn (issue #4, #12)', () => {
  it('counts only members granted a session or a door entry', async () => {
    const day = await visitorsOn(db, new Date('2026-03-02T12:00:00Z'), PARIS);
    expect(day.total).toBe(2);
    expect(day.byMachine).toEqual([
      { machineId: 'door', visitors: 2 },
      { machineId: 'laser-1', visitors: 1 },
    ]);
    // 09:xx Paris: Camille at the door; 10:xx: Camille at the laser; 11:xx, 12:xx: nobody
    // refused is counted; 12:05 Paris: the member let in at the door.
    expect(day.byHour[9]).toBe(1);
    expect(day.byHour[10]).toBe(1);
    expect(day.byHour[11]).toBe(0);
    expect(day.byHour[12]).toBe(1);
    expect(day.byHour.reduce((a, b) => a + b, 0)).toBe(3);
  });
});
