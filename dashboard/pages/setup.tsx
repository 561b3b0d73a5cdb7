/**
 * Issue #12: the guided setup after the first run (admin): an overview of the steps, and the
 * qualifications and first-members steps (machines and boards: setup-machines.tsx). Every
 * write goes through the application's services, as the API's routes do.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { actorOf } from '../../application/auth.ts';
import { ServiceError } from '../../application/errors.ts';
import { createMember } from '../../application/member-use-cases.ts';
import { listMembers } from '../../application/members.ts';
import {
  createQualification,
  listQualifications,
  QualificationNameTakenError,
} from '../../application/qualifications.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { setupWords } from '../i18n/setup.ts';
import { page } from '../views/layout.tsx';
import { Empty, Field } from '../views/ui.tsx';
import { registerSetupMachines } from './setup-machines.tsx';
import {
  labName,
  StepFooter,
  StepList,
  setupProgress,
  slugFrom,
  stepHelp,
  stepTitle,
} from './setup-steps.tsx';

export function registerSetup(app: Hono<DashEnv>): void {
  app.get('/setup', requires(ADMIN), async (c) => {
    const s = setupWords(c);
    const progress = await setupProgress(c);
    return page(
      c,
      s.setupTitle,
      <>
        <section class="card">
          <p>{s.setupWelcome(await labName(c))}</p>
          <p>{s.setupIntro}</p>
          <StepList c={c} progress={progress} />
          <p>
            <a class="button" href="/setup/qualifications">
              {stepTitle(s, 'qualifications')} →
            </a>
          </p>
        </section>
        <section class="card">
          <ul>
            <li>
              <a href="/admin/staff">{s.staffLink}</a>
            </li>
            <li>
              <a href="/treasurer/accounting">{s.accountingLink}</a>
            </li>
            <li>
              <a href="/admin/retention">{s.retentionLink}</a>
            </li>
          </ul>
        </section>
      </>,
    );
  });

  app.get('/setup/qualifications', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const s = setupWords(c);
    const [progress, quals] = [await setupProgress(c), await listQualifications(c.var.deps.db)];
    return page(
      c,
      `${s.setupTitle} · ${stepTitle(s, 'qualifications')}`,
      <>
        <StepList c={c} progress={progress} current="qualifications" />
        <section class="card" aria-labelledby="step-h">
          <h2 id="step-h">{stepTitle(s, 'qualifications')}</h2>
          <p>{stepHelp(s, 'qualifications')}</p>
          {quals.length > 0 && (
            <>
              <h3>{s.existing}</h3>
              <ul>
                {quals.map((q) => (
                  <li>
                    {q.name} — {t.validityDays} {q.validityDays}
                  </li>
                ))}
              </ul>
            </>
          )}
          <form method="post" action="/setup/qualifications">
            <Field label={s.qualificationName} name="name" required hint={s.qualificationNameHint} />
            <Field
              label={t.validityDays}
              name="validityDays"
              type="number"
              min="1"
              value={365}
              required
              hint={s.validityDaysHint}
            />
            <button type="submit">{t.addQualification}</button>
          </form>
          <StepFooter c={c} step="qualifications" count={progress.qualifications} />
        </section>
      </>,
    );
  });

  app.post('/setup/qualifications', requires(ADMIN), async (c) => {
    const s = setupWords(c);
    const form = await parseForm(
      c,
      z.object({
        name: z.string().trim().min(1).max(200),
        validityDays: z.coerce.number().int().min(1).max(36_500),
      }),
    );
    if (!form.ok) return redirectWith(c, '/setup/qualifications', 'error', s.formInvalid);
    const { db } = c.var.deps;
    const taken = new Set((await listQualifications(db)).map((q) => q.id));
    const id = slugFrom(form.data.name, taken, 'formation');
    try {
      await createQualification(db, actorOf(userOf(c)), { id, ...form.data });
    } catch (e) {
      if (e instanceof QualificationNameTakenError) {
        return redirectWith(
          c,
          '/setup/qualifications',
          'error',
          c.var.t.qualificationNameTaken(e.existingName),
        );
      }
      if (e instanceof ServiceError) return redirectWith(c, '/setup/qualifications', 'error', e.detail);
      throw e;
    }
    return redirectWith(c, '/setup/qualifications', 'ok', s.qualificationCreated(form.data.name));
  });

  app.get('/setup/members', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const s = setupWords(c);
    const progress = await setupProgress(c);
    const members = await listMembers(c.var.deps.db, { limit: 20, offset: 0 });
    return page(
      c,
      `${s.setupTitle} · ${stepTitle(s, 'members')}`,
      <>
        <StepList c={c} progress={progress} current="members" />
        <section class="card" aria-labelledby="step-h">
          <h2 id="step-h">{stepTitle(s, 'members')}</h2>
          <p>{stepHelp(s, 'members')}</p>
          {members.items.length === 0 ? (
            <Empty>{t.noMembersFound}</Empty>
          ) : (
            <ul>
              {members.items.map((m) => (
                <li>
                  <a href={`/members/${m.id}`}>{m.name}</a> — {m.email}
                </li>
              ))}
            </ul>
          )}
          <form method="post" action="/setup/members">
            <Field label={s.memberName} name="name" required autocomplete="off" />
            <Field label={s.memberEmail} name="email" type="email" required autocomplete="off" />
            <button type="submit">{t.addMember}</button>
          </form>
          <p>
            <a href="/members">{s.manageMembers}</a>
          </p>
          <StepFooter c={c} step="members" count={progress.members} />
        </section>
      </>,
    );
  });

  app.post('/setup/members', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const s = setupWords(c);
    const form = await parseForm(
      c,
      z.object({ name: z.string().trim().min(1).max(200), email: z.email().max(320) }),
    );
    if (!form.ok) return redirectWith(c, '/setup/members', 'error', s.formInvalid);
    try {
      await createMember(useCaseContext(c.var.deps, userOf(c)), form.data);
    } catch (e) {
      if (e instanceof ServiceError && e.kind === 'conflict') {
        return redirectWith(c, '/setup/members', 'error', t.emailTaken);
      }
      throw e;
    }
    return redirectWith(c, '/setup/members', 'ok', s.memberCreated(form.data.name));
  });

  registerSetupMachines(app);
}
