/**
 * SPEC §3 POST /members/{id}/topups (admin, treasurer) with a required Idempotency-Key; refunds
 * and adjustments work the same way and need a reason.
 */
import { z } from '@hono/zod-openapi';
import { adjust, MAX_MONEY_CENTS, refund, topUp } from '../../../application/money-use-cases.ts';
import { useCaseContext } from '../../../application/use-case.ts';
import { TOPUP_METHODS } from '../../../core/domain.ts';
import type { App } from '../../http/context.ts';
import { MONEY } from '../../http/guard.ts';
import { defineRoute, idParam, jsonBody, jsonResponse } from '../../http/route.ts';

const tags = ['money'];
const MAX_CENTS = MAX_MONEY_CENTS;

const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .trim()
    .min(1, 'send an Idempotency-Key header: a unique value per intended operation (a UUID, say)')
    .max(200)
    .openapi({
      param: { name: 'Idempotency-Key', in: 'header' },
      example: '6f1c8f1e-3b1c-4f6e-9a57-0d6c2f7d2a10',
    }),
});

const reference = z
  .string()
  .trim()
  .max(200)
  .nullable()
  .optional()
  .openapi({ description: 'receipt, cheque or payment number' });
const reason = z.string().trim().min(1, 'a reason is required').max(500);
const method = z.enum(TOPUP_METHODS);

const bodies = {
  topup: z
    .object({ amountCents: z.number().int().min(1).max(MAX_CENTS), method, reference })
    .strict()
    .openapi('Topup'),
  refund: z
    .object({ amountCents: z.number().int().min(1).max(MAX_CENTS), method, reason, reference })
    .strict()
    .openapi('Refund'),
  adjustment: z
    .object({
      amountCents: z
        .number()
        .int()
        .min(-MAX_CENTS)
        .max(MAX_CENTS)
        .refine((v) => v !== 0, 'an adjustment is not 0')
        .openapi({ description: 'signed: positive adds credit, negative removes it' }),
      reason,
      reference,
      override: z
        .boolean()
        .optional()
        .openapi({
          description:
            'true to take the card below the lowest machine floor (−the largest overdraftLimitCents) on purpose; ' +
            'without it such an adjustment is refused with 409. Recorded in the audit log.',
        }),
    })
    .strict()
    .openapi('Adjustment'),
} as const;

const answerSchema = z
  .object({
    transactionId: z.string(),
    kind: z.enum(['topup', 'refund', 'adjustment']),
    memberId: z.string(),
    amountCents: z.number().int(),
    method: z.string().nullable(),
    reference: z.string().nullable(),
    reason: z.string().nullable(),
    balanceCents: z.number().int().openapi({ description: 'the card’s balance after this operation' }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('MoneyMovement');

const SUMMARIES = {
  topup: 'Top up a member’s card (Idempotency-Key required)',
  refund: 'Refund part of a card’s balance (reason required, Idempotency-Key required)',
  adjustment: 'Correct a card’s balance by a signed amount (reason required, Idempotency-Key required)',
} as const;

function moneyRoute<K extends keyof typeof bodies>(kind: K, segment: string) {
  return defineRoute(MONEY, {
    method: 'post',
    path: `/api/v1/members/{id}/${segment}`,
    tags,
    summary: SUMMARIES[kind],
    description:
      'The same Idempotency-Key and body again → the same answer, nothing new (header Idempotent-Replayed: true); ' +
      'the same key with another body → 409.',
    request: { params: idParam, headers: idempotencyHeader, body: jsonBody(bodies[kind]) },
    responses: { 201: jsonResponse('Posted', answerSchema) },
  });
}

export function registerMoneyRoutes(app: App): void {
  for (const [kind, segment] of [
    ['topup', 'topups'],
    ['refund', 'refunds'],
    ['adjustment', 'adjustments'],
  ] as const) {
    app.openapi(moneyRoute(kind, segment), async (c) => {
      // Issue #12: the route only translates HTTP; the use case validates, posts, audits, notifies.
      const ctx = useCaseContext(c.var.deps, c.var.principal);
      const input = {
        ...(c.req.valid('json') as object),
        memberId: c.req.valid('param').id,
        idempotencyKey: c.req.valid('header')['Idempotency-Key'],
      };
      const answer =
        kind === 'topup'
          ? await topUp(ctx, input as Parameters<typeof topUp>[1])
          : kind === 'refund'
            ? await refund(ctx, input as Parameters<typeof refund>[1])
            : await adjust(ctx, input as Parameters<typeof adjust>[1]);
      c.header('idempotent-replayed', String(answer.replayed));
      return c.json(answer.movement as z.infer<typeof answerSchema>, 201);
    });
  }
}
