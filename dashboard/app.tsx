/**
 * The dashboard (issue #4): server-rendered Hono JSX pages with a little JavaScript, served
 * at `/` by the same app as /api/v1 (mounted by createApp). Pages call the API's services.
 */
import { Hono } from 'hono';
import { toProblem } from '../web/problem.ts';
import type { DashEnv } from './context.ts';
import { isDashboardGuard } from './http/access.ts';

export { dashboardNotFound } from './http/access.ts';

import { registerAssets } from './http/assets.ts';
import { registerAdminBackup } from './pages/admin-backup.tsx';
import { registerAdminDevices } from './pages/admin-devices.tsx';
import { registerAdminImport } from './pages/admin-import.tsx';
import { registerAdminMachines } from './pages/admin-machines.tsx';
import { registerAdminMaterials } from './pages/admin-materials.tsx';
import { registerAdminRetention } from './pages/admin-retention.tsx';
import { registerAdminStaff } from './pages/admin-staff.tsx';
import { registerAttendance } from './pages/attendance.tsx';
import { registerAuditLog } from './pages/audit.tsx';
import { localEvents, registerBoard } from './pages/board.tsx';
import { registerFirstRun } from './pages/first-run.tsx';
import { registerMemberAdmin } from './pages/member-admin.tsx';
import { registerMemberCutOffs } from './pages/member-cut-offs.tsx';
import { registerMemberData } from './pages/member-data.tsx';
import { registerMemberRenew } from './pages/member-renew.tsx';
import { registerMembers } from './pages/members.tsx';
import { registerMyMachines } from './pages/my-machines.tsx';
import { registerSessionHistory } from './pages/sessions.tsx';
import { registerSetup } from './pages/setup.tsx';
import { registerSignIn } from './pages/sign-in.tsx';
import { registerToday } from './pages/today.tsx';
import { registerTrainers } from './pages/trainers.tsx';
import { registerTreasurer } from './pages/treasurer.tsx';
import { registerTreasurerAccounting } from './pages/treasurer-accounting.tsx';
import { registerTreasurerChecks } from './pages/treasurer-checks.tsx';
import { registerTreasurerHelloasso } from './pages/treasurer-helloasso.tsx';
import { registerTreasurerOffline } from './pages/treasurer-offline.tsx';
import { registerTreasurerPeriods } from './pages/treasurer-periods.tsx';
import { errorPage } from './views/errors.tsx';

export function createDashboard(): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  registerAssets(app);
  registerSignIn(app);
  registerBoard(app, localEvents());
  registerToday(app);
  // issue #12: before registerMembers, so that /members/renew is not read as a member id
  registerMemberAdmin(app);
  registerMemberRenew(app);
  registerMemberCutOffs(app);
  registerMembers(app);
  registerTrainers(app);
  registerTreasurer(app);
  registerAdminMachines(app);
  registerAdminMaterials(app);
  registerAdminDevices(app);
  registerAdminStaff(app);
  // issue #5: attendance for funders, reconciliation, month close, HelloAsso queue, import, GDPR
  registerAttendance(app);
  registerTreasurerChecks(app);
  registerTreasurerPeriods(app);
  registerTreasurerHelloasso(app);
  registerTreasurerOffline(app); // issue #9
  registerTreasurerAccounting(app); // issue #11
  registerAdminImport(app);
  registerMemberData(app);
  registerAdminBackup(app); // issue #10
  // issue #12: sessions history, audit log, a member's machines
  registerSessionHistory(app);
  registerAuditLog(app);
  registerMyMachines(app);
  // issue #12: the first run from the setup link, the guided setup, the retention settings
  registerFirstRun(app);
  registerSetup(app);
  registerAdminRetention(app);

  app.onError((error, c) => {
    const problem = toProblem(error);
    if (problem.status >= 500) {
      // The server's logger (issue #9: one logger, redacted); the cause, not drizzle's wrapper,
      // whose message lists the query's parameters.
      const cause = error.cause instanceof Error ? error.cause : error;
      c.var.deps?.log('error', 'dashboard request failed', { path: c.req.path, error: cause.message });
    }
    return errorPage(c, problem.status, problem.detail);
  });

  assertEveryRouteGuarded(app);
  return app;
}

/** Deny by default: a dashboard route registered without `requires(...)` stops the process at start. */
function assertEveryRouteGuarded(app: Hono<DashEnv>): void {
  const guarded = new Set(
    app.routes.filter((r) => isDashboardGuard(r.handler)).map((r) => `${r.method} ${r.path}`),
  );
  for (const r of app.routes) {
    if (!guarded.has(`${r.method} ${r.path}`))
      throw new Error(`dashboard route ${r.method} ${r.path} has no access guard`);
  }
}
