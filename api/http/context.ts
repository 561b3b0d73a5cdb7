/** What every route receives: its dependencies and, once the guard has run, the caller. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Principal } from '../../application/auth.ts';
import type { RouteDeps } from '../../application/deps.ts';

export type { AppDeps, HealthReport, RouteDeps } from '../../application/deps.ts';

export type AppEnv = { Variables: { principal: Principal; deps: RouteDeps } };
export type App = OpenAPIHono<AppEnv>;
