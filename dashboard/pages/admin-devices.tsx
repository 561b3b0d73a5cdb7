/** Admin: each machine's devices (boards): provision one (its secret shown once), online, last seen, revoke. */
import type { Hono } from 'hono';
import { z } from 'zod';
import { addDevice, listDevices, revokeDevice } from '../../application/devices.ts';
import { ServiceError } from '../../application/errors.ts';
import { listMachines } from '../../application/machines.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { page } from '../views/layout.tsx';
import { Confirm, Empty, Field, Table, Tag } from '../views/ui.tsx';
import { AdminNav } from './admin-nav.tsx';

export function registerAdminDevices(app: Hono<DashEnv>): void {
  app.get('/admin/devices', requires(ADMIN), async (c) => {
    const { t, fmt } = c.var;
    const { db } = c.var.deps;
    const machines = await listMachines(db);
    const sections = [];
    for (const m of machines) {
      const devices = await listDevices(db, m.id);
      sections.push(
        <section aria-labelledby={`dev-${m.id}-h`} class="card">
          <h2 id={`dev-${m.id}-h`}>{m.name}</h2>
          {devices.length === 0 ? (
            <Empty>{t.noDevices}</Empty>
          ) : (
            <Table caption={t.devicesOf(m.name)} head={[t.deviceId, t.label, t.connection, t.lastSeen, '']}>
              {devices.map((d) => (
                <tr>
                  <td>
                    <code>{d.id}</code>
                  </td>
                  <td>{d.label ?? '—'}</td>
                  <td>
                    {d.revokedAt ? (
                      <Tag tone="off">{t.revoked}</Tag>
                    ) : d.online ? (
                      <Tag tone="ok">{t.online}</Tag>
                    ) : (
                      <Tag tone="off">{t.offline}</Tag>
                    )}
                  </td>
                  <td>{d.lastSeenAt ? fmt.dateTime(d.lastSeenAt) : t.never}</td>
                  <td>
                    {/* Issue #12 item 7: a revoked board stops at once, so it takes a second step. */}
                    {!d.revokedAt && (
                      <Confirm
                        name={`confirm-revoke-${d.id}`}
                        label={t.revoke}
                        ariaLabel={t.revokeNamed(d.label ?? d.id)}
                        question={t.confirmRevoke(d.label ? `« ${d.label} » (${m.name})` : m.name)}
                        yes={t.confirmRevokeYes}
                        hint={t.cancelHint}
                        action={`/admin/devices/${d.id}/revoke`}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </Table>
          )}
          <form method="post" action={`/admin/machines/${m.id}/devices`} class="inline">
            <Field label={t.newDeviceLabel} name="label" id={`dev-${m.id}-label`} hint={t.newDeviceHint} />
            <button type="submit">{t.provisionDevice}</button>
          </form>
        </section>,
      );
    }
    return page(
      c,
      t.adminDevices,
      <>
        <AdminNav c={c} />
        {machines.length === 0 ? <Empty>{t.noMachines}</Empty> : sections}
      </>,
    );
  });

  app.post('/admin/machines/:id/devices', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const form = await parseForm(c, z.object({ label: z.string().trim().max(100).optional() }));
    const label = form.ok && form.data.label ? form.data.label : null;
    const { device, secret } = await addDevice(useCaseContext(c.var.deps, userOf(c)), {
      machineId: c.req.param('id').slice(0, 64),
      label,
    });
    // Shown in this answer only: the secret is stored as a hash and cannot be shown again.
    return page(
      c,
      t.deviceProvisioned,
      <>
        <AdminNav c={c} />
        <div class="card">
          <p>{t.secretShownOnce}</p>
          <dl class="facts">
            <dt>{t.machine}</dt>
            <dd>
              <code>{device.machineId}</code>
            </dd>
            <dt>{t.deviceId}</dt>
            <dd>
              <input class="secret" readonly value={device.id} aria-label={t.deviceId} />
            </dd>
            <dt>{t.secret}</dt>
            <dd>
              <input
                class="secret"
                readonly
                value={secret}
                aria-label={t.secret}
                data-testid="device-secret"
              />
            </dd>
          </dl>
          <p>
            <a href="/admin/devices">{t.backToDevices}</a>
          </p>
        </div>
      </>,
    );
  });

  app.post('/admin/devices/:id/revoke', requires(ADMIN), async (c) => {
    const { t } = c.var;
    try {
      const { db, now, devices } = c.var.deps;
      await revokeDevice(useCaseContext(c.var.deps, userOf(c)), { deviceId: c.req.param('id').slice(0, 64) });
    } catch (e) {
      if (e instanceof ServiceError) return redirectWith(c, '/admin/devices', 'error', e.detail);
      throw e;
    }
    return redirectWith(c, '/admin/devices', 'ok', t.deviceRevoked);
  });
}
