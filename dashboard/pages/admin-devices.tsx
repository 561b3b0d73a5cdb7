/** Admin: each machine's devices (boards): provision one (its secret shown once), online, last seen, revoke. */
import type { Hono } from 'hono';
import { z } from 'zod';
import { addDevice, listDevices, revokeDevice, SecondBoardRefused } from '../../application/devices.ts';
import { ServiceError } from '../../application/errors.ts';
import { listMachines } from '../../application/machines.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { notFoundPage } from '../views/errors.tsx';
import { page } from '../views/layout.tsx';
import { Confirm, Empty, Field, Table, Tag } from '../views/ui.tsx';
import { AdminNav } from './admin-nav.tsx';

/** The warning and the explicit choice shown before a machine's second board (#12). */
export function AnotherBoard(props: { c: DashContext; machine: string; active: number; id: string }) {
  const { t } = props.c.var;
  return (
    <div class="field">
      <p>
        <strong>{t.deviceAlreadyHas(props.machine, props.active)}</strong>
      </p>
      <label>
        <input type="checkbox" name="another" value="yes" id={props.id} /> {t.deviceAnother}
      </label>
    </div>
  );
}

export function registerAdminDevices(app: Hono<DashEnv>): void {
  app.get('/admin/devices', requires(ADMIN), async (c) => {
    const { t, fmt } = c.var;
    const { db } = c.var.deps;
    const machines = await listMachines(db);
    const sections = [];
    for (const m of machines) {
      const devices = await listDevices(db, m.id);
      const active = devices.filter((d) => d.revokedAt === null).length;
      sections.push(
        <section aria-labelledby={`dev-${m.id}-h`} class="card">
          <h2 id={`dev-${m.id}-h`}>{m.name}</h2>
          {devices.length === 0 ? (
            <Empty>{t.noDevices}</Empty>
          ) : (
            // Outsider's check (#12): the machine's name (or the board's label) first, no id; cards
            // on a phone so that "Révoquer" stays in sight.
            <Table cards caption={t.devicesOf(m.name)} head={[t.deviceName, t.connection, t.lastSeen, '']}>
              {devices.map((d) => (
                <tr>
                  <td data-label={t.deviceName}>{d.label ? `${d.label} (${m.name})` : m.name}</td>
                  <td data-label={t.connection}>
                    {d.revokedAt ? (
                      <Tag tone="off">{t.revoked}</Tag>
                    ) : d.online ? (
                      <Tag tone="ok">{t.online}</Tag>
                    ) : (
                      <Tag tone="off">{t.offline}</Tag>
                    )}
                  </td>
                  <td data-label={t.lastSeen}>{d.lastSeenAt ? fmt.dateTime(d.lastSeenAt) : t.never}</td>
                  <td>
                    {/* Issue #12 item 7: a revoked board stops at once, so it takes a second step. */}
                    {!d.revokedAt && (
                      <Confirm
                        name={`confirm-revoke-${d.id}`}
                        label={t.revoke}
                        ariaLabel={t.revokeNamed(d.label ?? m.name)}
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
            {active > 0 && <AnotherBoard c={c} machine={m.name} active={active} id={`dev-${m.id}-another`} />}
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
    const form = await parseForm(
      c,
      z.object({ label: z.string().trim().max(100).optional(), another: z.literal('yes').optional() }),
    );
    if (!form.ok) return redirectWith(c, '/admin/devices', 'error', t.invalidForm);
    const machine = (await listMachines(c.var.deps.db)).find((m) => m.id === c.req.param('id'));
    if (machine === undefined) return notFoundPage(c);
    // A second board only on purpose (outsider's check, #12): a resent form must not add one;
    // the use case checks it under the machine's lock.
    let added: Awaited<ReturnType<typeof addDevice>>;
    try {
      added = await addDevice(useCaseContext(c.var.deps, userOf(c)), {
        machineId: machine.id,
        label: form.data.label || null,
        onlyIfFirst: form.data.another !== 'yes',
      });
    } catch (e) {
      if (e instanceof SecondBoardRefused)
        return redirectWith(c, '/admin/devices', 'error', t.deviceAnotherNeeded(machine.name));
      throw e;
    }
    const { device, secret } = added;
    // Shown in this answer only: the secret is stored as a hash and cannot be shown again. No
    // create button here: "Terminé" leads back to the list.
    return page(
      c,
      t.deviceProvisioned,
      <>
        <AdminNav c={c} />
        <div class="card">
          <p role="status">{t.secretShownOnce}</p>
          <dl class="facts">
            <dt>{t.machine}</dt>
            <dd>{machine.name}</dd>
            <dt>{t.deviceIdForController}</dt>
            <dd>
              <input class="secret" readonly value={device.id} aria-label={t.deviceIdForController} />
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
            <a class="button" href="/admin/devices">
              {t.deviceDone}
            </a>
          </p>
        </div>
      </>,
    );
  });

  app.post('/admin/devices/:id/revoke', requires(ADMIN), async (c) => {
    const { t } = c.var;
    try {
      await revokeDevice(useCaseContext(c.var.deps, userOf(c)), { deviceId: c.req.param('id').slice(0, 64) });
    } catch (e) {
      if (e instanceof ServiceError) return redirectWith(c, '/admin/devices', 'error', e.detail);
      throw e;
    }
    return redirectWith(c, '/admin/devices', 'ok', t.deviceRevoked);
  });
}
