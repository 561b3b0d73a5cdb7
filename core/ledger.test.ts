import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MACHINE_KINDS, TOPUP_METHODS, type TopupMethod } from './domain.ts';
import {
  ACCOUNTS,
  adjustmentPostings,
  creditDelta,
  isBalanced,
  LedgerError,
  memberCredit,
  type Posting,
  paymentAccount,
  refundPostings,
  reversalPostings,
  topupPostings,
  usagePostings,
} from './ledger.ts';

const sum = (postings: readonly Posting[]): number => postings.reduce((s, p) => s + p.amountCents, 0);

describe('paymentAccount', () => {
  it.each([
    ['cash', 'cash'],
    ['helloasso', 'online'],
    ['card', 'bank'],
    ['transfer', 'bank'],
    ['check', 'bank'],
    ['other', 'bank'],
  ] as const)('%s → %s', (method, account) => {
    expect(paymentAccount(method)).toBe(account);
  });

  it('maps every method to a known account', () => {
    for (const method of TOPUP_METHODS) expect(ACCOUNTS).toContain(paymentAccount(method));
  });

  it('refuses a method outside the union (a bad value from the outside)', () => {
    expect(() => paymentAccount('bitcoin' as TopupMethod)).toThrow(LedgerError);
  });
});

describe('postings builders', () => {
  const builders: ReadonlyArray<[string, (amount: number) => Posting[], number]> = [
    ...TOPUP_METHODS.map((m): [string, (a: number) => Posting[], number] => [
      `topup by ${m}`,
      (a) => topupPostings('m1', a, m),
      +1,
    ]),
    ...TOPUP_METHODS.map((m): [string, (a: number) => Posting[], number] => [
      `refund by ${m}`,
      (a) => refundPostings('m1', a, m),
      -1,
    ]),
    ...MACHINE_KINDS.map((k): [string, (a: number) => Posting[], number] => [
      `usage of a ${k}`,
      (a) => usagePostings('m1', 'machine-1', k, a),
      -1,
    ]),
    ['adjustment in favour', (a) => adjustmentPostings('m1', a), +1],
    ['adjustment against', (a) => adjustmentPostings('m1', -a), -1],
  ];

  it.each(builders)('%s is balanced and moves the credit by the amount', (_name, build, sign) => {
    const postings = build(1234);
    expect(isBalanced(postings)).toBe(true);
    expect(memberCredit(postings, 'm1')).toBe(sign * 1234);
    expect(creditDelta(postings)).toEqual(new Map([['m1', sign * 1234]]));
  });

  it('a topup debits the payment account and credits the member card', () => {
    expect(topupPostings('m1', 500, 'helloasso')).toEqual([
      { account: 'online', amountCents: 500 },
      { account: 'member_cards', amountCents: -500, memberId: 'm1' },
    ]);
  });

  it('a usage debits the card and credits the machine revenue', () => {
    expect(usagePostings('m1', 'laser-1', 'laser', 150)).toEqual([
      { account: 'member_cards', amountCents: 150, memberId: 'm1' },
      { account: 'machine_revenue', amountCents: -150, machineId: 'laser-1', machineKind: 'laser' },
    ]);
  });

  it('a refund debits the card and credits the payment account', () => {
    expect(refundPostings('m1', 300, 'cash')).toEqual([
      { account: 'member_cards', amountCents: 300, memberId: 'm1' },
      { account: 'cash', amountCents: -300 },
    ]);
  });

  it('an adjustment moves the adjustments account against the card', () => {
    expect(adjustmentPostings('m1', -70)).toEqual([
      { account: 'adjustments', amountCents: -70 },
      { account: 'member_cards', amountCents: 70, memberId: 'm1' },
    ]);
  });

  const notPositive = [0, -1, -500, 1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53)];
  it.each(notPositive)('topup, usage and refund refuse %s', (amount) => {
    expect(() => topupPostings('m1', amount, 'cash')).toThrow(LedgerError);
    expect(() => usagePostings('m1', 'laser-1', 'laser', amount)).toThrow(LedgerError);
    expect(() => refundPostings('m1', amount, 'card')).toThrow(LedgerError);
  });

  const notWhole = [0, 1.5, -0.5, Number.NaN, Number.NEGATIVE_INFINITY, 2 ** 53, -(2 ** 53)];
  it.each(notWhole)('adjustment refuses %s', (amount) => {
    expect(() => adjustmentPostings('m1', amount)).toThrow(LedgerError);
  });

  it('the largest safe amount is accepted', () => {
    expect(isBalanced(topupPostings('m1', Number.MAX_SAFE_INTEGER, 'transfer'))).toBe(true);
    expect(isBalanced(adjustmentPostings('m1', -Number.MAX_SAFE_INTEGER))).toBe(true);
  });
});

describe('isBalanced', () => {
  it.each([
    { name: 'no postings', postings: [], balanced: false },
    { name: 'a single zero posting', postings: [{ account: 'cash', amountCents: 0 }], balanced: false },
    {
      name: 'two postings that do not cancel',
      postings: [
        { account: 'cash', amountCents: 100 },
        { account: 'member_cards', amountCents: -99, memberId: 'm1' },
      ],
      balanced: false,
    },
    {
      name: 'three postings that cancel',
      postings: [
        { account: 'bank', amountCents: 100 },
        { account: 'member_cards', amountCents: -60, memberId: 'm1' },
        { account: 'member_cards', amountCents: -40, memberId: 'm2' },
      ],
      balanced: true,
    },
  ] satisfies Array<{ name: string; postings: Posting[]; balanced: boolean }>)(
    '$name → $balanced',
    ({ postings, balanced }) => {
      expect(isBalanced(postings)).toBe(balanced);
    },
  );
});

describe('reversalPostings', () => {
  it('negates every amount and keeps the analytic fields', () => {
    expect(reversalPostings(usagePostings('m1', 'cnc-1', 'cnc', 80))).toEqual([
      { account: 'member_cards', amountCents: -80, memberId: 'm1' },
      { account: 'machine_revenue', amountCents: 80, machineId: 'cnc-1', machineKind: 'cnc' },
    ]);
  });

  it('does not mutate the original', () => {
    const original = topupPostings('m1', 100, 'cash');
    const copy = structuredClone(original);
    reversalPostings(original);
    expect(original).toEqual(copy);
  });
});

describe('memberCredit and creditDelta', () => {
  it('ignores other members, other accounts and card postings without a member', () => {
    const postings: Posting[] = [
      ...topupPostings('m1', 1000, 'cash'),
      ...topupPostings('m2', 400, 'transfer'),
      ...usagePostings('m2', 'laser-1', 'laser', 150),
      { account: 'member_cards', amountCents: -7 },
      { account: 'cash', amountCents: 7 },
    ];
    expect(memberCredit(postings, 'm1')).toBe(1000);
    expect(memberCredit(postings, 'm2')).toBe(250);
    expect(memberCredit(postings, 'nobody')).toBe(0);
    expect(creditDelta(postings)).toEqual(
      new Map([
        ['m1', 1000],
        ['m2', 250],
      ]),
    );
  });

  it('is 0 for an empty journal', () => {
    expect(memberCredit([], 'm1')).toBe(0);
    expect(creditDelta([]).size).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------
// Properties: a random journal of transactions, as the ledger service posts them.

const MEMBERS = ['m1', 'm2', 'm3'] as const;
const amountArb = fc.integer({ min: 1, max: 100_000 });
const memberArb = fc.constantFrom(...MEMBERS);
const methodArb = fc.constantFrom(...TOPUP_METHODS);

type Op =
  | { kind: 'topup'; memberId: string; amount: number; method: TopupMethod }
  | { kind: 'usage'; memberId: string; amount: number }
  | { kind: 'refund'; memberId: string; amount: number; method: TopupMethod }
  | { kind: 'adjustment'; memberId: string; delta: number }
  /** reverses the transaction at `target` modulo the journal's length (a reversal too) */
  | { kind: 'reversal'; target: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('topup' as const),
    memberId: memberArb,
    amount: amountArb,
    method: methodArb,
  }),
  fc.record({ kind: fc.constant('usage' as const), memberId: memberArb, amount: amountArb }),
  fc.record({
    kind: fc.constant('refund' as const),
    memberId: memberArb,
    amount: amountArb,
    method: methodArb,
  }),
  fc.record({
    kind: fc.constant('adjustment' as const),
    memberId: memberArb,
    delta: fc.integer({ min: -50_000, max: 50_000 }).filter((d) => d !== 0),
  }),
  fc.record({ kind: fc.constant('reversal' as const), target: fc.nat() }),
);

function transaction(op: Op, journal: readonly Posting[][]): Posting[] | null {
  switch (op.kind) {
    case 'topup':
      return topupPostings(op.memberId, op.amount, op.method);
    case 'usage':
      return usagePostings(op.memberId, 'laser-1', 'laser', op.amount);
    case 'refund':
      return refundPostings(op.memberId, op.amount, op.method);
    case 'adjustment':
      return adjustmentPostings(op.memberId, op.delta);
    case 'reversal': {
      const target = journal[op.target % Math.max(1, journal.length)];
      return target === undefined ? null : reversalPostings(target);
    }
  }
}

/** What each operation should do to a member's credit, stated without the ledger. */
function expectedCredit(op: Op, reversedDelta: Map<string, number>): Map<string, number> {
  switch (op.kind) {
    case 'topup':
      return new Map([[op.memberId, op.amount]]);
    case 'usage':
    case 'refund':
      return new Map([[op.memberId, -op.amount]]);
    case 'adjustment':
      return new Map([[op.memberId, op.delta]]);
    case 'reversal':
      return new Map([...reversedDelta].map(([m, d]) => [m, -d]));
  }
}

describe('ledger: properties', () => {
  it('any journal stays balanced and each credit is the sum of its deltas', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const journal: Posting[][] = [];
        const modelDeltas: Map<string, number>[] = [];
        const model = new Map<string, number>();
        for (const op of ops) {
          const tx = transaction(op, journal);
          if (tx === null) continue;
          expect(isBalanced(tx)).toBe(true);
          const reversed =
            op.kind === 'reversal' ? (modelDeltas[op.target % journal.length] ?? new Map()) : new Map();
          const delta = expectedCredit(op, reversed);
          expect(creditDelta(tx)).toEqual(delta);
          for (const [m, d] of delta) model.set(m, (model.get(m) ?? 0) + d);
          journal.push(tx);
          modelDeltas.push(delta);
        }
        const all = journal.flat();
        expect(sum(all)).toBe(0);
        const deltas = journal.map((tx) => creditDelta(tx));
        for (const m of MEMBERS) {
          const fromDeltas = deltas.reduce((s, d) => s + (d.get(m) ?? 0), 0);
          expect(memberCredit(all, m)).toBe(fromDeltas);
          expect(memberCredit(all, m)).toBe(model.get(m) ?? 0);
        }
        // the card liability is exactly the opposite of what members hold
        const cards = sum(all.filter((p) => p.account === 'member_cards'));
        expect(cards + MEMBERS.reduce((s, m) => s + memberCredit(all, m), 0)).toBe(0);
      }),
    );
  });

  it('a reversal cancels a transaction, and reversing the reversal restores it', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 20 }), opArb, (history, last) => {
        const journal: Posting[][] = [];
        for (const op of history) {
          const tx = transaction(op, journal);
          if (tx !== null) journal.push(tx);
        }
        const tx = transaction(
          last.kind === 'reversal' ? { kind: 'usage', memberId: 'm1', amount: 1 } : last,
          [],
        );
        if (tx === null) throw new Error('unreachable');
        const before = journal.flat();
        const withTx = [...before, ...tx];
        const reversal = reversalPostings(tx);
        const undone = [...withTx, ...reversal];
        const redone = [...undone, ...reversalPostings(reversal)];
        expect(reversalPostings(reversal)).toEqual(tx);
        expect(isBalanced(reversal)).toBe(true);
        for (const m of MEMBERS) {
          expect(memberCredit(undone, m)).toBe(memberCredit(before, m));
          expect(memberCredit(redone, m)).toBe(memberCredit(withTx, m));
        }
        const d = creditDelta(tx);
        for (const [m, v] of creditDelta(reversal)) expect(v).toBe(-(d.get(m) ?? 0));
      }),
    );
  });

  it('creditDelta agrees with memberCredit on any set of postings', () => {
    const postingArb: fc.Arbitrary<Posting> = fc.record(
      {
        account: fc.constantFrom(...ACCOUNTS),
        amountCents: fc.integer({ min: -10_000, max: 10_000 }),
        memberId: memberArb,
      },
      { requiredKeys: ['account', 'amountCents'] },
    );
    fc.assert(
      fc.property(fc.array(postingArb, { maxLength: 30 }), (postings) => {
        const deltas = creditDelta(postings);
        for (const m of MEMBERS) expect(deltas.get(m) ?? 0).toBe(memberCredit(postings, m));
        for (const m of deltas.keys()) expect(MEMBERS).toContain(m);
      }),
    );
  });
});
