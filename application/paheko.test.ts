/**
 * Paheko export and accounting settings (issue #11 items 1, 2, 4, 11): a month with every
 * payment method, a session billed minute by minute with materials, a refund, adjustments both
 * ways and a reversed cheque, exported with the default settings and imported the way Paheko's
 * import code does (tests/support/paheko-import.ts) into Paheko's PCA 2025 chart: no error, no
 * account created, every amount in its account, the same balances with or without minute detail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PCA_2018 } from '../core/charts/pca-2018.ts';
import { PCA_2025 } from '../core/charts/pca-2025.ts';
import { parseCsv } from '../core/csv.ts';
import { materialPostings } from '../core/ledger.ts';
import type { Db } from '../db/client.ts';
import { testDatabase } from '../tests/support/db.ts';
import { sessionRef, UUID } from '../tests/support/fec-checks.ts';
import {
  adjustment,
  insertMachine,
  insertMember,
  insertSession,
  post,
  refund,
  reversal,
  topup,
  usage,
} from '../tests/support/ledger-fixtures.ts';
import { balances, PahekoImportError, pahekoSimpleImport } from '../tests/support/paheko-import.ts';
import { ChartError, readAccounting, updateAccounting } from './accounting-settings.ts';
import { PAHEKO_COLUMNS, pahekoExport } from './paheko.ts';
import { parseReportRange } from './report-range.ts';
import { cardReport } from './reports.ts';
import type { UseCaseContext } from './use-case.ts';

const PARIS = 'Europe/Paris';
const at = (iso: string) => new Date(iso);
const march = parseReportRange('2026-03-01', '2026-04-01', PARIS);
const laser = { id: 'laser-1', kind: 'laser' as const };
const chart2025 = new Set(PCA_2025.map(([n]) => n));
const chart2018 = new Set(PCA_2018.map(([n]) => n));

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
let alice: string;
let session: string;
let ctx: UseCaseContext;

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  ctx = {
    db,
    by: 'staff:treasurer-1',
    loop: { changed: () => {}, lock: async () => {} },
    actor: {
      kind: 'staff',
      id: 'treasurer-1',
      name: 'T',
      email: 't@x',
      roles: ['treasurer'],
      trainerOf: [],
      memberId: null,
      tokenId: 't',
    },
  } as unknown as UseCaseContext;
  alice = await insertMember(db, 'Alice Durand');
  const bob = await insertMember(db, 'Bob Martin');
  await insertMachine(db, laser.id, 'laser', 'Trotec Speedy 300');
  let day = 2;
  for (const method of ['cash', 'check', 'card', 'transfer', 'helloasso', 'other'] as const)
    await topup(db, alice, 1000, method, at(`2026-03-0${day++}T10:00:00Z`));
  session = await insertSession(db, {
    machineId: laser.id,
    memberId: alice,
    startedAt: at('2026-03-10T13:00:00Z'),
    endedAt: at('2026-03-10T13:03:00Z'),
    runningSeconds: 180,
    chargedCents: 150,
  });
  for (const m of [1, 2, 3]) await usage(db, alice, laser, 50, at(`2026-03-10T13:0${m}:00Z`), session);
  await post(
    db,
    { kind: 'usage', memberId: alice, sessionId: session, createdAt: at('2026-03-10T13:03:30Z') },
    materialPostings(alice, laser.id, 200),
  );
  // issue #11 item 3: materials posted with their own `material` kind join their session's entry
  const printer = await insertSession(db, {
    machineId: laser.id,
    memberId: bob,
    startedAt: at('2026-03-11T14:00:00Z'),
    endedAt: at('2026-03-11T14:01:00Z'),
    runningSeconds: 60,
    chargedCents: 50,
  });
  await topup(db, bob, 3000, 'check', at('2026-03-11T10:00:00Z'));
  await usage(db, bob, laser, 50, at('2026-03-11T14:01:00Z'), printer);
  await post(
    db,
    { kind: 'material', memberId: bob, sessionId: printer, createdAt: at('2026-03-11T14:01:30Z') },
    materialPostings(bob, laser.id, 120),
  );
  await refund(db, bob, 500, 'cash', at('2026-03-12T10:00:00Z'));
  await adjustment(db, alice, 100, at('2026-03-13T10:00:00Z'), 'geste commercial');
  await adjustment(db, alice, -30, at('2026-03-14T10:00:00Z'), 'session sous-facturée');
  const wrong = await topup(db, bob, 999, 'check', at('2026-03-15T09:00:00Z'));
  await reversal(db, wrong, at('2026-03-16T09:00:00Z'));
});
afterAll(async () => {
  await database.drop();
});

describe('pahekoExport with the default settings', () => {
  it('imports into Paheko’s PCA 2025 chart with every amount in its account', async () => {
    const file = await pahekoExport(db, march, { timeZone: PARIS });
    expect(file.content.startsWith('\uFEFF')).toBe(true);
    expect(parseCsv(file.content)[0]!.fields).toEqual([...PAHEKO_COLUMNS]);
    const imported = pahekoSimpleImport(file.content, chart2025);
    // 6 + 1 top-ups, 2 sessions (2 lines each: use and materials), refund, 2 adjustments, 1 + 1 reversed cheque
    expect(imported).toHaveLength(16);
    const b = balances(imported);
    expect(Object.fromEntries(b)).toEqual({
      '530': 1000 - 500,
      '5112': 1000 + 3000 + 999 - 999,
      '5115': 1000,
      '512': 2000,
      '4671': 1000,
      '4191': -(6000 + 3000 + 100 - 30 - 150 - 200 - 50 - 120 - 500),
      '706': -150 - 50 - 30,
      '707': -200 - 120,
      '709': 100,
    });
    expect(-b.get('4191')!).toBe((await cardReport(db, march)).closingLiabilityCents);
    const use = imported.find((t) => t.creditAccount === '706' && t.debitAccount === '4191')!;
    expect(use).toMatchObject({
      date: '10/03/2026',
      label: 'Utilisation et matières Trotec Speedy 300 — Alice Durand',
      reference: sessionRef(session),
      amountCents: 150,
    });
    expect(imported.find((t) => t.creditAccount === '707')!.reference).toBe(sessionRef(session));
    expect(file.content).not.toContain(laser.id);
  });

  it('writes the per-minute detail on request, with the same balances', async () => {
    const detail = await pahekoExport(db, march, { timeZone: PARIS, detail: 'minute' });
    expect(detail.filename).toBe('paheko-2026-03-01_2026-03-31-detail.csv');
    const minutes = pahekoSimpleImport(detail.content, chart2025);
    expect(minutes).toHaveLength(18);
    const events = pahekoSimpleImport(
      (await pahekoExport(db, march, { timeZone: PARIS })).content,
      chart2025,
    );
    expect(balances(minutes)).toEqual(balances(events));
  });

  it('is refused by Paheko’s import for an account its chart lacks (the old 7061 default)', async () => {
    const file = await pahekoExport(db, march, { timeZone: PARIS });
    const old = file.content.replaceAll(';706;', ';7061;');
    expect(() => pahekoSimpleImport(old, chart2025)).toThrow(PahekoImportError);
    expect(() => pahekoSimpleImport(old, chart2025)).toThrow(/le compte "7061" n'existe pas/);
    // the defaults are in the 2018 chart too
    expect(pahekoSimpleImport(file.content, chart2018)).toHaveLength(16);
  });
});

// Issue #12: words and short numbers, not ids; each entry's piece reference is its own and the
// same in two exports of the same period, whatever the detail or the range's start.
describe('pahekoExport references', () => {
  it('has no UUID anywhere, and a piece reference per entry, unique and stable', async () => {
    const file = await pahekoExport(db, march, { timeZone: PARIS });
    expect(file.content).not.toMatch(UUID);
    const rows = parseCsv(file.content)
      .slice(1)
      .map((r) => r.fields);
    const col = (name: string) => PAHEKO_COLUMNS.indexOf(name as (typeof PAHEKO_COLUMNS)[number]);
    const piece = col('Numéro pièce comptable');
    // Lines of one entry (a session's use and materials) share its reference and are adjacent.
    const refs = rows.map((r) => r[piece]!).filter((ref, i, all) => i === 0 || all[i - 1] !== ref);
    expect(new Set(refs).size).toBe(refs.length);
    for (const ref of refs) expect(ref).toMatch(/^(S-[0-9A-F]{8,}|(REC|RMB|REG|ANN|UTI|MAT|OP)-\d+)$/);
    expect(refs.filter((r) => r.startsWith('REC-'))).toHaveLength(8);
    const again = await pahekoExport(db, march, { timeZone: PARIS });
    expect(again.content).toBe(file.content);
    // A range inside the month gives the same entries the same references.
    const part = await pahekoExport(db, parseReportRange('2026-03-11', '2026-03-17', PARIS), {
      timeZone: PARIS,
    });
    const partRefs = parseCsv(part.content)
      .slice(1)
      .map((r) => r.fields[piece]!);
    expect(partRefs.length).toBeGreaterThan(0);
    for (const ref of partRefs) expect(refs).toContain(ref);
    const minute = await pahekoExport(db, march, { timeZone: PARIS, detail: 'minute' });
    expect(minute.content).not.toMatch(UUID);
  });

  it('labels the use with the machine and the member, and top-ups and refunds in capitals', async () => {
    const rows = parseCsv((await pahekoExport(db, march, { timeZone: PARIS })).content).slice(1);
    const labels = rows.map((r) => r.fields[PAHEKO_COLUMNS.indexOf('Libellé')]!);
    expect(labels).toContain('Utilisation et matières Trotec Speedy 300 — Alice Durand');
    expect(labels.some((l) => /^Annulation : recharge carte machine \(REC-\d+\) — /.test(l))).toBe(true);
  });
});

describe('updateAccounting: settings checked against the chart', () => {
  it('shows each account with its chart label', async () => {
    const view = await readAccounting(db);
    expect(view.chart).toBe('pca-2025');
    expect(view.labels['4191']).toBe('Usagers créditeurs : Avances et acomptes');
    expect(view.labels['5112']).toBe('Chèques à encaisser');
    expect(view.labels['706']).toBe('Prestations de services');
  });

  it('refuses an account not in the chart, naming it and the chart, and changes nothing', async () => {
    const before = await readAccounting(db);
    const error = await updateAccounting(ctx, { machineRevenue: { laser: '7061' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChartError);
    expect((error as ChartError).message).toMatch(
      /account "7061" is not in the plan comptable associatif 2025/,
    );
    expect((error as ChartError).fields[0]!.field).toBe('machineRevenue.laser');
    await expect(updateAccounting(ctx, { online: '467', chart: 'pca-2018' })).rejects.toThrow(
      /"467" is not in the plan comptable associatif 2018/,
    );
    await expect(updateAccounting(ctx, { bank: 'not a number!' })).rejects.toThrow(/Invalid input: bank/);
    expect(await readAccounting(db)).toEqual(before);
  });

  it('accepts a declared sub-account under a chart account, and books the kind there', async () => {
    await expect(
      updateAccounting(ctx, { subAccounts: [{ number: 'X9', label: 'nulle part' }] }),
    ).rejects.toThrow(/extends no account/);
    const after = await updateAccounting(ctx, {
      machineRevenue: { laser: '7061' },
      subAccounts: [{ number: '7061', label: 'Découpe laser' }],
    });
    expect(after.machineRevenue.laser).toBe('7061');
    expect(after.labels['7061']).toBe('Découpe laser');
    const file = await pahekoExport(db, march, { timeZone: PARIS });
    const withSub = new Set([...chart2025, '7061']);
    expect(balances(pahekoSimpleImport(file.content, withSub)).get('7061')).toBe(-150 - 50);
    // removing the kind's account books it on 706 again
    const back = await updateAccounting(ctx, { machineRevenue: { laser: null } });
    expect(back.machineRevenue.laser).toBeUndefined();
    // a sub-account in use cannot be dropped while used
    await updateAccounting(ctx, { machineRevenue: { laser: '7061' } });
    await expect(updateAccounting(ctx, { subAccounts: [] })).rejects.toThrow(/"7061" is not in the plan/);
    await updateAccounting(ctx, { machineRevenue: { laser: null }, subAccounts: [] });
  });
});
