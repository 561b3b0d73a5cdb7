/**
 * Cutting a member off one machine or all (issue #12 item 2), from the rows of their page:
 * a badge declared lost or revoked (admins), a certification revoked (its trainers or an
 * admin). Each has a confirmation page that names the badge as people know it (its last 4
 * digits and when it was issued) or the qualification by its name; nobody types an id.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { revokeBadge } from '../../application/badges.ts';
import { revokeCertification } from '../../application/certifications.ts';
import { ServiceError } from '../../application/errors.ts';
import { memberDetail } from '../../application/members.ts';
import { listQualifications } from '../../application/qualifications.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires, TRAINERS } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { forbiddenPage, notFoundPage } from '../views/errors.tsx';
import { page } from '../views/layout.tsx';
import { memberPath } from './member-admin.tsx';

/** May this person revoke a certification of `qualificationId`? (the rule of application/certifications.ts) */
export function mayRevoke(c: DashContext, qualificationId: string): boolean {
  const u = c.var.user;
  return (
    u !== null &&
    u.kind === 'staff' &&
    (u.roles.includes('admin') || (u.roles.includes('trainer') && u.trainerOf.includes(qualificationId)))
  );
}

/** The member's badge `badgeId`, or null: a badge is only reached through its holder's page. */
async function badgeOf(c: DashContext, memberId: string, badgeId: string) {
  const m = await memberDetail(c.var.deps.db, memberId, c.var.deps.now());
  const badge = m.badges.find((b) => b.id === badgeId);
  return badge === undefined ? null : { m, badge };
}

async function certOf(c: DashContext, memberId: string, certId: string) {
  const { db, now } = c.var.deps;
  const m = await memberDetail(db, memberId, now());
  const cert = m.certifications.find((x) => x.id === certId);
  if (cert === undefined) return null;
  const quals = await listQualifications(db);
  const qualName = quals.find((q) => q.id === cert.qualificationId)?.name ?? cert.qualificationId;
  return { m, cert, qualName };
}

const KINDS = ['lost', 'revoke'] as const;

export function registerMemberCutOffs(app: Hono<DashEnv>): void {
  app.get('/members/:id/badges/:badgeId/:kind{lost|revoke}', requires(ADMIN), async (c) => {
    const { t, fmt } = c.var;
    const { id, badgeId } = c.req.param();
    const kind = c.req.param('kind') as (typeof KINDS)[number];
    const found = await badgeOf(c, id, badgeId);
    if (found === null) return notFoundPage(c);
    const { badge } = found;
    if (badge.status !== 'active') return redirectWith(c, memberPath(id), 'error', t.badgeNotActive);
    const named = t.badgeOf(badge.last4, fmt.date(badge.issuedAt));
    return page(
      c,
      kind === 'lost' ? t.lostTitle(named) : t.revokeBadgeTitle(named),
      <form
        method="post"
        action={`${memberPath(id)}/badges/${encodeURIComponent(badgeId)}/${kind}`}
        class="card narrow"
      >
        <p>{t.badgeCutExplain}</p>
        <p class="actions">
          <button type="submit" class="danger">
            {kind === 'lost' ? t.confirmLost : t.confirmRevokeBadge}
          </button>
          <a href={memberPath(id)}>{t.cancel}</a>
        </p>
      </form>,
    );
  });

  app.post('/members/:id/badges/:badgeId/:kind{lost|revoke}', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const { id, badgeId } = c.req.param();
    const kind = c.req.param('kind') as (typeof KINDS)[number];
    const found = await badgeOf(c, id, badgeId);
    if (found === null) return notFoundPage(c);
    try {
      await revokeBadge(useCaseContext(c.var.deps, userOf(c)), {
        badgeId,
        status: kind === 'lost' ? 'lost' : 'revoked',
      });
    } catch (e) {
      if (e instanceof ServiceError && e.kind === 'conflict')
        return redirectWith(c, memberPath(id), 'error', t.badgeNotActive);
      throw e;
    }
    const last4 = found.badge.last4;
    return redirectWith(
      c,
      memberPath(id),
      'ok',
      kind === 'lost' ? t.badgeDeclaredLost(last4) : t.badgeRevoked(last4),
    );
  });

  app.get('/members/:id/certifications/:certId/revoke', requires(TRAINERS), async (c) => {
    const { t } = c.var;
    const { id, certId } = c.req.param();
    const found = await certOf(c, id, certId);
    if (found === null) return notFoundPage(c);
    if (!mayRevoke(c, found.cert.qualificationId)) return forbiddenPage(c);
    if (found.cert.revokedAt !== null) return redirectWith(c, memberPath(id), 'error', t.certAlreadyRevoked);
    return page(
      c,
      t.revokeCertTitle(found.qualName, found.m.name),
      <form
        method="post"
        action={`${memberPath(id)}/certifications/${encodeURIComponent(certId)}/revoke`}
        class="card narrow"
      >
        <p>{t.revokeCertExplain}</p>
        <div class="field">
          <label for="revoke-reason">{t.statusReasonLabel}</label>
          <input
            id="revoke-reason"
            name="reason"
            required
            maxlength={500}
            autocomplete="off"
            aria-describedby="revoke-reason-hint"
          />
          <small id="revoke-reason-hint" class="hint">
            {t.revokeCertReasonHint}
          </small>
        </div>
        <p class="actions">
          <button type="submit" class="danger">
            {t.confirmRevokeCert}
          </button>
          <a href={memberPath(id)}>{t.cancel}</a>
        </p>
      </form>,
    );
  });

  app.post('/members/:id/certifications/:certId/revoke', requires(TRAINERS), async (c) => {
    const { t } = c.var;
    const { id, certId } = c.req.param();
    const found = await certOf(c, id, certId);
    if (found === null) return notFoundPage(c);
    if (!mayRevoke(c, found.cert.qualificationId)) return forbiddenPage(c);
    const form = await parseForm(c, z.object({ reason: z.string().trim().min(1).max(500) }));
    const back = `${memberPath(id)}/certifications/${encodeURIComponent(certId)}/revoke`;
    if (!form.ok) return redirectWith(c, back, 'error', t.fieldErrors.reason);
    try {
      await revokeCertification(useCaseContext(c.var.deps, userOf(c)), {
        certificationId: certId,
        reason: form.data.reason,
      });
    } catch (e) {
      if (e instanceof ServiceError && e.kind === 'conflict')
        return redirectWith(c, memberPath(id), 'error', t.certAlreadyRevoked);
      if (e instanceof ServiceError && e.kind === 'forbidden') return forbiddenPage(c);
      throw e;
    }
    return redirectWith(c, memberPath(id), 'ok', t.certRevoked(found.qualName));
  });
}
