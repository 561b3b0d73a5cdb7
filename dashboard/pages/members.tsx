/**
 * Members (issue #4): search, profile, add a member, issue a badge, top up, refund or adjust
 * with a reason, give dashboard access through a one-time link. Forms post here and call the
 * API's services; every money movement carries an idempotency key from the form.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { createAccessLink } from '../../application/access-links.ts';
import { actorOf } from '../../application/auth.ts';
import { issueBadge, UidRetiredError } from '../../application/badges.ts';
import { listEnrolments } from '../../application/enrolments.ts';
import { ServiceError } from '../../application/errors.ts';
import { listMembers } from '../../application/members.ts';
import { lastDayInstant } from '../../application/membership-dates.ts';
import { BelowFloorError } from '../../application/money.ts';
import {
  type AdjustInput,
  adjust,
  type RefundInput,
  refund,
  type TopUpInput,
  topUp,
} from '../../application/money-use-cases.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { TOPUP_METHODS } from '../../core/domain.ts';
import { normaliseUid } from '../../core/ids.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { ADMIN, can, MEMBERS, MONEY, requires, STAFF, STAFF_OR_MEMBER } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseEuros, parseForm } from '../http/forms.ts';
import { forbiddenPage } from '../views/errors.tsx';
import { page } from '../views/layout.tsx';
import { Empty, Field, Table } from '../views/ui.tsx';
import { MemberActions } from './member-actions.tsx';
import { loadProfile, ProfileView } from './member-profile.tsx';
import { proposal } from './member-renew.tsx';

const PAGE_SIZE = 50;

export function registerMembers(app: Hono<DashEnv>): void {
  app.get('/members', requires(STAFF), async (c) => {
    const { t } = c.var;
    const q = (c.req.query('q') ?? '').trim().slice(0, 100);
    const result = await listMembers(c.var.deps.db, { q: q || undefined, limit: PAGE_SIZE, offset: 0 });
    const admin = can(c.var.user, ADMIN);
    const proposed = admin ? await proposal(c, null) : '';
    return page(
      c,
      t.membersTitle,
      <>
        <form method="get" action="/members" class="inline">
          <Field label={t.searchMembers} name="q" type="search" value={q} hint={t.searchHint} />
          <button type="submit">{t.search}</button>
        </form>
        {admin && (
          <p>
            <a class="button" href="/members/new">
              {t.addMember}
            </a>
          </p>
        )}
        {result.items.length === 0 ? (
          <Empty>{t.noMembersFound}</Empty>
        ) : admin ? (
          // Admins tick members and renew them at once (issue #12 item 2).
          <form method="post" action="/members/renew">
            <MembersTable c={c} items={result.items} total={result.total} selectable />
            <section aria-labelledby="renew-many-h" class="card narrow">
              <h2 id="renew-many-h">{t.renewSelected}</h2>
              <p class="hint">{t.renewSelectedHint}</p>
              <div class="field">
                <label for="renew-many-day">{t.membershipLastDay}</label>
                <input id="renew-many-day" name="lastDay" type="date" required value={proposed} />
              </div>
              <button type="submit">{t.renewSelected}</button>
            </section>
          </form>
        ) : (
          <MembersTable c={c} items={result.items} total={result.total} />
        )}
        {admin && (
          <p>
            <a href="/members/renew">{t.renewFromList}</a>
          </p>
        )}
      </>,
    );
  });

  app.get('/members/:id', requires(STAFF_OR_MEMBER), async (c) => {
    const id = c.req.param('id');
    const user = userOf(c);
    if (user.kind === 'member') {
      // Members see only their own account.
      return user.memberId === id ? c.redirect('/me', 303) : forbiddenPage(c);
    }
    const profile = await loadProfile(c, id);
    const { db, now } = c.var.deps;
    const admin = can(user, ADMIN);
    const enrolments = admin ? await listEnrolments(db, now()) : [];
    const proposed = admin ? await proposal(c, profile.detail.membershipValidUntil) : '';
    return page(
      c,
      profile.detail.name,
      <>
        <ProfileView c={c} p={profile} rowActions />
        <MemberActions c={c} detail={profile.detail} enrolments={enrolments} proposed={proposed} />
      </>,
    );
  });

  app.get('/me', requires(MEMBERS), async (c) => {
    const user = userOf(c);
    const profile = await loadProfile(c, user.kind === 'member' ? user.memberId : '');
    return page(c, c.var.t.myAccount, <ProfileView c={c} p={profile} />);
  });

  app.post('/members/:id/badges', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const id = c.req.param('id');
    const form = await parseForm(
      c,
      z.object({ uid: z.string().max(40).default(''), enrolledUid: z.string().max(40).optional() }),
    );
    // A typed UID wins; otherwise the badge presented at a reader in enrolment mode (issue #6).
    const raw = form.ok ? form.data.uid.trim() || form.data.enrolledUid || '' : '';
    const uid = normaliseUid(raw);
    if (uid === null) return redirectWith(c, `/members/${id}#badge-h`, 'error', t.badgeUidHint);
    try {
      const badge = await issueBadge(useCaseContext(c.var.deps, userOf(c)), { memberId: id, uid });
      return redirectWith(c, `/members/${id}`, 'ok', t.badgeIssued(badge.last4));
    } catch (e) {
      if (e instanceof UidRetiredError)
        return redirectWith(c, `/members/${id}#badge-h`, 'error', t.badgeRetired);
      if (e instanceof ServiceError && e.kind === 'conflict') {
        return redirectWith(c, `/members/${id}#badge-h`, 'error', t.badgeTaken);
      }
      throw e;
    }
  });

  app.post('/members/:id/topups', requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const id = c.req.param('id');
    const form = await parseForm(
      c,
      z.object({
        idempotencyKey: z.string().min(1).max(200),
        amount: z.string(),
        method: z.enum(TOPUP_METHODS),
        reference: z.string().trim().max(200).optional(),
      }),
    );
    const amountCents = form.ok ? parseEuros(form.data.amount) : null;
    if (!form.ok || amountCents === null || amountCents <= 0 || amountCents > 10_000_000) {
      return redirectWith(c, `/members/${id}#topup-h`, 'error', t.amountInvalid);
    }
    const body = { amountCents, method: form.data.method, reference: form.data.reference || null };
    const result = await money(c, 'topup', id, form.data.idempotencyKey, body);
    return redirectWith(
      c,
      `/members/${id}`,
      'ok',
      t.toppedUp(fmt.money(amountCents), fmt.money(result.balanceCents)),
    );
  });

  app.post('/members/:id/corrections', requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const id = c.req.param('id');
    const form = await parseForm(
      c,
      z.object({
        idempotencyKey: z.string().min(1).max(200),
        kind: z.enum(['refund', 'adjustment']),
        amount: z.string(),
        method: z.enum(TOPUP_METHODS),
        reason: z.string().trim().min(1).max(500),
        override: z.literal('1').optional(),
      }),
    );
    if (!form.ok) {
      const text = form.fields.includes('reason') ? t.reasonRequired : t.invalidForm;
      return redirectWith(c, `/members/${id}#correct-h`, 'error', text);
    }
    const amountCents = parseEuros(form.data.amount);
    const refund = form.data.kind === 'refund';
    if (
      amountCents === null ||
      amountCents === 0 ||
      (refund && amountCents < 0) ||
      Math.abs(amountCents) > 10_000_000
    ) {
      return redirectWith(c, `/members/${id}#correct-h`, 'error', t.amountInvalid);
    }
    const body = refund
      ? { amountCents, method: form.data.method, reason: form.data.reason }
      : {
          amountCents,
          reason: form.data.reason,
          // issue #9: below the lowest machine floor only when confirmed, as on the API
          ...(form.data.override === '1' ? { override: true } : {}),
        };
    try {
      const result = await money(c, form.data.kind, id, form.data.idempotencyKey, body);
      return redirectWith(c, `/members/${id}`, 'ok', t.corrected(fmt.money(result.balanceCents)));
    } catch (e) {
      if (e instanceof BelowFloorError) {
        const text = t.belowFloor(fmt.money(e.balanceCents), fmt.money(e.floorCents));
        return redirectWith(c, `/members/${id}#correct-h`, 'error', text);
      }
      if (e instanceof ServiceError && e.kind === 'conflict') {
        return redirectWith(c, `/members/${id}#correct-h`, 'error', t.refundTooLarge);
      }
      throw e;
    }
  });

  app.post('/members/:id/access-link', requires(ADMIN), async (c) => {
    const { t, fmt } = c.var;
    const { db, now } = c.var.deps;
    const id = c.req.param('id');
    const link = await createAccessLink(db, actorOf(userOf(c)), { memberId: id }, now());
    return accessLinkPage(c, link.token, fmt.dateTime(link.expiresAt), `/members/${id}`, t.backToProfile);
  });
}

type ListedMember = Awaited<ReturnType<typeof listMembers>>['items'][number];

/** The members found; with `selectable`, a box per row to renew several at once. */
function MembersTable(props: { c: DashContext; items: ListedMember[]; total: number; selectable?: boolean }) {
  const { t, fmt } = props.c.var;
  const head = [t.name, t.email, t.status, t.membershipUntil, t.credit];
  return (
    <Table
      caption={t.membersFound(props.total)}
      head={props.selectable ? [t.select, ...head] : head}
      numeric={props.selectable ? [5] : [4]}
      cards
    >
      {props.items.map((m) => (
        <tr>
          {props.selectable && (
            <td data-label={t.select}>
              <input type="checkbox" name="memberIds" value={m.id} aria-label={t.selectMember(m.name)} />
            </td>
          )}
          <td data-label={t.name}>
            <a href={`/members/${m.id}`}>{m.name}</a>
          </td>
          <td data-label={t.email}>{m.email}</td>
          <td data-label={t.status}>
            {m.status === 'active'
              ? t.memberActive
              : m.status === 'suspended'
                ? t.memberSuspended
                : t.memberExpired}
          </td>
          {/* issue #12 item 5: the last day, as the user wrote it */}
          <td data-label={t.membershipUntil}>
            {m.membershipValidUntil ? fmt.date(lastDayInstant(m.membershipValidUntil)) : ''}
          </td>
          <td data-label={t.credit} class="num">
            {fmt.money(m.balanceCents)}
          </td>
        </tr>
      ))}
    </Table>
  );
}

/** The link is shown on this page only: it is not stored and cannot be shown again. */
export function accessLinkPage(
  c: DashContext,
  token: string,
  expires: string,
  back: string,
  backLabel: string,
) {
  const { t } = c.var;
  const url = `${new URL(c.req.url).origin}/access/${token}`;
  return page(
    c,
    t.accessLinkTitle,
    <div class="card">
      <p>{t.accessLinkShownOnce(expires)}</p>
      <p>
        <label for="access-link">{t.link}</label>
        <input id="access-link" class="secret" readonly value={url} />
      </p>
      <p>
        <a href={back}>{backLabel}</a>
      </p>
    </div>,
  );
}

/** Top-ups, refunds and adjustments: the same use cases as the API and the CLI (issue #12). */
async function money(
  c: DashContext,
  kind: 'topup' | 'refund' | 'adjustment',
  memberId: string,
  idempotencyKey: string,
  body: {
    amountCents: number;
    method?: (typeof TOPUP_METHODS)[number];
    reference?: string | null;
    reason?: string;
    override?: boolean;
  },
): Promise<{ balanceCents: number }> {
  const ctx = useCaseContext(c.var.deps, userOf(c));
  const input = { ...body, memberId, idempotencyKey };
  const answer =
    kind === 'topup'
      ? await topUp(ctx, input as TopUpInput)
      : kind === 'refund'
        ? await refund(ctx, input as RefundInput)
        : await adjust(ctx, input as AdjustInput);
  return answer.movement;
}
