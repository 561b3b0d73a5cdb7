/**
 * Fault injection for the deterministic simulation (issue #10): wraps the database handle
 * so that a transaction can fail where a real one would — before it starts (database down,
 * connection refused), or after its work but before COMMIT (server killed, connection cut),
 * in which case the database rolls the whole transaction back. What happens after a commit
 * (the answer or the acknowledgement lost) is the simulation's to model.
 */
import type { Db } from '../../db/client.ts';

export type FaultPoint = 'before' | 'beforeCommit';

/** What a transient fault looks like to the code under test (node-postgres' wording). */
export class InjectedFault extends Error {
  readonly code = 'ECONNRESET';
  constructor(point: FaultPoint) {
    super(`Connection terminated unexpectedly (injected ${point})`);
  }
}

export interface FaultPlan {
  /** decides, for each transaction, whether and where it fails */
  next(): FaultPoint | null;
}

export const noFaults: FaultPlan = { next: () => null };

/** The database handle with `transaction` failing where the plan says; everything else as is. */
export function faultyDb(db: Db, plan: () => FaultPlan): Db {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'transaction') {
        return async (fn: (tx: unknown) => Promise<unknown>, config?: unknown) => {
          const fault = plan().next();
          if (fault === 'before') throw new InjectedFault('before');
          return (target.transaction as (f: typeof fn, c?: unknown) => Promise<unknown>)(async (tx) => {
            const result = await fn(tx);
            if (fault === 'beforeCommit') throw new InjectedFault('beforeCommit');
            return result;
          }, config);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
