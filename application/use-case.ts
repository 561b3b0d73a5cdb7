/**
 * The shape every use case shares (issue #12): one exported async function per action that a
 * person or a device can take — validate its input (zod), run one transaction, write the audit
 * entry, then tell the machine loop what changed — called alike by the API route, the dashboard
 * page and the CLI. Nothing else repeats those steps, so nothing forgets one.
 *
 *   export async function topUp(ctx: UseCaseContext, input: TopUpInput): Promise<TopUpResult>
 *
 * The machine-loop notification is `runUseCase`'s: the work returns what it changed, the change
 * is written to the `machine_loop_changes` outbox in the same transaction (any server picks it
 * up, even when the CLI did it), and this process's loop hears it after the commit.
 *
 * Errors are `ServiceError`s (application/errors.ts) with a message a person can act on; the
 * adapters turn them into problem+json or a flash message.
 */
import type { z } from 'zod';
import type { Db, Tx } from '../db/client.ts';
import { withTransaction } from '../db/transaction.ts';
import { createLogger } from '../logging/logger.ts';
import type { Actor } from './audit.ts';
import { actorOf, type Principal } from './auth.ts';
import type { RouteDeps } from './deps.ts';
import { noDeviceConnections } from './devices.ts';
import { ServiceError } from './errors.ts';
import { type LoopChange, recordLoopChange } from './loop-changes.ts';
import { type MachineLoopPort, noMachineLoop } from './ports/machine-loop.ts';
import type { SiteKeys } from './site-keys.ts';

/** What a use case may touch: the process's collaborators and who is acting. */
export type UseCaseContext = Pick<
  RouteDeps,
  'db' | 'keys' | 'loop' | 'now' | 'log' | 'labTimeZone' | 'devices'
> & {
  /** the signed-in person (staff or member), or the CLI's operator */
  actor: Principal;
  /** how the audit log names the actor: `staff:<id>`, `member:<id>`, or `cli` */
  by: Actor;
};

/** The context for `actor` from an adapter's dependencies. */
export function useCaseContext(deps: RouteDeps, actor: Principal): UseCaseContext {
  const { db, keys, loop, now, log, labTimeZone, devices } = deps;
  return { db, keys, loop, now, log, labTimeZone, devices, actor, by: actorOf(actor) };
}

/**
 * The CLI's operator: whoever may open the database may do what an admin does (the CLI has
 * always been trusted so, issue #5); audited as `cli`.
 */
export const CLI_OPERATOR: Principal = {
  kind: 'staff',
  id: 'cli',
  name: 'CLI',
  email: '',
  roles: ['admin', 'treasurer'],
  trainerOf: [],
  memberId: null,
  tokenId: '',
};

/**
 * The CLI's context: no machine loop in this process; the outbox carries the changes to the
 * running server(s).
 */
export function cliContext(opts: {
  db: Db;
  keys: SiteKeys;
  now: Date;
  labTimeZone: string;
  loop?: MachineLoopPort;
}): UseCaseContext {
  return {
    db: opts.db,
    keys: opts.keys,
    loop: opts.loop ?? noMachineLoop,
    now: () => opts.now,
    log: createLogger('error'),
    labTimeZone: opts.labTimeZone,
    devices: noDeviceConnections,
    actor: CLI_OPERATOR,
    by: 'cli',
  };
}

/** What a use case's work returns: its result, and what the machine loop must hear. */
export interface Outcome<T> {
  result: T;
  /** null or omitted: nothing the allow-lists depend on changed */
  changed?: LoopChange | null | undefined;
}

/** Records the change in `tx` (the outbox row commits with the work). */
export async function recordChange(tx: Tx, changed: LoopChange | null | undefined): Promise<void> {
  if (changed) await recordLoopChange(tx, changed);
}

/** After the commit: this process's loop republishes at once (others poll the outbox). */
export function changedAfterCommit(ctx: UseCaseContext, changed: LoopChange | null | undefined): void {
  if (changed) ctx.loop.changed(changed);
}

/**
 * The one transaction of a use case (retried whole on a deadlock, db/transaction.ts), its
 * machine-loop change written inside it, and this process's loop told after the commit.
 */
export async function runUseCase<T>(ctx: UseCaseContext, work: (tx: Tx) => Promise<Outcome<T>>): Promise<T> {
  const outcome = await withTransaction(ctx.db, async (tx) => {
    const o = await work(tx);
    await recordChange(tx, o.changed);
    return o;
  });
  changedAfterCommit(ctx, outcome.changed);
  return outcome.result;
}

/** Validates a use case's input: a `ServiceError('invalid')` naming each bad field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => ({
    field: i.path.join('.') || '(input)',
    detail: i.message,
  }));
  throw new ServiceError(
    'invalid',
    `Invalid input: ${fields.map((f) => `${f.field}: ${f.detail}`).join('; ')}`,
    fields,
  );
}
