/** GET /healthz (SPEC §1) and GET /metrics (Prometheus text); both public, outside /api/v1. */
import { sql } from 'drizzle-orm';
import { metrics } from '../../../logging/metrics.ts';
import type { App, HealthReport, RouteDeps } from '../../http/context.ts';

async function check(deps: RouteDeps) {
  if (deps.health) return deps.health().catch(() => ({ db: false, mqtt: false, mqttPort: null }));
  // Without a machine loop (tests, API-only processes) only the database can be checked.
  const db = await deps.db
    .execute(sql`select 1`)
    .then(() => true)
    .catch(() => false);
  return { db, mqtt: true, mqttPort: null };
}

export function registerHealthRoutes(app: App): void {
  app.get('/healthz', async (c) => {
    const h: HealthReport = await check(c.var.deps);
    const ready = h.db && h.mqtt;
    // Issue #10: while device events wait for a failing database (retried with back-off),
    // the answer says how many are not applied yet (`pending`), and is 503 `degraded` if the
    // database answers the ping. Nothing waiting: the SPEC §1 shape, as is.
    const waiting = (h.retrying ?? 0) > 0;
    const pending = waiting ? Math.max(1, h.pending ?? 0) : 0;
    const degraded = ready && waiting;
    return c.json(
      {
        status: degraded ? 'degraded' : ready ? 'ok' : 'unavailable',
        db: h.db ? 'ok' : 'down',
        mqtt: h.mqtt ? 'ok' : 'down',
        mqttPort: h.mqttPort,
        ...(pending > 0 ? { pending } : {}),
      },
      ready && !degraded ? 200 : 503,
    );
  });

  app.get('/metrics', (c) =>
    c.text(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
}
