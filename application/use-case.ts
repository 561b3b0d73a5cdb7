/**
 * The shape every use case shares (issue #12): one exported async function per action that a
 * person or a device can take — validate its input (zod), run one transaction, write the audit
 * entry, then tell the machine loop what changed — called alike by the API route, the dashboard
 * page and the CLI. Nothing else repeats those steps, so nothing forgets one.
 *
 *   export async function topUp(ctx: UseCaseContext, input: TopUpInput): Promise<TopUpResult>
 *
 * Errors are `ServiceError`s (application/errors.ts) with a message a person can act on; the
 * adapters turn them into problem+json or a flash message.
 */
import type { Principal } from './auth.ts';
import type { RouteDeps } from './deps.ts';

/** What a use case may touch: the process's collaborators and who is acting. */
export type UseCaseContext = Pick<
  RouteDeps,
  'db' | 'keys' | 'loop' | 'now' | 'log' | 'labTimeZone' | 'devices'
> & {
  /** the signed-in person (staff or member), or the CLI's operator */
  actor: Principal;
};

/** The context for `actor` from an adapter's dependencies. */
export function useCaseContext(deps: RouteDeps, actor: Principal): UseCaseContext {
  const { db, keys, loop, now, log, labTimeZone, devices } = deps;
  return { db, keys, loop, now, log, labTimeZone, devices, actor };
}
