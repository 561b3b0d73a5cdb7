/**
 * Issue #12: the one-time setup link `npm start` logs on an empty database. It creates the first
 * admin, names the lab, sets its time zone and SIREN (application/first-run.ts), signs the new
 * admin in and leads to the guided setup (setup.tsx). Public by nature: the link is the
 * credential; it is dead once an admin exists.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../application/access-links.ts';
import { ServiceError } from '../../application/errors.ts';
import { completeFirstRun } from '../../application/first-run.ts';
import { adminExists, setupLinkValid } from '../../application/setup-link.ts';
import type { DashContext, DashEnv } from '../context.ts';
import { requires } from '../http/access.ts';
import { parseForm } from '../http/forms.ts';
import { setSessionCookie } from '../http/session.ts';
import { setupWords } from '../i18n/setup.ts';
import { page } from '../views/layout.tsx';
import { Field, Select } from '../views/ui.tsx';

const FIELDS = ['name', 'email', 'password', 'labName', 'timeZone', 'siren'] as const;
type Values = Partial<Record<(typeof FIELDS)[number], string>>;

function timeZones(current: string): string[] {
  const all = Intl.supportedValuesOf('timeZone');
  return all.includes(current) ? all : [current, ...all];
}

function deadLink(c: DashContext, alreadySetUp: boolean) {
  const s = setupWords(c);
  return page(
    c,
    s.firstRunTitle,
    <div class="card narrow">
      <p role="alert">{alreadySetUp ? s.firstRunAlreadyDone : s.firstRunInvalidLink}</p>
      <p>
        <a href="/sign-in">{c.var.t.signIn}</a>
      </p>
    </div>,
    [],
    alreadySetUp ? 410 : 404,
  );
}

function firstRunForm(c: DashContext, values: Values, errors: string[] = []) {
  const { t } = c.var;
  const s = setupWords(c);
  const zone = values.timeZone ?? c.var.deps.labTimeZone;
  return page(
    c,
    s.firstRunTitle,
    <form method="post" class="card narrow">
      <p>{s.firstRunIntro}</p>
      {errors.length > 0 && (
        <div class="flash error" role="alert">
          <p>{s.firstRunFixErrors}</p>
          <ul>
            {errors.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        </div>
      )}
      <fieldset>
        <legend>{s.firstRunAdmin}</legend>
        <Field label={s.yourName} name="name" value={values.name} required autocomplete="name" />
        <Field
          label={t.email}
          name="email"
          type="email"
          value={values.email}
          required
          autocomplete="username"
        />
        <Field
          label={t.newPassword}
          name="password"
          type="password"
          required
          autocomplete="new-password"
          hint={t.passwordHint(MIN_PASSWORD_LENGTH)}
        />
      </fieldset>
      <fieldset>
        <legend>{s.firstRunLab}</legend>
        <Field label={s.labName} name="labName" value={values.labName} required hint={s.labNameHint} />
        <Select
          label={s.timeZone}
          name="timeZone"
          value={zone}
          options={timeZones(zone).map((z) => ({ value: z, label: z.replaceAll('_', ' ') }))}
        />
        <Field
          label={s.siren}
          name="siren"
          value={values.siren}
          inputmode="numeric"
          autocomplete="off"
          hint={s.sirenHint}
        />
      </fieldset>
      <button type="submit">{s.firstRunSubmit}</button>
    </form>,
    [],
    errors.length > 0 ? 400 : 200,
  );
}

export function registerFirstRun(app: Hono<DashEnv>): void {
  app.get('/first-run/:token', requires('public'), async (c) => {
    const { db, now } = c.var.deps;
    if (await adminExists(db)) return deadLink(c, true);
    if (!(await setupLinkValid(db, c.req.param('token'), now()))) return deadLink(c, false);
    return firstRunForm(c, {});
  });

  app.post('/first-run/:token', requires('public'), async (c) => {
    const s = setupWords(c);
    // Control characters are refused in every field (issue #9), as on every dashboard form.
    const parsed = await parseForm(c, z.record(z.string(), z.union([z.string(), z.array(z.string())])));
    if (!parsed.ok) return firstRunForm(c, {}, [s.firstRunFixErrors]);
    const form = parsed.data;
    const text = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : undefined);
    const values: Values = Object.fromEntries(FIELDS.map((k) => [k, text(k)]));
    try {
      const { session } = await completeFirstRun(c.var.deps, {
        token: c.req.param('token'),
        name: values.name ?? '',
        email: values.email ?? '',
        password: values.password ?? '',
        labName: values.labName ?? '',
        timeZone: values.timeZone ?? '',
        siren: values.siren ?? '',
      });
      setSessionCookie(c, session.token, session.expiresAt);
      return c.redirect('/setup', 303);
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      if (e.kind === 'conflict') return deadLink(c, true);
      if (e.kind === 'not_found') return deadLink(c, false);
      const words = s.firstRunFieldErrors;
      const errors = e.fields.map((f) => {
        if (f.field === 'password') return words.password(MIN_PASSWORD_LENGTH);
        if (f.field === 'email' && /already/.test(f.detail)) return words.emailTaken;
        return f.field in words ? (words[f.field as keyof typeof words] as string) : s.firstRunFixErrors;
      });
      const { password: _, ...kept } = values;
      return firstRunForm(c, kept, [...new Set(errors)]);
    }
  });
}
