import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookAccount, DEFAULT_BOOK_ACCOUNTS } from './book-accounts.ts';
import {
  type JournalEntry,
  journalEntries,
  type LedgerLine,
  pairLines,
  totalsByAccount,
} from './journal-entries.ts';

let txSeq = 0;
function tx(
  kind: string,
  atMs: number,
  postings: Partial<LedgerLine>[],
  meta: Partial<LedgerLine> = {},
): LedgerLine[] {
  const txId = String(++txSeq);
  return postings.map((p) => ({
    txId,
    kind,
    method: null,
    reference: null,
    reason: null,
    sessionId: null,
    reversesId: null,
    reversesKind: null,
    atMs,
    account: 'member_cards',
    amountCents: 0,
    memberId: null,
    memberName: null,
    machineId: null,
    machineKind: null,
    machineName: null,
    ...meta,
    ...p,
  }));
}
const minute = (sessionId: string, atMs: number, cents: number, account = 'machine_revenue') =>
  tx(
    'usage',
    atMs,
    [
      { account: 'member_cards', amountCents: cents, memberId: 'm1', memberName: 'Alice' },
      { account, amountCents: -cents, machineId: 'laser-1', machineKind: 'laser', machineName: 'Trotec' },
    ],
    { sessionId },
  );

describe('journalEntries (issue #11 item 4)', () => {
  const rows = [
    ...tx(
      'topup',
      1,
      [
        { account: 'bank', amountCents: 2000 },
        { amountCents: -2000, memberId: 'm1' },
      ],
      {
        method: 'check',
      },
    ),
    ...minute('s1', 10, 100),
    ...minute('s1', 20, 50),
    ...minute('s2', 25, 70),
    ...minute('s1', 30, 50),
    ...minute('s1', 31, 300, 'material_revenue'),
    ...tx('adjustment', 40, [
      { account: 'adjustments', amountCents: 150 },
      { amountCents: -150, memberId: 'm1' },
    ]),
  ];

  it('makes one entry per session, summing its minute debits, dated by its last one', () => {
    const entries = journalEntries(rows);
    expect(entries.map((e) => [e.key, e.atMs, e.transactionIds.length])).toEqual([
      ['tx:1', 1, 1],
      ['session:s2', 25, 1],
      ['session:s1', 31, 4],
      ['tx:7', 40, 1],
    ]);
    const s1 = entries[2]!;
    expect(s1.lines.map((l) => [l.account, l.amountCents])).toEqual([
      ['member_cards', 500],
      ['machine_revenue', -200],
      ['material_revenue', -300],
    ]);
    expect(pairLines(s1.lines).map((p) => [p.debit.account, p.credit.account, p.amountCents])).toEqual([
      ['member_cards', 'machine_revenue', 200],
      ['member_cards', 'material_revenue', 300],
    ]);
  });

  it('keeps one entry per ledger transaction with detail=minute', () => {
    expect(journalEntries(rows, 'minute')).toHaveLength(7);
  });

  it('gives the same debit and credit totals per account either way (property)', () => {
    const arb = fc.array(
      fc.record({
        session: fc.constantFrom('a', 'b', 'c', null),
        at: fc.integer({ min: 0, max: 1000 }),
        cents: fc.integer({ min: 1, max: 10_000 }),
        kind: fc.constantFrom('usage', 'material', 'topup', 'reversal'),
        sign: fc.constantFrom(1, -1),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, (specs) => {
        const lines = specs
          .sort((x, y) => x.at - y.at)
          .flatMap((s) =>
            tx(
              s.kind,
              s.at,
              [
                { account: 'member_cards', amountCents: s.sign * s.cents, memberId: 'm' },
                { account: 'machine_revenue', amountCents: -s.sign * s.cents, machineId: 'x' },
              ],
              { sessionId: s.session },
            ),
          );
        const byEvent = journalEntries(lines);
        const byMinute = journalEntries(lines, 'minute');
        expect(totalsByAccount(byEvent)).toEqual(totalsByAccount(byMinute));
        const balanced = (e: JournalEntry) => e.lines.reduce((t, l) => t + l.amountCents, 0) === 0;
        expect(byEvent.every(balanced)).toBe(true);
        expect(byEvent.length).toBeLessThanOrEqual(byMinute.length);
      }),
    );
  });
});

describe('bookAccount (issue #11 items 2, 11)', () => {
  const a = DEFAULT_BOOK_ACCOUNTS;
  it.each([
    ['bank', 100, 'check', '5112'],
    ['bank', 100, 'card', '5115'],
    ['bank', 100, 'transfer', '512'],
    ['bank', -100, 'other', '512'],
    ['bank', 100, null, '512'],
    ['cash', 100, 'cash', '530'],
    ['online', 100, 'helloasso', '4671'],
    ['member_cards', -100, 'cash', '4191'],
    ['machine_revenue', -100, null, '706'],
    ['material_revenue', -100, null, '707'],
    ['adjustments', 100, null, '709'],
    ['adjustments', -100, null, '706'],
    ['member_debts', 100, null, '4110'],
  ])('%s %d (%s) → %s', (account, amountCents, method, expected) => {
    expect(bookAccount({ account, amountCents, machineKind: 'laser' }, method, a)).toBe(expected);
  });

  it('books a machine kind on its own sub-account only when one is set', () => {
    const withLaser = { ...a, machineRevenue: { laser: '7061' } };
    expect(
      bookAccount({ account: 'machine_revenue', amountCents: -1, machineKind: 'laser' }, null, withLaser),
    ).toBe('7061');
    expect(
      bookAccount({ account: 'machine_revenue', amountCents: -1, machineKind: 'cnc' }, null, withLaser),
    ).toBe('706');
  });
});
