/**
 * Issue #12: the admin's page for the badge-event retention (issue #5 setting, so far API-only):
 * how long raw badge events are kept, how many the next purge erases, and a form to change it
 * through the same use case as PUT /api/v1/settings/retention.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { purgeableEventCount, purgeCutoff } from '../../application/retention.ts';
import { setBadgeEventRetention } from '../../application/retention-settings.ts';
import { retentionDays } from '../../application/treasury-settings.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { setupWords } from '../i18n/setup.ts';
import { page } from '../views/layout.tsx';
import { Field } from '../views/ui.tsx';
import { AdminNav } from './admin-nav.tsx';

export function registerAdminRetention(app: Hono<DashEnv>): void {
  app.get('/admin/retention', requires(ADMIN), async (c) => {
    const s = setupWords(c);
    const { db, now, labTimeZone, badgeEventRetentionDays } = c.var.deps;
    const days = await retentionDays(db, badgeEventRetentionDays);
    const purgeable = await purgeableEventCount(db, purgeCutoff(now(), days, labTimeZone));
    return page(
      c,
      s.retentionTitle,
      <>
        <AdminNav c={c} />
        <form method="post" action="/admin/retention" class="card narrow">
          <p>{s.retentionIntro}</p>
          <p>{s.retentionCurrent(days)}</p>
          <p>
            <small>{s.retentionDefault(badgeEventRetentionDays)}</small>
          </p>
          <p>{s.retentionPurgeable(purgeable)}</p>
          <Field
            label={s.retentionDays}
            name="days"
            type="number"
            min="1"
            step="1"
            value={days}
            required
            inputmode="numeric"
            hint={s.retentionDaysHint}
          />
          <button type="submit">{s.save}</button>
        </form>
      </>,
    );
  });

  app.post('/admin/retention', requires(ADMIN), async (c) => {
    const s = setupWords(c);
    const form = await parseForm(
      c,
      z.object({
        days: z
          .string()
          .trim()
          .regex(/^\d{1,4}$/)
          .transform(Number)
          .pipe(z.number().min(1).max(3650)),
      }),
    );
    if (!form.ok) return redirectWith(c, '/admin/retention', 'error', s.retentionInvalid);
    const ctx = useCaseContext(c.var.deps, userOf(c));
    const saved = await setBadgeEventRetention(ctx, { badgeEventRetentionDays: form.data.days });
    return redirectWith(c, '/admin/retention', 'ok', s.retentionSaved(saved.badgeEventRetentionDays));
  });
}
