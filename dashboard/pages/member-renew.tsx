/**
 * Renewing memberships in the browser (issue #12 item 2, admins): one member from their page
 * ("Renouveler jusqu'au 31 août 2027", the lab's usual end proposed), many ticked in the
 * members list, or a pasted list of e-mails. All call renewMemberships (one use case); dates
 * are typed and shown as the last day, inclusive (issue #12 item 5).
 */
import type { Hono } from 'hono';
import { ServiceError } from '../../application/errors.ts';
import { memberDetail } from '../../application/members.ts';
import { lastDayInstant, parseLastDay, proposedLastDay } from '../../application/membership-dates.ts';
import {
  type RenewedMember,
  renewMemberships,
  usualMembershipEnd,
} from '../../application/membership-renewal.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { formOf, listOf } from '../http/forms.ts';
import { page } from '../views/layout.tsx';
import { Table } from '../views/ui.tsx';
import { memberPath } from './member-admin.tsx';

/** The proposed last day for a member (or for a batch: `currentBound` null). */
export async function proposal(c: DashContext, currentBound: Date | null): Promise<string> {
  const { deps } = c.var;
  const usual = await usualMembershipEnd(deps);
  return proposedLastDay({ currentBound, usual, now: deps.now(), timeZone: deps.labTimeZone });
}

/** "31 août 2027" for a `YYYY-MM-DD` last day. */
export function showDay(c: DashContext, day: string): string {
  const bound = parseLastDay(day, c.var.deps.labTimeZone);
  return bound === null ? day : c.var.fmt.date(lastDayInstant(bound));
}

/** The card on a member's profile: renew to the proposed day, or to another. */
export function RenewForms(props: { c: DashContext; memberId: string; proposed: string }) {
  const { c, memberId, proposed } = props;
  const { t } = c.var;
  const action = `${memberPath(memberId)}/renew`;
  return (
    <>
      <form method="post" action={action}>
        <input type="hidden" name="lastDay" value={proposed} />
        <button type="submit">{t.renewTo(showDay(c, proposed))}</button>
      </form>
      <details>
        <summary>{t.renewOtherDate}</summary>
        <form method="post" action={action}>
          <div class="field">
            <label for="renew-day">{t.membershipLastDay}</label>
            <input id="renew-day" name="lastDay" type="date" required value={proposed} />
          </div>
          <button type="submit">{t.renew}</button>
        </form>
      </details>
    </>
  );
}

const MAX_EMAILS_TEXT = 60_000;

function WhoTable(props: { c: DashContext; caption: string; rows: RenewedMember[] }) {
  const { t, fmt } = props.c.var;
  return (
    <Table caption={props.caption} head={[t.name, t.email, t.previousEnd]}>
      {props.rows.map((m) => (
        <tr>
          <td>
            <a href={memberPath(m.id)}>{m.name}</a>
          </td>
          <td>{m.email}</td>
          <td>{m.before === null ? t.noEnd : fmt.date(lastDayInstant(m.before))}</td>
        </tr>
      ))}
    </Table>
  );
}

export function registerMemberRenew(app: Hono<DashEnv>): void {
  app.post('/members/:id/renew', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const id = c.req.param('id');
    const form = await formOf(c);
    const day = typeof form.lastDay === 'string' ? form.lastDay.slice(0, 20) : '';
    try {
      const r = await renewMemberships(useCaseContext(c.var.deps, userOf(c)), {
        lastDay: day,
        memberIds: [id],
      });
      const shown = showDay(c, r.lastDay);
      const who = r.renewed[0] ?? r.unchanged[0];
      if (who === undefined) return redirectWith(c, '/members', 'error', t.renewNobody);
      return r.renewed.length > 0
        ? redirectWith(c, memberPath(id), 'ok', t.renewed(who.name, shown))
        : redirectWith(c, memberPath(id), 'error', t.renewNotNeeded(who.name, shown));
    } catch (e) {
      if (!(e instanceof ServiceError && e.kind === 'invalid')) throw e;
      const past = e.detail.includes('past');
      return redirectWith(
        c,
        memberPath(id),
        'error',
        past ? t.fieldErrors.lastDayPast : t.fieldErrors.lastDay,
      );
    }
  });

  app.get('/members/renew', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const proposed = await proposal(c, null);
    return page(
      c,
      t.renewTitle,
      <form method="post" action="/members/renew" class="card narrow">
        <div class="field">
          <label for="renew-emails">{t.renewEmails}</label>
          <textarea
            id="renew-emails"
            name="emails"
            rows={10}
            class="csv"
            spellcheck={false}
            aria-describedby="renew-emails-hint"
          ></textarea>
          <small id="renew-emails-hint" class="hint">
            {t.renewEmailsHint}
          </small>
        </div>
        <div class="field">
          <label for="renew-list-day">{t.membershipLastDay}</label>
          <input id="renew-list-day" name="lastDay" type="date" required value={proposed} />
        </div>
        <p class="actions">
          <button type="submit">{t.renewTitle}</button>
          <a href="/members">{t.cancel}</a>
        </p>
      </form>,
    );
  });

  // From the list (ticked members) or the pasted e-mails: one renewal, then what it did.
  app.post('/members/renew', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const form = await formOf(c);
    const day = typeof form.lastDay === 'string' ? form.lastDay.slice(0, 20) : '';
    const memberIds = listOf(form.memberIds).slice(0, 5000);
    const text = typeof form.emails === 'string' ? form.emails.slice(0, MAX_EMAILS_TEXT) : '';
    const emails = text
      .split(/[\s,;]+/)
      .map((e) => e.trim())
      .filter((e) => e !== '');
    const back = emails.length > 0 || text !== '' ? '/members/renew' : '/members';
    if (memberIds.length + emails.length === 0) return redirectWith(c, back, 'error', t.renewNobody);
    let r: Awaited<ReturnType<typeof renewMemberships>>;
    try {
      r = await renewMemberships(useCaseContext(c.var.deps, userOf(c)), { lastDay: day, memberIds, emails });
    } catch (e) {
      if (!(e instanceof ServiceError && e.kind === 'invalid')) throw e;
      const past = e.detail.includes('past');
      return redirectWith(c, back, 'error', past ? t.fieldErrors.lastDayPast : t.fieldErrors.lastDay);
    }
    const shown = showDay(c, r.lastDay);
    return page(
      c,
      t.renewResultTitle,
      <>
        <p class="flash ok" role="status">
          {t.renewSummary(r.renewed.length, shown, r.unchanged.length, r.unknown.length)}
        </p>
        {r.renewed.length > 0 && <WhoTable c={c} caption={t.renewedList} rows={r.renewed} />}
        {r.unchanged.length > 0 && <WhoTable c={c} caption={t.unchangedList} rows={r.unchanged} />}
        {r.unknown.length > 0 && (
          <section aria-labelledby="unknown-h" class="card">
            <h2 id="unknown-h">{t.unknownList}</h2>
            <ul>
              {r.unknown.map((x) => (
                <li>{x}</li>
              ))}
            </ul>
          </section>
        )}
        <p>
          <a href="/members">{t.backToMembers}</a>
        </p>
      </>,
    );
  });
}

/** A member's page: the renewal proposal for them. */
export async function memberProposal(c: DashContext, memberId: string): Promise<string> {
  const m = await memberDetail(c.var.deps.db, memberId, c.var.deps.now());
  return proposal(c, m.membershipValidUntil);
}
