/** Admin (issue #6): materials sold by the unit (filament, resin, sheets): add, reprice, withdraw. */
import type { Hono } from 'hono';
import { z } from 'zod';
import { actorOf } from '../../application/auth.ts';
import { ServiceError } from '../../application/errors.ts';
import { createMaterial, listMaterials, updateMaterial } from '../../application/lab-practices.ts';
import { SLUG_PATTERN } from '../../core/ids.ts';
import { type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { formOf, parseEuros } from '../http/forms.ts';
import { page } from '../views/layout.tsx';
import { Empty, Field, Table, Tag } from '../views/ui.tsx';
import { AdminNav } from './admin-nav.tsx';

const HERE = '/admin/materials';
const euros = (cents: number) => (cents / 100).toFixed(2).replace('.', ',');
const text = (max: number) => z.string().trim().min(1).max(max);

export function registerAdminMaterials(app: Hono<DashEnv>): void {
  app.get(HERE, requires(ADMIN), async (c) => {
    const { t, fmt } = c.var;
    const materials = await listMaterials(c.var.deps.db);
    return page(
      c,
      t.adminMaterials,
      <>
        <AdminNav c={c} />
        {materials.length === 0 ? (
          <Empty>{t.noMaterials}</Empty>
        ) : (
          <Table
            caption={t.adminMaterials}
            head={[t.materialId, t.name, t.unit, t.pricePerUnit, t.status]}
            numeric={[3]}
          >
            {materials.map((m) => (
              <tr>
                <td>
                  <a href={`#material-${m.id}`}>
                    <code>{m.id}</code>
                  </a>
                </td>
                <td>{m.name}</td>
                <td>{m.unit}</td>
                <td class="num">{fmt.money(m.pricePerUnitCents)}</td>
                <td>
                  {m.active ? (
                    <Tag tone="ok">{t.materialActive}</Tag>
                  ) : (
                    <Tag tone="off">{t.materialInactive}</Tag>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
        <section aria-labelledby="new-material-h">
          <h2 id="new-material-h">{t.addMaterial}</h2>
          <form method="post" action={HERE} class="card">
            <Field
              label={t.materialId}
              name="id"
              id="mat-id"
              required
              pattern="[a-z0-9][a-z0-9\-]{0,63}"
              hint={t.machineIdHint}
            />
            <Field label={t.name} name="name" id="mat-name" required />
            <Field label={t.unit} name="unit" id="mat-unit" required hint={t.unitHint} />
            <Field label={t.pricePerUnitEuros} name="price" id="mat-price" required inputmode="decimal" />
            <button type="submit">{t.addMaterial}</button>
          </form>
        </section>
        {materials.map((m) => (
          <section aria-labelledby={`material-${m.id}-h`} id={`material-${m.id}`} class="card">
            <h2 id={`material-${m.id}-h`}>{m.name}</h2>
            <form method="post" action={`${HERE}/${m.id}`}>
              <Field label={t.name} name="name" id={`mat-${m.id}-name`} value={m.name} required />
              <Field label={t.unit} name="unit" id={`mat-${m.id}-unit`} value={m.unit} required />
              <Field
                label={t.pricePerUnitEuros}
                name="price"
                id={`mat-${m.id}-price`}
                value={euros(m.pricePerUnitCents)}
                required
                inputmode="decimal"
              />
              <button type="submit">{t.save}</button>
            </form>
            <form method="post" action={`${HERE}/${m.id}/active`}>
              <input type="hidden" name="active" value={m.active ? '0' : '1'} />
              <button type="submit">{m.active ? t.deactivate : t.reactivate}</button>
            </form>
          </section>
        ))}
      </>,
    );
  });

  app.post(HERE, requires(ADMIN), async (c) => {
    const { t } = c.var;
    const form = await formOf(c);
    const parsed = z
      .object({ id: z.string().regex(SLUG_PATTERN), name: text(200), unit: text(20) })
      .safeParse(form);
    const price = parseEuros(String(form.price ?? ''));
    if (!parsed.success || price === null || price < 0) {
      return redirectWith(c, `${HERE}#new-material-h`, 'error', t.invalidForm);
    }
    try {
      await createMaterial(c.var.deps.db, actorOf(userOf(c)), { ...parsed.data, pricePerUnitCents: price });
    } catch (e) {
      if (e instanceof ServiceError) return redirectWith(c, `${HERE}#new-material-h`, 'error', e.detail);
      throw e;
    }
    return redirectWith(c, HERE, 'ok', t.saved);
  });

  app.post(`${HERE}/:id`, requires(ADMIN), async (c) => {
    const { t } = c.var;
    const id = c.req.param('id');
    const form = await formOf(c);
    const parsed = z.object({ name: text(200), unit: text(20) }).safeParse(form);
    const price = parseEuros(String(form.price ?? ''));
    if (!parsed.success || price === null || price < 0) {
      return redirectWith(c, `${HERE}#material-${id}`, 'error', t.invalidForm);
    }
    await updateMaterial(c.var.deps.db, actorOf(userOf(c)), id, { ...parsed.data, pricePerUnitCents: price });
    return redirectWith(c, `${HERE}#material-${id}`, 'ok', t.saved);
  });

  app.post(`${HERE}/:id/active`, requires(ADMIN), async (c) => {
    const { t } = c.var;
    const id = c.req.param('id');
    const form = await formOf(c);
    await updateMaterial(c.var.deps.db, actorOf(userOf(c)), id, { active: form.active === '1' });
    return redirectWith(c, `${HERE}#material-${id}`, 'ok', t.saved);
  });
}
