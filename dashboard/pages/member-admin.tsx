/**
 * Member administration in the browser (issue #12 item 2, admins): add a member with every
 * field, edit the record, suspend with a reason after a confirmation page, reactivate. Each
 * form calls one use case (application/member-use-cases.ts), which audits and tells the
 * machine loop; these handlers only translate the form and the answer.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { ServiceError } from '../../application/errors.ts';
import {
  createMember,
  editMember,
  reactivateMember,
  suspendMember,
} from '../../application/member-use-cases.ts';
import { memberDetail } from '../../application/members.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { page } from '../views/layout.tsx';
import {
  emptyValues,
  type FormErrors,
  type FormValues,
  MemberForm,
  readMemberForm,
  valuesOf,
} from './member-form.tsx';

export const memberPath = (id: string) => `/members/${encodeURIComponent(id)}`;

const ctxOf = (c: DashContext) => useCaseContext(c.var.deps, userOf(c));

/** The e-mail belongs to someone else: said next to the e-mail field. */
function conflictErrors(c: DashContext, e: unknown): FormErrors | null {
  if (e instanceof ServiceError && e.kind === 'conflict') return { email: c.var.t.emailTaken };
  if (e instanceof ServiceError && e.kind === 'invalid') {
    const t = c.var.t;
    const errors: FormErrors = {};
    for (const f of e.fields) {
      if (f.field === 'name') errors.name = t.fieldErrors.name;
      else if (f.field === 'email') errors.email = t.fieldErrors.email;
      else if (f.field === 'category') errors.category = t.fieldErrors.category;
      else if (f.field === 'gender' || f.field === 'residenceArea') errors[f.field] = t.fieldErrors.choice;
      else if (f.field === 'residenceCommune') errors.residenceCommune = t.fieldErrors.commune;
      else if (f.field === 'birthYear')
        errors.birthYear = t.fieldErrors.birthYear(c.var.deps.now().getUTCFullYear());
      else errors.lastDay = t.fieldErrors.lastDay;
    }
    return errors;
  }
  return null;
}

function formPage(
  c: DashContext,
  title: string,
  action: string,
  values: FormValues,
  errors: FormErrors,
  status = 200,
) {
  const { t } = c.var;
  return page(
    c,
    title,
    <MemberForm c={c} action={action} values={values} errors={errors} submit={t.save} />,
    [],
    status,
  );
}

const reasonForm = z.object({ reason: z.string().trim().min(1).max(500) });

export function registerMemberAdmin(app: Hono<DashEnv>): void {
  app.get('/members/new', requires(ADMIN), (c) => {
    const { t } = c.var;
    return page(
      c,
      t.addMember,
      <MemberForm c={c} action="/members" values={emptyValues} submit={t.addMember} />,
    );
  });

  app.post('/members', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const form = await readMemberForm(c);
    if (!form.ok) return formPage(c, t.addMember, '/members', form.values, form.errors, 422);
    try {
      const member = await createMember(ctxOf(c), form.input);
      return redirectWith(c, memberPath(member.id), 'ok', t.memberAdded(member.name));
    } catch (e) {
      const errors = conflictErrors(c, e);
      if (errors === null) throw e;
      return formPage(c, t.addMember, '/members', form.values, errors, 422);
    }
  });

  app.get('/members/:id/edit', requires(ADMIN), async (c) => {
    const { t, deps } = c.var;
    const id = c.req.param('id');
    const m = await memberDetail(deps.db, id, deps.now());
    return formPage(
      c,
      t.editMemberTitle(m.name),
      `${memberPath(id)}/edit`,
      valuesOf(m, deps.labTimeZone),
      {},
    );
  });

  app.post('/members/:id/edit', requires(ADMIN), async (c) => {
    const { t, deps } = c.var;
    const id = c.req.param('id');
    const before = await memberDetail(deps.db, id, deps.now());
    const title = t.editMemberTitle(before.name);
    const form = await readMemberForm(c);
    if (!form.ok) return formPage(c, title, `${memberPath(id)}/edit`, form.values, form.errors, 422);
    try {
      const m = await editMember(ctxOf(c), { memberId: id, ...form.input });
      return redirectWith(c, memberPath(id), 'ok', t.memberSaved(m.name));
    } catch (e) {
      const errors = conflictErrors(c, e);
      if (errors === null) throw e;
      return formPage(c, title, `${memberPath(id)}/edit`, form.values, errors, 422);
    }
  });

  // Suspending cuts someone off: a page of its own says what happens and asks for the reason.
  app.get('/members/:id/suspend', requires(ADMIN), async (c) => {
    const { t, deps } = c.var;
    const id = c.req.param('id');
    const m = await memberDetail(deps.db, id, deps.now());
    return page(
      c,
      t.suspendTitle(m.name),
      <form method="post" action={`${memberPath(id)}/suspend`} class="card narrow">
        <p>{t.suspendExplain}</p>
        <div class="field">
          <label for="suspend-reason">{t.statusReasonLabel}</label>
          <input
            id="suspend-reason"
            name="reason"
            required
            maxlength={500}
            autocomplete="off"
            aria-describedby="suspend-reason-hint"
          />
          <small id="suspend-reason-hint" class="hint">
            {t.suspendReasonHint}
          </small>
        </div>
        <p class="actions">
          <button type="submit" class="danger">
            {t.confirmSuspend}
          </button>
          <a href={memberPath(id)}>{t.cancel}</a>
        </p>
      </form>,
    );
  });

  app.post('/members/:id/suspend', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const id = c.req.param('id');
    const form = await parseForm(c, reasonForm);
    if (!form.ok) return redirectWith(c, `${memberPath(id)}/suspend`, 'error', t.fieldErrors.reason);
    try {
      const m = await suspendMember(ctxOf(c), { memberId: id, reason: form.data.reason });
      return redirectWith(c, memberPath(id), 'ok', t.suspended(m.name));
    } catch (e) {
      if (e instanceof ServiceError && e.kind === 'conflict')
        return redirectWith(c, memberPath(id), 'error', t.alreadySuspended);
      throw e;
    }
  });

  app.post('/members/:id/reactivate', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const id = c.req.param('id');
    const form = await parseForm(c, reasonForm);
    if (!form.ok) return redirectWith(c, `${memberPath(id)}#status-h`, 'error', t.fieldErrors.reason);
    try {
      const m = await reactivateMember(ctxOf(c), { memberId: id, reason: form.data.reason });
      return redirectWith(c, memberPath(id), 'ok', t.reactivated(m.name));
    } catch (e) {
      if (e instanceof ServiceError && e.kind === 'conflict')
        return redirectWith(c, memberPath(id), 'error', t.alreadyActive);
      throw e;
    }
  });
}
