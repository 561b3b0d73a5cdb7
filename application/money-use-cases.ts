/**
 * Issue #12: the three card-money actions as use cases — top up, refund, adjust — called alike
 * by POST /api/v1/members/{id}/topups|refunds|adjustments, the member page's forms and
 * `npm run cli -- topup|refund|adjust`. Each validates, claims its Idempotency-Key and posts in
 * one transaction (application/idempotency.ts), audits (moveMoney), and records the
 * machine-loop change: a new balance changes who may start a machine offline.
 */
import { z } from 'zod';
import { TOPUP_METHODS } from '../core/domain.ts';
import { idempotent } from './idempotency.ts';
import { type MoneyRequest, moveMoney } from './money.ts';
import { changedAfterCommit, recordChange, type UseCaseContext, validate } from './use-case.ts';

/** The largest amount moved at once (100 000 €): a typo guard. */
export const MAX_MONEY_CENTS = 10_000_000;

const memberId = z.string().trim().min(1).max(64);
const idempotencyKey = z
  .string()
  .trim()
  .min(1, 'a unique value per intended operation (a UUID, say)')
  .max(200);
const reference = z.string().trim().max(200).nullish();
const reason = z.string().trim().min(1, 'a reason is required').max(500);

export const topUpInput = z
  .object({
    memberId,
    idempotencyKey,
    amountCents: z.number().int().min(1).max(MAX_MONEY_CENTS),
    method: z.enum(TOPUP_METHODS),
    reference,
  })
  .strict();

export const refundInput = z
  .object({
    memberId,
    idempotencyKey,
    amountCents: z.number().int().min(1).max(MAX_MONEY_CENTS),
    method: z.enum(TOPUP_METHODS),
    reason,
    reference,
  })
  .strict();

export const adjustInput = z
  .object({
    memberId,
    idempotencyKey,
    amountCents: z
      .number()
      .int()
      .min(-MAX_MONEY_CENTS)
      .max(MAX_MONEY_CENTS)
      .refine((v) => v !== 0, 'an adjustment is not 0'),
    reason,
    reference,
    /** below the lowest machine floor on purpose (issue #9); audited */
    override: z.boolean().optional(),
  })
  .strict();

export type TopUpInput = z.input<typeof topUpInput>;
export type RefundInput = z.input<typeof refundInput>;
export type AdjustInput = z.input<typeof adjustInput>;

export interface MoneyMovement {
  transactionId: string;
  kind: 'topup' | 'refund' | 'adjustment';
  memberId: string;
  amountCents: number;
  method: string | null;
  reference: string | null;
  reason: string | null;
  balanceCents: number;
  createdAt: string;
  createdBy: string;
}

/** The movement, and whether it is the stored answer of an earlier request with this key. */
export interface MoneyAnswer {
  movement: MoneyMovement;
  replayed: boolean;
}

/** Credits a member's card (SPEC §3 top-ups). */
export function topUp(ctx: UseCaseContext, input: TopUpInput): Promise<MoneyAnswer> {
  const v = validate(topUpInput, input);
  return move(ctx, 'topup', v.memberId, v.idempotencyKey, {
    amountCents: v.amountCents,
    method: v.method,
    reference: v.reference ?? null,
  });
}

/** Gives back part of a card's balance, never more than it holds. */
export function refund(ctx: UseCaseContext, input: RefundInput): Promise<MoneyAnswer> {
  const v = validate(refundInput, input);
  return move(ctx, 'refund', v.memberId, v.idempotencyKey, {
    amountCents: v.amountCents,
    method: v.method,
    reason: v.reason,
    reference: v.reference ?? null,
  });
}

/** Corrects a card by a signed amount, above the lowest machine floor unless overridden. */
export function adjust(ctx: UseCaseContext, input: AdjustInput): Promise<MoneyAnswer> {
  const v = validate(adjustInput, input);
  return move(ctx, 'adjustment', v.memberId, v.idempotencyKey, {
    amountCents: v.amountCents,
    reason: v.reason,
    reference: v.reference ?? null,
    ...(v.override === true ? { override: true } : {}),
  });
}

async function move(
  ctx: UseCaseContext,
  kind: MoneyMovement['kind'],
  memberId: string,
  key: string,
  request: MoneyRequest,
): Promise<MoneyAnswer> {
  const changed = { memberIds: [memberId] };
  // One scope per kind and card whichever door the request came in by (API, page, CLI): a key
  // is one operation. The hash covers the normalised request, so the same top-up sent by the
  // page and then by the API with its key is one top-up.
  const answer = await idempotent(ctx.db, `${kind}:${memberId}`, key, request, async (tx) => {
    const body = await moveMoney(tx, ctx.by, kind, memberId, request, ctx.now());
    await recordChange(tx, changed);
    return { status: 201, body };
  });
  if (!answer.replayed) changedAfterCommit(ctx, changed);
  return { movement: answer.body as MoneyMovement, replayed: answer.replayed };
}
