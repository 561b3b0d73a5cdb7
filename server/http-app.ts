/**
 * The composition root's HTTP side: the API (api/) and the dashboard (dashboard/) mounted side
 * by side on one Hono app. Neither adapter imports the other; both receive the same resolved
 * dependencies here, and share the measurements, the 413 handling and the URL checks.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { createApi } from '../api/app.ts';
import type { AppEnv } from '../api/http/context.ts';
import { type AppDeps, resolveDeps } from '../application/deps.ts';
import { createDashboard, dashboardNotFound } from '../dashboard/app.tsx';
import type { DashContext } from '../dashboard/context.ts';
import { metrics } from '../logging/metrics.ts';
import { refuseControlCharactersInUrl } from '../web/control-chars.ts';
import { lingerOnClose } from '../web/linger.ts';
import { Problem, toProblem } from '../web/problem.ts';

export type { AppDeps } from '../application/deps.ts';

const requests = metrics.counter('http_requests_total', 'HTTP requests by method, route and status');
const durations = metrics.histogram(
  'http_request_duration_seconds',
  'HTTP request duration by method and route',
);

/** Counts every request under its route pattern, not its URL (bounded label values). */
const measure: MiddlewareHandler = async (c, next) => {
  const start = performance.now();
  await next();
  const pattern = routePath(c, -1);
  const route = pattern === '*' || pattern === '/*' || pattern === '' ? 'unmatched' : pattern;
  requests.inc({ method: c.req.method, route, status: c.res.status });
  durations.observe((performance.now() - start) / 1000, { method: c.req.method, route });
};

/**
 * A 413 (the API's, or the dashboard's form limit) leaves the rest of the body unread: close
 * the connection once the answer is out, cleanly (`Connection: close`, lingering close), so
 * that a keep-alive client opens a fresh one instead of reusing a socket the server is about
 * to drop (issue #9).
 */
const closeAfter413: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.status !== 413) return;
  lingerOnClose(c.env);
  const res = new Response(c.res.body, c.res);
  res.headers.set('connection', 'close');
  c.res = res;
};

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const full = resolveDeps(deps);
  const app = new Hono<AppEnv>();
  app.use('*', measure);
  app.use('*', closeAfter413);
  app.use('*', refuseControlCharactersInUrl);
  app.use('*', async (c, next) => {
    c.set('deps', full);
    await next();
  });
  app.route('/', createApi(full, deps));
  // The dashboard (issue #4) at `/`: its own guards on every route, the application's use cases.
  app.route('/', createDashboard());

  // A mistyped dashboard address gets the dashboard's page in the visitor's language; the API's
  // paths keep their problem+json (outsider's check, issue #12).
  app.notFound((c) => {
    if (c.req.path !== '/api' && !c.req.path.startsWith('/api/'))
      return dashboardNotFound(c as unknown as DashContext);
    return new Problem(
      404,
      `No route ${c.req.method} ${c.req.path}; see /api/docs for the routes.`,
    ).toResponse();
  });
  app.onError((error, c) => {
    const problem = toProblem(error);
    if (problem.status >= 500) {
      const cause = error.cause instanceof Error ? error.cause : error;
      full.log('error', 'request failed', {
        method: c.req.method,
        route: routePath(c, -1),
        error: cause.message,
      });
    }
    return problem.toResponse();
  });
  return app;
}
