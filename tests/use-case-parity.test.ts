/**
 * Issue #12, "an action's side effects exist in one place": the same top-up entered through
 * the API, the dashboard's form and the CLI's command leaves the same ledger transaction and
 * postings, the same audit entry and the same machine-loop notification (the outbox row and
 * this process's `loop.changed`), only the member and the actor differing.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topUpCommand } from '../cli/card-commands.ts';
import { auditLog, ledgerEntries, ledgerTransactions, machineLoopChanges } from '../db/schema.ts';
import { parseEnv } from '../server/env.ts';
import { type TestApp, testApp } from './support/test-app.ts';

const PASSWORD = 'correct horse battery staple';
let t: TestApp;
let cookie: string;
const baseline = { outbox: 0, heard: 0 };

beforeAll(async () => {
  t = await testApp();
  const me = await t.call('GET', '/api/v1/me');
  expect(
    (await t.call('PUT', `/api/v1/staff/${me.body.id}/password`, { body: { password: PASSWORD } })).status,
  ).toBe(204);
  const login = await t.app.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: me.body.email, password: PASSWORD }),
  });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/^sesame_session=/);
});
afterAll(async () => t?.close());

/** Everything a top-up left for `memberId`, with the member's id and the actor blanked. */
async function effects(memberId: string) {
  const blank = (v: unknown) =>
    JSON.parse(
      JSON.stringify(v)
        .replaceAll(memberId, '<member>')
        .replace(/"(staff:[^"]+|cli)"/g, '"<actor>"')
        .replace(/"\d{4}-\d\d-\d\dT[^"]+"/g, '"<time>"'),
    );
  const txs = await t.db.select().from(ledgerTransactions).where(eq(ledgerTransactions.memberId, memberId));
  expect(txs).toHaveLength(1);
  const tx = txs[0]!;
  const postings = await t.db
    .select({
      account: ledgerEntries.account,
      amountCents: ledgerEntries.amountCents,
      memberId: ledgerEntries.memberId,
    })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.transactionId, tx.id))
    .orderBy(asc(ledgerEntries.account));
  const audits = await t.db
    .select({
      action: auditLog.action,
      entity: auditLog.entity,
      after: auditLog.after,
      actor: auditLog.actor,
    })
    .from(auditLog)
    .where(eq(auditLog.entityId, memberId));
  const money = audits.filter((a) => a.action === 'topup');
  expect(money).toHaveLength(1);
  // Only what the top-ups left (creating the members records changes too).
  const outbox = (await t.db.select().from(machineLoopChanges)).filter(
    (r) => r.id > baseline.outbox && r.memberIds?.includes(memberId),
  );
  const heard = t.changes.slice(baseline.heard).filter((c) => c.memberIds?.includes(memberId));
  return {
    actor: money[0]!.actor,
    same: blank({
      transaction: { kind: tx.kind, method: tx.method, reference: tx.reference, reason: tx.reason },
      postings,
      audit: { ...money[0]!, after: { ...(money[0]!.after as object), transactionId: '<id>' } },
      outbox: outbox.map((r) => ({ memberIds: r.memberIds, machineIds: r.machineIds })),
      heard,
    }),
  };
}

describe('one top-up, three doors, one set of side effects', () => {
  it('API, dashboard form and CLI command leave identical traces', async () => {
    const [viaApi, viaPage, viaCli] = [await t.member(), await t.member(), await t.member()];
    baseline.outbox = Math.max(0, ...(await t.db.select().from(machineLoopChanges)).map((r) => r.id));
    baseline.heard = t.changes.length;

    const api = await t.call('POST', `/api/v1/members/${viaApi}/topups`, {
      body: { amountCents: 1500, method: 'cash', reference: 'R-1' },
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    expect(api.status).toBe(201);

    const form = new URLSearchParams({
      idempotencyKey: crypto.randomUUID(),
      amount: '15,00',
      method: 'cash',
      reference: 'R-1',
    });
    const page = await t.app.request(`http://localhost/members/${viaPage}/topups`, {
      method: 'POST',
      headers: {
        cookie,
        origin: 'http://localhost',
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(form.toString())),
      },
      body: form.toString(),
    });
    expect(page.status).toBe(303);

    const out: string[] = [];
    // The CLI's own process has no machine loop: the outbox is what reaches the server.
    await topUpCommand.run(
      { db: t.db, env: parseEnv({}), now: new Date(), out: (s) => out.push(s), say: () => {} },
      [viaCli],
      { amount: '15', method: 'cash', reference: 'R-1' },
    );
    expect(JSON.parse(out[0]!)).toMatchObject({ amountCents: 1500, createdBy: 'cli' });

    const a = await effects(viaApi);
    const p = await effects(viaPage);
    const c = await effects(viaCli);
    expect(p.same).toEqual(a.same);
    expect(a.same.outbox).toEqual([{ memberIds: ['<member>'], machineIds: null }]);
    expect(a.same.heard).toEqual([{ memberIds: ['<member>'] }]);
    expect(a.same.postings).toHaveLength(2);
    // The CLI's process tells its own (absent) loop nothing: only the outbox row, the same.
    expect({ ...c.same, heard: a.same.heard }).toEqual(a.same);
    expect(c.same.heard).toEqual([]);
    expect([a.actor.startsWith('staff:'), p.actor.startsWith('staff:'), c.actor]).toEqual([
      true,
      true,
      'cli',
    ]);
  }, 120_000);

  it('the CLI door refuses bad input and unknown members, and changes nothing', async () => {
    const m = await t.member();
    const before = (await t.db.select().from(ledgerTransactions)).length;
    const io = { db: t.db, env: parseEnv({}), now: new Date(), out: () => {}, say: () => {} };
    for (const values of [
      { amount: 'abc', method: 'cash' },
      { amount: '-5', method: 'cash' },
      { amount: '5', method: 'bitcoin' },
      { amount: '999999999', method: 'cash' },
    ]) {
      await expect(topUpCommand.run(io, [m], values)).rejects.toThrow();
    }
    await expect(
      topUpCommand.run(io, ['no-such-member'], { amount: '5', method: 'cash' }),
    ).rejects.toMatchObject({ kind: 'not_found' });
    await expect(
      topUpCommand.run(io, [m], { amount: '5', method: 'cash', reference: 'x'.repeat(201) }),
    ).rejects.toMatchObject({ kind: 'invalid' });
    expect((await t.db.select().from(ledgerTransactions)).length).toBe(before);
  }, 60_000);
});
