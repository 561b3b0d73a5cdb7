/**
 * HelloAsso actions as use cases (issue #12 convention, application/use-case.ts): the API
 * routes, the dashboard pages and the CLI call these; each validates, does its work in the
 * payments' transactions, audits, and tells the machine loop whose card moved.
 */
import { z } from 'zod';
import { audit } from '../audit.ts';
import type { HelloassoDeps } from '../deps.ts';
import { invalid } from '../errors.ts';
import {
  type HelloassoSettings,
  helloassoSchema,
  helloassoSettings,
  publicHelloasso,
  updateHelloassoSettings,
} from '../treasury-settings.ts';
import type { UseCaseContext } from '../use-case.ts';
import { HelloassoError } from './client.ts';
import { assignPayment } from './queue.ts';
import { clientFor, handleWebhook, missingSettings, syncPayments } from './sync.ts';

/** The settings in force: stored ones over HELLOASSO_* from the environment. */
export async function currentHelloasso(ctx: Pick<UseCaseContext, 'db'>, ha: HelloassoDeps = {}) {
  return helloassoSettings(ctx.db, ha.env ?? {});
}

/** A HelloAsso notification (public webhook): only says which payments to fetch again. */
export async function receiveHelloassoNotification(
  ctx: Pick<UseCaseContext, 'db' | 'loop' | 'now'>,
  body: unknown,
  ha: HelloassoDeps = {},
) {
  const settings = await currentHelloasso(ctx, ha);
  const client = clientFor(settings, ha.fetch);
  const r = await handleWebhook(ctx.db, client, settings, body, ctx.now());
  // The outbox rows were written with each payment (payments.ts); this process's loop at once.
  const memberIds = [...new Set(r.payments.flatMap((p) => p.memberIds))];
  if (memberIds.length > 0) ctx.loop.changed({ memberIds });
  return {
    handled: r.payments.length,
    credited: r.payments.filter((p) => p.changed && p.status === 'credited').length,
    unknown: r.unknown.length,
  };
}

/** Catch-up: every payment of the machine-card form updated in [from, to). */
export async function syncHelloasso(
  ctx: UseCaseContext,
  range: { from: Date; to: Date },
  ha: HelloassoDeps = {},
) {
  if (!(range.from < range.to)) throw invalid('from', '"from" must be before "to"');
  const settings = await currentHelloasso(ctx, ha);
  const client = clientFor(settings, ha.fetch);
  const { memberIds, ...result } = await syncPayments(ctx.db, client, settings, range, ctx.now());
  if (memberIds.length > 0) ctx.loop.changed({ memberIds });
  await audit(ctx.db, {
    actor: ctx.by,
    action: 'helloasso_sync',
    entity: 'helloasso',
    entityId: 'sync',
    after: { from: range.from.toISOString(), to: range.to.toISOString(), ...result },
  });
  return result;
}

const assignInput = z
  .object({
    paymentId: z.string().regex(/^\d{1,20}$/, 'a HelloAsso payment id'),
    memberId: z.string().min(1).max(200),
  })
  .strict();

/** The treasurer credits an unmatched payment to a member (once). */
export async function assignHelloassoPayment(ctx: UseCaseContext, input: z.infer<typeof assignInput>) {
  const parsed = assignInput.safeParse(input);
  if (!parsed.success) throw invalid('paymentId', parsed.error.issues[0]?.message ?? 'invalid');
  const result = await assignPayment(ctx.db, ctx.by, parsed.data.paymentId, parsed.data.memberId, ctx.now());
  ctx.loop.changed({ memberIds: [parsed.data.memberId] });
  return result;
}

/** Changes some HelloAsso settings (the others keep their value); the secret is never shown. */
export async function saveHelloassoSettings(
  ctx: UseCaseContext,
  patch: HelloassoSettings,
  ha: HelloassoDeps = {},
) {
  const parsed = helloassoSchema.safeParse(patch);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(String(issue?.path[0] ?? 'settings'), issue?.message ?? 'invalid');
  }
  await updateHelloassoSettings(ctx.db, parsed.data);
  const after = publicHelloasso(await currentHelloasso(ctx, ha));
  await audit(ctx.db, {
    actor: ctx.by,
    action: 'update',
    entity: 'settings',
    entityId: 'helloasso',
    after,
  });
  return after;
}

export type ConnectionStep = 'settings' | 'token' | 'list';
export type ConnectionReport =
  | { ok: true; payments: number }
  | { ok: false; step: ConnectionStep; missing?: string[]; status?: number | null; detail: string };

/**
 * "Test the connection" (issue #12): the token endpoint with the stored credentials, then one
 * list call on the machine-card form. Says which step failed; changes nothing but the audit.
 */
export async function testHelloassoConnection(
  ctx: UseCaseContext,
  ha: HelloassoDeps = {},
): Promise<ConnectionReport> {
  const settings = await currentHelloasso(ctx, ha);
  const missing = missingSettings(settings);
  let report: ConnectionReport;
  if (missing.length > 0) {
    report = { ok: false, step: 'settings', missing, detail: `missing ${missing.join(', ')}` };
  } else {
    // A client of its own: a test must ask for a token, not reuse the one in service.
    const client = clientFor(settings, ha.fetch, { fresh: true });
    report = await probe(client, settings);
  }
  await audit(ctx.db, {
    actor: ctx.by,
    action: 'helloasso_test',
    entity: 'settings',
    entityId: 'helloasso',
    after: report,
  });
  return report;
}

async function probe(client: ReturnType<typeof clientFor>, s: HelloassoSettings): Promise<ConnectionReport> {
  const failure = (step: ConnectionStep, e: unknown): ConnectionReport => ({
    ok: false,
    step,
    status: e instanceof HelloassoError ? e.status : null,
    detail: e instanceof Error ? e.message : String(e),
  });
  try {
    await client.accessToken();
  } catch (e) {
    return failure('token', e);
  }
  try {
    const count = await client.probe(s.organizationSlug!, s.formType!, s.formSlug!);
    if (count === null) return { ok: false, step: 'list', status: 404, detail: 'form not found' };
    return { ok: true, payments: count };
  } catch (e) {
    return failure('list', e);
  }
}
