/** GET /healthz (SPEC §1) and GET /metrics (Prometheus text); both public, outside /api/v1. */
import { sql } from 'drizzle-orm';
import type { App, RouteDeps } from '../../http/context.ts';
import { metrics } from '../../metrics.ts';

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
    const h = await check(c.var.deps);
    const ready = h.db && h.mqtt;
    return c.json(
      {
        status: ready ? 'ok' : 'unavailable',
        db: h.db ? 'ok' : 'down',
        mqtt: h.mqtt ? 'ok' : 'down',
        mqttPort: h.mqttPort,
      },
      ready ? 200 : 503,
    );
  });

  app.get('/metrics', (c) =>
    c.text(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
}
