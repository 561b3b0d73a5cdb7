/** Admin: staff accounts, their roles and the qualifications they train; access by one-time link. */
import type { Hono } from 'hono';
import { z } from 'zod';
import { createAccessLink } from '../../application/access-links.ts';
import { actorOf } from '../../application/auth.ts';
import { ServiceError } from '../../application/errors.ts';
import { listMembers } from '../../application/members.ts';
import { listQualifications } from '../../application/qualifications.ts';
import { createStaff, listStaff, updateStaff } from '../../application/staff.ts';
import { STAFF_ROLES } from '../../core/domain.ts';
import { type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { formOf, listOf } from '../http/forms.ts';
import { page } from '../views/layout.tsx';
import { Checkboxes, Field, Select, Table, Tag } from '../views/ui.tsx';
import { AdminNav } from './admin-nav.tsx';
import { accessLinkPage } from './members.tsx';

const rolesSchema = z.array(z.enum(STAFF_ROLES)).min(1);

/** The linked member from the form: '' unlinks; absent (an older form) leaves it as it is. */
function memberIdOf(form: Record<string, string | string[]>): string | null | undefined {
  const raw = form.memberId;
  if (typeof raw !== 'string') return undefined;
  return raw.trim() === '' ? null : raw.trim().slice(0, 200);
}

export function registerAdminStaff(app: Hono<DashEnv>): void {
  app.get('/admin/staff', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const { db } = c.var.deps;
    const staff = await listStaff(db);
    const quals = await listQualifications(db);
    // The member records a staff account may hold its badge on (issue #6: recognised at the reader).
    const members = (await listMembers(db, { limit: 500, offset: 0 })).items;
    const memberOptions = [
      { value: '', label: t.noLinkedMember },
      ...members.map((m) => ({ value: m.id, label: `${m.name} (${m.email})` })),
    ];
    const roleOptions = STAFF_ROLES.map((r) => ({ value: r, label: t.roles[r] }));
    const qualOptions = quals.map((q) => ({ value: q.id, label: q.name }));
    const qualName = new Map(quals.map((q) => [q.id, q.name]));
    return page(
      c,
      t.adminStaff,
      <>
        <AdminNav c={c} />
        {/* Issue #12 item 6: cards on a phone; qualifications by name (item 4). */}
        <Table caption={t.adminStaff} head={[t.name, t.email, t.rolesLabel, t.trainerOf, t.status]} cards>
          {staff.map((s) => (
            <tr>
              <td data-label={t.name}>
                <a href={`#staff-${s.id}`}>{s.name}</a>
              </td>
              <td data-label={t.email}>{s.email}</td>
              <td data-label={t.rolesLabel}>{s.roles.map((r) => t.roles[r]).join(', ')}</td>
              <td data-label={t.trainerOf}>
                {s.trainerOf.map((q) => qualName.get(q) ?? q).join(', ') || '—'}
              </td>
              <td data-label={t.status}>
                {s.disabledAt ? (
                  <Tag tone="off">{t.disabled}</Tag>
                ) : s.hasPassword ? (
                  <Tag tone="ok">{t.canSignIn}</Tag>
                ) : (
                  <Tag tone="warn">{t.noPasswordYet}</Tag>
                )}
              </td>
            </tr>
          ))}
        </Table>

        <section aria-labelledby="new-staff-h">
          <h2 id="new-staff-h">{t.addStaff}</h2>
          <form method="post" action="/admin/staff" class="card">
            <Field label={t.name} name="name" id="s-name" required />
            <Field label={t.email} name="email" id="s-email" type="email" required />
            <Checkboxes legend={t.rolesLabel} name="roles" options={roleOptions} checked={[]} />
            <Checkboxes legend={t.trainerOf} name="trainerOf" options={qualOptions} checked={[]} />
            <Select label={t.linkedMember} name="memberId" id="s-member" options={memberOptions} value="" />
            <button type="submit">{t.addStaff}</button>
          </form>
        </section>

        {staff.map((s) => (
          <section aria-labelledby={`staff-${s.id}-h`} id={`staff-${s.id}`} class="card">
            <h2 id={`staff-${s.id}-h`}>{s.name}</h2>
            <form method="post" action={`/admin/staff/${s.id}`}>
              <Checkboxes legend={t.rolesLabel} name="roles" options={roleOptions} checked={s.roles} />
              <Checkboxes legend={t.trainerOf} name="trainerOf" options={qualOptions} checked={s.trainerOf} />
              <Select
                label={t.linkedMember}
                name="memberId"
                id={`staff-${s.id}-member`}
                options={memberOptions}
                value={s.memberId ?? ''}
              />
              <p class="hint">{t.linkedMemberHint}</p>
              <label class="choice">
                <input type="checkbox" name="disabled" value="1" checked={s.disabledAt !== null} />{' '}
                {t.accountDisabled}
              </label>
              <button type="submit">{t.save}</button>
            </form>
            <form method="post" action={`/admin/staff/${s.id}/access-link`}>
              <button type="submit">{s.hasPassword ? t.resetAccess : t.createAccessLink}</button>
            </form>
          </section>
        ))}
      </>,
    );
  });

  app.post('/admin/staff', requires(ADMIN), async (c) => {
    const { t, fmt } = c.var;
    const { db, now } = c.var.deps;
    const form = await formOf(c);
    const parsed = z
      .object({ name: z.string().trim().min(1).max(200), email: z.email().max(320), roles: rolesSchema })
      .safeParse({ ...form, roles: listOf(form.roles) });
    if (!parsed.success) return redirectWith(c, '/admin/staff#new-staff-h', 'error', t.invalidForm);
    const actor = actorOf(userOf(c));
    try {
      const created = await createStaff(db, actor, {
        ...parsed.data,
        trainerOf: listOf(form.trainerOf),
        memberId: memberIdOf(form),
      });
      const link = await createAccessLink(db, actor, { staffId: created.id }, now());
      return accessLinkPage(c, link.token, fmt.dateTime(link.expiresAt), '/admin/staff', t.backToStaff);
    } catch (e) {
      if (e instanceof ServiceError) return redirectWith(c, '/admin/staff#new-staff-h', 'error', e.detail);
      throw e;
    }
  });

  app.post('/admin/staff/:id', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const { db, now } = c.var.deps;
    const id = c.req.param('id');
    const form = await formOf(c);
    const roles = rolesSchema.safeParse(listOf(form.roles));
    if (!roles.success) return redirectWith(c, `/admin/staff#staff-${id}`, 'error', t.pickOneRole);
    const me = userOf(c);
    const disabled = form.disabled === '1';
    // An admin cannot lock themself out by mistake.
    if (me.id === id && (disabled || !roles.data.includes('admin'))) {
      return redirectWith(c, `/admin/staff#staff-${id}`, 'error', t.cannotDemoteSelf);
    }
    try {
      await updateStaff(
        db,
        actorOf(me),
        id,
        { roles: roles.data, trainerOf: listOf(form.trainerOf), disabled, memberId: memberIdOf(form) },
        now(),
      );
    } catch (e) {
      if (e instanceof ServiceError) return redirectWith(c, `/admin/staff#staff-${id}`, 'error', e.detail);
      throw e;
    }
    return redirectWith(c, `/admin/staff#staff-${id}`, 'ok', t.saved);
  });

  app.post('/admin/staff/:id/access-link', requires(ADMIN), async (c) => {
    const { t, fmt } = c.var;
    const { db, now } = c.var.deps;
    const link = await createAccessLink(db, actorOf(userOf(c)), { staffId: c.req.param('id') }, now());
    return accessLinkPage(c, link.token, fmt.dateTime(link.expiresAt), '/admin/staff', t.backToStaff);
  });
}
