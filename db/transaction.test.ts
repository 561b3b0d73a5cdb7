import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, testDatabase } from '../tests/support/db.ts';
import { addMachine, addMember } from '../tests/support/fixtures.ts';
import type { Db } from './client.ts';
import { LockOrderError, lockMachine, lockMembers, lockSession } from './lock-order.ts';
import { members } from './schema.ts';
import {
  backoffMs,
  isRetryableTransactionError,
  retryStats,
  sqlState,
  withTransaction,
} from './transaction.ts';

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
}, 120_000);
afterAll(async () => database?.drop(), 120_000);

describe('sqlState and the retryable codes', () => {
  const wrapped = (code: string) => Object.assign(new Error('Failed query'), { cause: { code } });
  it.each([
    { err: { code: '40P01' }, code: '40P01', retryable: true },
    { err: wrapped('40001'), code: '40001', retryable: true },
    { err: wrapped('23505'), code: '23505', retryable: false },
    { err: new Error('Connection terminated'), code: null, retryable: false },
    { err: { code: 'ECONNRESET' }, code: null, retryable: false },
    { err: null, code: null, retryable: false },
  ])('$code → retryable $retryable', ({ err, code, retryable }) => {
    expect(sqlState(err)).toBe(code);
    expect(isRetryableTransactionError(err)).toBe(retryable);
  });

  it.each([
    { attempt: 1, random: 1, ms: 5 },
    { attempt: 3, random: 1, ms: 20 },
    { attempt: 20, random: 1, ms: 500 },
    { attempt: 4, random: 0, ms: 0 },
    { attempt: 4, random: 0.5, ms: 20 },
  ])('back-off of attempt $attempt with jitter $random is $ms ms', ({ attempt, random, ms }) => {
    expect(backoffMs(attempt, { random: () => random })).toBe(ms);
  });
});

describe('withTransaction', () => {
  it('runs the whole callback again after a retryable abort, and gives up on anything else', async () => {
    let calls = 0;
    const result = await withTransaction(
      db,
      async () => {
        calls++;
        if (calls < 3) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
        return 'done';
      },
      { baseDelayMs: 1 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    let other = 0;
    await expect(
      withTransaction(db, async () => {
        other++;
        throw Object.assign(new Error('duplicate key'), { code: '23505' });
      }),
    ).rejects.toThrow('duplicate key');
    expect(other).toBe(1);
    let spent = 0;
    await expect(
      withTransaction(
        db,
        async () => {
          spent++;
          throw Object.assign(new Error('serialization'), { code: '40001' });
        },
        { attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toThrow('serialization');
    expect(spent).toBe(3);
  });

  it('rolls back the aborted attempt: only the last attempt’s writes remain', async () => {
    const id = await addMember(db, {});
    let calls = 0;
    await withTransaction(
      db,
      async (tx) => {
        calls++;
        await tx
          .update(members)
          .set({ name: sql`${members.name} || 'x'` })
          .where(eq(members.id, id));
        if (calls === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      },
      { baseDelayMs: 1 },
    );
    const [row] = await db.select({ name: members.name }).from(members).where(eq(members.id, id));
    expect(row?.name).toBe('Camille Martinx');
  });

  it.skipIf(!onPostgres)(
    'absorbs a real deadlock: two transactions locking two rows in opposite orders',
    async () => {
      const a = await addMember(db, {});
      const b = await addMember(db, {});
      const before = retryStats()['40P01'] ?? 0;
      // Both take their first row, wait for each other at a barrier, then ask for the other's row.
      let arrived = 0;
      let release: () => void = () => {};
      const barrier = new Promise<void>((r) => {
        release = r;
      });
      const meet = async () => {
        arrived++;
        if (arrived === 2) release();
        await barrier;
      };
      const bump = (first: string, second: string) =>
        withTransaction(
          db,
          async (tx) => {
            await tx.execute(sql`select id from members where id = ${first} for no key update`);
            await meet();
            await tx.execute(sql`select id from members where id = ${second} for no key update`);
            await tx.execute(
              sql`update members set balance_cents = balance_cents where id in (${first}, ${second})`,
            );
          },
          { baseDelayMs: 20 },
        );
      await Promise.all([bump(a, b), bump(b, a)]);
      expect((retryStats()['40P01'] ?? 0) - before).toBeGreaterThanOrEqual(1);
    },
  );
});

describe('the lock order (db/lock-order.ts)', () => {
  it('lets a path skip a level and re-lock what it holds, never go back up', async () => {
    await addMachine(db, 'lo-1');
    const memberId = await addMember(db, {});
    // machine → member, then the held machine again: fine
    await db.transaction(async (tx) => {
      expect(await lockMachine(tx, 'lo-1')).not.toBeNull();
      expect((await lockMembers(tx, [memberId])).has(memberId)).toBe(true);
      expect(await lockMachine(tx, 'lo-1')).not.toBeNull();
    });
    // member → a machine not held: refused before any query
    await expect(
      db.transaction(async (tx) => {
        await lockMembers(tx, [memberId]);
        await lockMachine(tx, 'lo-1');
      }),
    ).rejects.toBeInstanceOf(LockOrderError);
    // session → machine: refused too
    await expect(
      db.transaction(async (tx) => {
        await lockSession(tx, 'no-such-session');
        await lockMachine(tx, 'lo-1');
      }),
    ).rejects.toBeInstanceOf(LockOrderError);
  });
});
