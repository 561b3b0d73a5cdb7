/**
 * A member's data rights on their profile (issue #5, GDPR, admin): export everything held as
 * a JSON download (the API's exportMemberData) and erasure by pseudonymisation (eraseMember)
 * after a confirmation step where the admin types the member's id, as the API asks.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { ServiceError } from '../../application/errors.ts';
import { eraseMemberData, exportMemberData } from '../../application/gdpr.ts';
import { memberDetail } from '../../application/members.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { page } from '../views/layout.tsx';

/** The card on a member's profile (admins). */
export function MemberDataCard(props: { c: DashContext; memberId: string }) {
  const { t } = props.c.var;
  const base = `/members/${encodeURIComponent(props.memberId)}`;
  return (
    <section aria-labelledby="gdpr-h" class="card">
      <h2 id="gdpr-h">{t.memberData}</h2>
      <p>{t.memberDataExplain}</p>
      <p class="actions">
        <a class="button" href={`${base}/data-export`} download>
          {t.exportData}
        </a>
        <a class="button danger" href={`${base}/erase`}>
          {t.eraseMember}
        </a>
      </p>
    </section>
  );
}

export function registerMemberData(app: Hono<DashEnv>): void {
  app.get('/members/:id/data-export', requires(ADMIN), async (c) => {
    const id = c.req.param('id');
    const data = await exportMemberData(c.var.deps.db, id, c.var.deps.now());
    return c.body(JSON.stringify(data, null, 2), 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="member-${id.replace(/[^A-Za-z0-9-]/g, '_')}.json"`,
      'cache-control': 'no-store',
    });
  });

  app.get('/members/:id/erase', requires(ADMIN), async (c) => {
    const { t, fmt } = c.var;
    const id = c.req.param('id');
    const detail = await memberDetail(c.var.deps.db, id, c.var.deps.now());
    const back = `/members/${encodeURIComponent(id)}`;
    return page(
      c,
      t.eraseTitle(detail.name),
      <div class="card narrow">
        <p>{t.eraseExplain}</p>
        {detail.balanceCents !== 0 && <p>{t.eraseBalance(fmt.money(detail.balanceCents))}</p>}
        <form method="post" action={`${back}/erase`}>
          <div class="field">
            <label for="erase-confirm">{t.eraseConfirmLabel(id)}</label>
            <input id="erase-confirm" name="confirm" required autocomplete="off" spellcheck={false} />
          </div>
          <p class="actions">
            <button type="submit" class="danger">
              {t.eraseConfirm}
            </button>
            <a href={back}>{t.cancel}</a>
          </p>
        </form>
      </div>,
    );
  });

  app.post('/members/:id/erase', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const id = c.req.param('id');
    const back = `/members/${encodeURIComponent(id)}`;
    const form = await parseForm(c, z.object({ confirm: z.string().trim().max(200) }));
    if (!form.ok || form.data.confirm !== id)
      return redirectWith(c, `${back}/erase`, 'error', t.eraseConfirmWrong);
    try {
      await eraseMemberData(useCaseContext(c.var.deps, userOf(c)), { memberId: id });
    } catch (e) {
      if (e instanceof ServiceError && e.kind === 'conflict') {
        return redirectWith(c, back, 'error', t.eraseRefused(e.detail));
      }
      throw e;
    }
    return redirectWith(c, '/members', 'ok', t.erased);
  });
}
