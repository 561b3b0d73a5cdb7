/**
 * Webhook handling and catch-up (issues #5, #11). A notification only says "look at payment
 * N" (or an order's payments); everything posted comes from HelloAsso's API. The sync lists
 * the machine-card form's payments by update date to recover missed notifications, including
 * a late refund of an older payment.
 *
 * Notification shapes from dev.helloasso.com/docs (notification examples): `{ eventType:
 * "Payment", data: Payment }` and `{ eventType: "Order", data: Order with payments[] }`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { HelloassoSettings } from '../treasury-settings.ts';
import { HelloassoClient } from './client.ts';
import { applyPayment, orderFor, refreshPayment } from './payments.ts';
import type { PaymentOutcome } from './public.ts';

const paymentId = z.coerce
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);

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
  constructor(readonly missing: string[]) {
    super(
      `HelloAsso is not configured (missing ${missing.join(', ')}): set HELLOASSO_* or PUT /api/v1/settings/helloasso`,
    );
  }
}

/** Which settings the payments need that are missing (empty when HelloAsso is configured). */
export function missingSettings(settings: HelloassoSettings): string[] {
  return (
    ['baseUrl', 'clientId', 'clientSecret', 'organizationSlug', 'formType', 'formSlug'] as const
  ).filter((k) => !settings[k]);
}

// One client per credentials (and fetch, for tests), so its OAuth token is reused across
// requests until it expires (issue #11 item 9: not one token per call).
const clients = new Map<string, { client: HelloassoClient; fetch: typeof fetch | undefined }>();
const MAX_CLIENTS = 32;

export function clientFor(
  settings: HelloassoSettings,
  fetchImpl?: typeof fetch,
  options: { now?: () => number; fresh?: boolean } = {},
): HelloassoClient {
  const missing = (['baseUrl', 'clientId', 'clientSecret'] as const).filter((k) => !settings[k]);
  if (missing.length > 0) throw new HelloassoNotConfiguredError(missing);
  const credentials = {
    baseUrl: settings.baseUrl!,
    clientId: settings.clientId!,
    clientSecret: settings.clientSecret!,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  if (options.fresh) return new HelloassoClient(credentials);
  const key = createHash('sha256')
    .update(JSON.stringify([credentials.baseUrl, credentials.clientId, credentials.clientSecret]))
    .digest('hex');
  const known = clients.get(key);
  if (known !== undefined && known.fetch === fetchImpl) return known.client;
  if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
  const client = new HelloassoClient(credentials);
  clients.set(key, { client, fetch: fetchImpl });
  return client;
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
  contested: number;
  unmatched: number;
  unchanged: number;
  /** payments whose card credit was (partly) taken back during this sync */
  reversed: number;
}

/**
 * Every payment of the machine-card form updated at or after `range.from` (and before
 * `range.to`), most recently updated first.
 */
export async function syncPayments(
  db: Db,
  client: HelloassoClient,
  settings: HelloassoSettings,
  range: { from: Date; to: Date },
  now: Date,
  progress?: (seen: number) => void,
): Promise<SyncResult & { memberIds: string[] }> {
  const missing = (['organizationSlug', 'formType', 'formSlug'] as const).filter((k) => !settings[k]);
  if (missing.length > 0) throw new HelloassoNotConfiguredError(missing);
  const result: SyncResult = {
    seen: 0,
    credited: 0,
    refunded: 0,
    contested: 0,
    unmatched: 0,
    unchanged: 0,
    reversed: 0,
  };
  const memberIds = new Set<string>();
  for await (const listed of client.formPaymentsUpdatedSince(
    settings.organizationSlug!,
    settings.formType!,
    settings.formSlug!,
    range.from,
  )) {
    const updated = listed.meta?.updatedAt ? new Date(listed.meta.updatedAt) : null;
    if (updated !== null && updated >= range.to) continue;
    result.seen++;
    const outcome = await applyPayment(db, listed, {
      settings,
      order: await orderFor(client, settings, listed),
      now,
    });
    for (const m of outcome.memberIds) memberIds.add(m);
    if (outcome.tookBack) result.reversed++;
    if (!outcome.changed) result.unchanged++;
    else if (outcome.status === 'credited') result.credited++;
    else if (outcome.status === 'refunded') result.refunded++;
    else if (outcome.status === 'contested') result.contested++;
    else if (outcome.status === 'unmatched') result.unmatched++;
    else result.unchanged++;
    progress?.(result.seen);
  }
  return { ...result, memberIds: [...memberIds] };
}
