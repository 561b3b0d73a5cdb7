/**
 * Card money from a terminal (issue #12): `topup`, `refund`, `adjust` call the same use cases
 * as the API and the dashboard, so a CLI top-up is audited as `cli` and reaches the running
 * server's machine loop through the `machine_loop_changes` outbox (docs/mqtt.md).
 */
import { randomUUID } from 'node:crypto';
import { adjust, type MoneyAnswer, refund, topUp } from '../application/money-use-cases.ts';
import { loadSiteKeys } from '../application/site-keys.ts';
import { cliContext, type UseCaseContext } from '../application/use-case.ts';
import { TOPUP_METHODS, type TopupMethod } from '../core/domain.ts';
import { parseEuros } from '../core/euros.ts';
import { type CliContext, type Command, need, UsageError } from './command.ts';

/** The use cases' context for a CLI command: the operator is `cli`. */
export async function useCases(ctx: CliContext): Promise<UseCaseContext> {
  return cliContext({
    db: ctx.db,
    keys: await loadSiteKeys(ctx.db),
    now: ctx.now,
    labTimeZone: ctx.env.LAB_TIMEZONE,
  });
}

type Values = Record<string, string | boolean | undefined>;

function amount(values: Values, signed: boolean): number {
  const cents = parseEuros(need(values, 'amount'));
  if (cents === null || cents === 0 || (!signed && cents < 0)) {
    throw new UsageError(`--amount is an amount in euros${signed ? ', + or −' : ''}: 20 or 12,50`);
  }
  return cents;
}

function method(values: Values): TopupMethod {
  const m = need(values, 'method');
  if (!(TOPUP_METHODS as readonly string[]).includes(m)) {
    throw new UsageError(`--method is one of ${TOPUP_METHODS.join(', ')}`);
  }
  return m as TopupMethod;
}

const optional = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

const common = {
  reference: { type: 'string', help: 'receipt, cheque or payment number' },
  key: {
    type: 'string',
    help: 'idempotency key: the same key again changes nothing (default: a new one each run)',
  },
} as const;

function report(ctx: CliContext, what: string, answer: MoneyAnswer): void {
  const m = answer.movement;
  ctx.say(
    answer.replayed
      ? `already done with this --key: ${what} not repeated; balance ${m.balanceCents / 100} €`
      : `${what}: ${m.amountCents / 100} €; balance ${m.balanceCents / 100} €`,
  );
  ctx.out(JSON.stringify(m));
}

export const topUpCommand: Command = {
  name: 'topup',
  usage: 'topup <memberId> --amount 20 --method cash [--reference R-12] [--key K]',
  summary: 'Credit a member’s card (as the dashboard and POST /members/{id}/topups do)',
  options: {
    amount: { type: 'string', help: 'euros, e.g. 20 or 12,50' },
    method: { type: 'string', help: TOPUP_METHODS.join(', ') },
    ...common,
  },
  async run(ctx, [memberId], values) {
    if (!memberId) throw new UsageError('which member? topup <memberId> --amount 20 --method cash');
    const answer = await topUp(await useCases(ctx), {
      memberId,
      idempotencyKey: optional(values.key) ?? randomUUID(),
      amountCents: amount(values, false),
      method: method(values),
      reference: optional(values.reference) ?? null,
    });
    report(ctx, 'topped up', answer);
  },
};

export const refundCommand: Command = {
  name: 'refund',
  usage: 'refund <memberId> --amount 5 --method cash --reason "leaving" [--key K]',
  summary: 'Give back part of a card’s balance (never more than it holds)',
  options: {
    amount: { type: 'string', help: 'euros, e.g. 5' },
    method: { type: 'string', help: TOPUP_METHODS.join(', ') },
    reason: { type: 'string', help: 'why (required, audited)' },
    ...common,
  },
  async run(ctx, [memberId], values) {
    if (!memberId)
      throw new UsageError('which member? refund <memberId> --amount 5 --method cash --reason …');
    const answer = await refund(await useCases(ctx), {
      memberId,
      idempotencyKey: optional(values.key) ?? randomUUID(),
      amountCents: amount(values, false),
      method: method(values),
      reason: need(values, 'reason'),
      reference: optional(values.reference) ?? null,
    });
    report(ctx, 'refunded', answer);
  },
};

export const adjustCommand: Command = {
  name: 'adjust',
  usage: 'adjust <memberId> --amount -2,50 --reason "double debit" [--override] [--key K]',
  summary: 'Correct a card by a signed amount (below the lowest machine floor only with --override)',
  options: {
    amount: { type: 'string', help: 'signed euros, e.g. -2,50' },
    reason: { type: 'string', help: 'why (required, audited)' },
    override: { type: 'boolean', help: 'take the card below the lowest machine floor on purpose' },
    ...common,
  },
  async run(ctx, [memberId], values) {
    if (!memberId) throw new UsageError('which member? adjust <memberId> --amount -2,50 --reason …');
    const answer = await adjust(await useCases(ctx), {
      memberId,
      idempotencyKey: optional(values.key) ?? randomUUID(),
      amountCents: amount(values, true),
      reason: need(values, 'reason'),
      reference: optional(values.reference) ?? null,
      ...(values.override === true ? { override: true } : {}),
    });
    report(ctx, 'adjusted', answer);
  },
};
