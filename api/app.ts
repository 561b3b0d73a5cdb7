/**
 * The HTTP API (SPEC §3, issue #2): Hono with zod-validated, OpenAPI-described routes.
 * Routes live by resource in routes/<resource>/; they call services that take `db`.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { refuseControlCharacters } from '../web/control-chars.ts';
import { Problem, zodProblem } from '../web/problem.ts';
import type { App, AppDeps, AppEnv, RouteDeps } from './http/context.ts';
import { isGuard } from './http/guard.ts';
import { registerAttendanceSettingsRoutes } from './routes/attendance-settings/routes.ts';
import { registerAuditRoutes } from './routes/audit/routes.ts';
import { registerAuthRoutes } from './routes/auth/routes.ts';
import { registerBackupRoutes } from './routes/backup/routes.ts';
import { registerBadgeRoutes } from './routes/badges/routes.ts';
import { registerCertificationRoutes } from './routes/certifications/routes.ts';
import { registerDeviceRoutes } from './routes/devices/routes.ts';
import { registerDocsRoutes } from './routes/docs/routes.ts';
import { registerEnrolmentRoutes } from './routes/enrolments/routes.ts';
import { registerExportRoutes } from './routes/exports/routes.ts';
import { registerHealthRoutes } from './routes/health/routes.ts';
import { registerHelloassoRoutes } from './routes/helloasso/routes.ts';
import { registerMachineRoutes } from './routes/machines/routes.ts';
import { registerMaterialRoutes } from './routes/materials/routes.ts';
import { registerMemberDataRoutes } from './routes/member-data/routes.ts';
import { registerMemberRoutes } from './routes/members/routes.ts';
import { registerMoneyRoutes } from './routes/money/routes.ts';
import { registerOfflineReviewRoutes } from './routes/offline-reviews/routes.ts';
import { registerPeriodRoutes } from './routes/periods/routes.ts';
import { registerQualificationRoutes } from './routes/qualifications/routes.ts';
import { registerReportRoutes } from './routes/reports/routes.ts';
import { registerSessionRoutes } from './routes/sessions/routes.ts';
import { registerStaffRoutes } from './routes/staff/routes.ts';
import { registerTreasurySettingsRoutes } from './routes/treasury-settings/routes.ts';

export { DEFAULT_MAX_BODY_BYTES } from '../application/deps.ts';
export type { AppDeps } from './http/context.ts';

/**
 * Bearer-token clients only: JSON bodies sent without a JSON content type (no header, or
 * curl -d's default form type) are read as JSON rather than refused with 415. Never for a
 * request without `Authorization`: a browser page on another site can send text/plain and
 * form bodies with the dashboard's cookie (issue #9), so those get the routes' 415.
 */
const jsonByDefault: MiddlewareHandler = async (c, next) => {
  const type = c.req.header('content-type');
  if (
    c.req.header('authorization') !== undefined &&
    c.req.raw.body !== null &&
    (type === undefined || /^(text\/plain|application\/x-www-form-urlencoded)\b/i.test(type))
  ) {
    const headers = new Headers(c.req.raw.headers);
    headers.set('content-type', 'application/json');
    c.req.raw = new Request(c.req.raw, { headers });
  }
  await next();
};

/**
 * The HTTP API under /api (SPEC §3): its own body limit, JSON and control-character checks,
 * every /api/v1 route behind a guard. Mounted beside the dashboard by the composition root
 * (server/http-app.ts), which sets `deps` and handles errors for both.
 */
export function createApi(full: RouteDeps, deps: Pick<AppDeps, 'helloasso' | 'backup'> = {}): App {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw zodProblem(result.error, result.target);
    },
  });

  app.use(
    '/api/*',
    bodyLimit({
      maxSize: full.maxBodyBytes,
      onError: () => {
        throw new Problem(
          413,
          `The body is larger than the ${full.maxBodyBytes} bytes this server accepts; send less.`,
        );
      },
    }),
  );
  app.use('/api/*', jsonByDefault);
  app.use('/api/*', refuseControlCharacters);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (staff or member), or a dashboard session token',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'cookie', {
    type: 'apiKey',
    in: 'cookie',
    name: 'sesame_session',
    description: 'The dashboard session cookie set by POST /api/v1/auth/login',
  });

  registerAuthRoutes(app);
  registerStaffRoutes(app);
  registerMemberRoutes(app);
  registerBadgeRoutes(app);
  registerQualificationRoutes(app);
  registerCertificationRoutes(app);
  registerMachineRoutes(app);
  registerMaterialRoutes(app);
  registerEnrolmentRoutes(app);
  registerDeviceRoutes(app);
  registerMoneyRoutes(app);
  registerSessionRoutes(app);
  registerReportRoutes(app);
  registerAuditRoutes(app);
  registerExportRoutes(app);
  registerAttendanceSettingsRoutes(app);
  registerPeriodRoutes(app);
  registerHelloassoRoutes(app, deps.helloasso);
  registerTreasurySettingsRoutes(app, deps.helloasso);
  registerMemberDataRoutes(app);
  registerOfflineReviewRoutes(app);
  registerBackupRoutes(app, deps.backup);
  registerHealthRoutes(app);
  registerDocsRoutes(app);
  assertEveryRouteGuarded(app);
  return app;
}

/** Deny by default: an /api/v1 handler registered without a guard stops the process at start. */
export function assertEveryRouteGuarded(app: App): void {
  const guarded = new Set(app.routes.filter((r) => isGuard(r.handler)).map((r) => `${r.method} ${r.path}`));
  for (const r of app.routes) {
    if (!r.path.startsWith('/api/v1/') || r.method === 'ALL' || isGuard(r.handler)) continue;
    if (r.path === '/api/v1/openapi.json') continue;
    if (!guarded.has(`${r.method} ${r.path}`))
      throw new Error(`route ${r.method} ${r.path} has no access guard`);
  }
}
