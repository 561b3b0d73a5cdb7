/**
 * Webhook handling and catch-up (issue #5). A notification only says "look at payment N"
 * (or an order's payments); everything posted comes from HelloAsso's API. The sync command
 * lists the machine-card form's payments over a period to recover missed notifications.
 */
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { HelloassoSettings } from '../treasury-settings.ts';
import { HelloassoClient } from './client.ts';
import { applyPayment, type PaymentOutcome, refreshPayment } from './payments.ts';

const paymentId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** What a notification body points at (HelloAsso documents Payment and Order notifications). */
export const webhookSchema = z.looseObject({
  eventType: z.string().max(50),
  data: z.looseObject({
    id: z.unknown().optional(),
    payments: z
      .array(z.looseObject({ id: z.unknown() }))
      .max(100)
      .optional(),
  }),
});

export function paymentIdsOf(body: unknown): number[] {
  const parsed = webhookSchema.safeParse(body);
  if (!parsed.success) return [];
  const { eventType, data } = parsed.data;
  const ids: unknown[] =
    eventType === 'Payment' ? [data.id] : eventType === 'Order' ? (data.payments ?? []).map((p) => p.id) : [];
  return [
    ...new Set(
      ids.flatMap((id) => {
        const p = paymentId.safeParse(id);
        return p.success ? [p.data] : [];
      }),
    ),
  ];
}

export class HelloassoNotConfiguredError extends Error {
  constructor(missing: string[]) {
    super(
      `HelloAsso is not configured (missing ${missing.join(', ')}): set HELLOASSO_* or PUT /api/v1/settings/helloasso`,
    );
  }
}

export function clientFor(settings: HelloassoSettings, fetchImpl?: typeof fetch): HelloassoClient {
  const missing = (['baseUrl', 'clientId', 'clientSecret'] as const).filter((k) => !settings[k]);
  if (missing.length > 0) throw new HelloassoNotConfiguredError(missing);
  return new HelloassoClient({
    baseUrl: settings.baseUrl!,
    clientId: settings.clientId!,
    clientSecret: settings.clientSecret!,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

export async function handleWebhook(
  db: Db,
  client: HelloassoClient,
  settings: HelloassoSettings,
  body: unknown,
  now: Date,
): Promise<{ payments: PaymentOutcome[]; unknown: number[] }> {
  const out: PaymentOutcome[] = [];
  const unknown: number[] = [];
  for (const id of paymentIdsOf(body)) {
    const outcome = await refreshPayment(db, client, settings, id, now);
    if (outcome === null) unknown.push(id);
    else out.push(outcome);
  }
  return { payments: out, unknown };
}

export interface SyncResult {
  seen: number;
  credited: number;
  refunded: number;
  unmatched: number;
  unchanged: number;
}

export async function syncPayments(
  db: Db,
  client: HelloassoClient,
  settings: HelloassoSettings,
  range: { from: Date; to: Date },
  now: Date,
  progress?: (seen: number) => void,
): Promise<SyncResult> {
  const missing = (['organizationSlug', 'formType', 'formSlug'] as const).filter((k) => !settings[k]);
  if (missing.length > 0) throw new HelloassoNotConfiguredError(missing);
  const result: SyncResult = { seen: 0, credited: 0, refunded: 0, unmatched: 0, unchanged: 0 };
  for await (const listed of client.formPayments(
    settings.organizationSlug!,
    settings.formType!,
    settings.formSlug!,
    range.from,
    range.to,
  )) {
    result.seen++;
    const order =
      settings.matchField && listed.order?.id !== undefined ? await client.order(listed.order.id) : null;
    const outcome = await applyPayment(db, listed, { settings, order, now });
    if (!outcome.changed) result.unchanged++;
    else if (outcome.status === 'credited') result.credited++;
    else if (outcome.status === 'refunded') result.refunded++;
    else if (outcome.status === 'unmatched') result.unmatched++;
    else result.unchanged++;
    progress?.(result.seen);
  }
  return result;
}
