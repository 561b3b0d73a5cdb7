/** What every dashboard handler sees: the API's dependencies, the signed-in person, the language. */
import type { Context } from 'hono';
import type { Principal } from '../application/auth.ts';
import type { RouteDeps } from '../application/deps.ts';
import type { Dict, Formatters, Lang } from './i18n/index.ts';

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export type DashEnv = {
  Variables: {
    deps: RouteDeps;
    /** null: nobody signed in */
    user: Principal | null;
    lang: Lang;
    t: Dict;
    fmt: Formatters;
    flash: Flash | null;
  };
};

export type DashContext = Context<DashEnv>;

/** The signed-in person; only called behind a guard that requires one. */
export function userOf(c: DashContext): Principal {
  const user = c.var.user;
  if (user === null) throw new Error('guarded route reached without a user');
  return user;
}
