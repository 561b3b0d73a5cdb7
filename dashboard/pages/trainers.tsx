/**
 * Trainers (issue #4): certify a member in three steps (find the member, pick one of the
 * trainer's own qualifications, confirm), and the certifications expiring in 30 days.
 * Each step is a plain GET page, so it works without JavaScript and with the back button.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { certify } from '../../application/certifications.ts';
import { ServiceError } from '../../application/errors.ts';
import { expiringCertifications } from '../../application/expiring-certifications.ts';
import { listMembers, memberDetail } from '../../application/members.ts';
import { listQualifications } from '../../application/qualifications.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { requires, TRAINERS } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { page } from '../views/layout.tsx';
import { Empty, Field, Table, Tag } from '../views/ui.tsx';

export const EXPIRY_WINDOW_DAYS = 30;

/** The qualifications this person may certify: their own as a trainer; all for an admin. */
async function myQualifications(c: DashContext) {
  const user = userOf(c);
  const all = await listQualifications(c.var.deps.db);
  if (user.kind === 'staff' && user.roles.includes('admin')) return { all: true, items: all };
  const mine = user.kind === 'staff' ? user.trainerOf : [];
  return { all: false, items: all.filter((q) => mine.includes(q.id)) };
}

function Steps(props: { c: DashContext; step: 1 | 2 | 3 }) {
  const { t } = props.c.var;
  const labels = [t.stepFindMember, t.stepPickQualification, t.stepConfirm];
  return (
    <ol class="steps" aria-label={t.certifySteps}>
      {labels.map((label, i) => (
        <li aria-current={i + 1 === props.step ? 'step' : undefined}>
          <span class="step-no">{i + 1}</span> {label}
        </li>
      ))}
    </ol>
  );
}

export function registerTrainers(app: Hono<DashEnv>): void {
  app.get('/trainers', requires(TRAINERS), async (c) => {
    const { t, fmt } = c.var;
    const { db, now } = c.var.deps;
    const memberId = c.req.query('member');
    const qualificationId = c.req.query('qualification');
    const mine = await myQualifications(c);

    let body: unknown;
    if (memberId && qualificationId) {
      const member = await memberDetail(db, memberId, now());
      const q = mine.items.find((x) => x.id === qualificationId);
      if (q === undefined)
        return redirectWith(c, `/trainers?member=${memberId}`, 'error', t.notYourQualification);
      const until = new Date(now().getTime() + q.validityDays * 86_400_000);
      body = (
        <>
          <Steps c={c} step={3} />
          <form method="post" action="/trainers/certify" class="card narrow">
            <input type="hidden" name="memberId" value={member.id} />
            <input type="hidden" name="qualificationId" value={q.id} />
            <p>{t.confirmCertify(member.name, q.name, fmt.date(until))}</p>
            <div class="actions">
              <button type="submit">{t.confirmCertification}</button>
              <a href={`/trainers?member=${member.id}`}>{t.back}</a>
            </div>
          </form>
        </>
      );
    } else if (memberId) {
      const member = await memberDetail(db, memberId, now());
      const held = new Map(
        member.certifications.filter((x) => x.valid).map((x) => [x.qualificationId, x.validUntil]),
      );
      body = (
        <>
          <Steps c={c} step={2} />
          <form method="get" action="/trainers" class="card narrow">
            <input type="hidden" name="member" value={member.id} />
            <fieldset>
              <legend>{t.pickQualificationFor(member.name)}</legend>
              {mine.items.length === 0 && <Empty>{t.noQualificationsToCertify}</Empty>}
              {mine.items.map((q, i) => {
                const expires = held.get(q.id);
                return (
                  <label class="choice">
                    <input type="radio" name="qualification" value={q.id} required checked={i === 0} />{' '}
                    {q.name}
                    {expires && <small> — {t.alreadyCertifiedUntil(fmt.date(expires))}</small>}
                  </label>
                );
              })}
            </fieldset>
            <div class="actions">
              <button type="submit">{t.next}</button>
              <a href="/trainers">{t.back}</a>
            </div>
          </form>
        </>
      );
    } else {
      const q = (c.req.query('q') ?? '').trim().slice(0, 100);
      const found = q ? await listMembers(db, { q, limit: 20, offset: 0 }) : null;
      body = (
        <>
          <Steps c={c} step={1} />
          <form method="get" action="/trainers" class="inline">
            <Field label={t.searchMembers} name="q" type="search" value={q} hint={t.searchHint} />
            <button type="submit">{t.search}</button>
          </form>
          {found &&
            (found.items.length === 0 ? (
              <Empty>{t.noMembersFound}</Empty>
            ) : (
              <ul class="pick-list">
                {found.items.map((m) => (
                  <li>
                    <a href={`/trainers?member=${m.id}`}>
                      {m.name} <small>({m.email})</small>
                    </a>
                  </li>
                ))}
              </ul>
            ))}
        </>
      );
    }

    const expiring = await expiringCertifications(db, {
      now: now(),
      days: EXPIRY_WINDOW_DAYS,
      qualificationIds: mine.all ? null : mine.items.map((x) => x.id),
    });
    return page(
      c,
      t.trainersTitle,
      <>
        <section aria-labelledby="certify-h">
          <h2 id="certify-h">{t.certifyAMember}</h2>
          {body}
        </section>
        <section aria-labelledby="expiring-h">
          <h2 id="expiring-h">{t.expiringSoon(EXPIRY_WINDOW_DAYS)}</h2>
          {expiring.length === 0 ? (
            <Empty>{t.nothingExpiring}</Empty>
          ) : (
            <Table caption={t.expiringSoon(EXPIRY_WINDOW_DAYS)} head={[t.name, t.qualification, t.ends]}>
              {expiring.map((x) => (
                <tr>
                  <td>
                    <a href={`/trainers?member=${x.memberId}`}>{x.memberName}</a>
                  </td>
                  <td>{x.qualificationName}</td>
                  <td>
                    <Tag tone="warn">
                      {x.ends === 'lapse'
                        ? t.lapsesOn(fmt.date(x.expiresAt))
                        : t.expiresOn(fmt.date(x.expiresAt))}
                    </Tag>
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </section>
      </>,
    );
  });

  app.post('/trainers/certify', requires(TRAINERS), async (c) => {
    const { t, fmt } = c.var;
    const { db, now } = c.var.deps;
    const form = await parseForm(
      c,
      z.object({ memberId: z.string().min(1).max(200), qualificationId: z.string().min(1).max(64) }),
    );
    if (!form.ok) return redirectWith(c, '/trainers', 'error', t.invalidForm);
    const user = userOf(c);
    const { memberId, qualificationId } = form.data;
    try {
      const cert = await certify(useCaseContext(c.var.deps, user), { memberId, qualificationId });
      const member = await memberDetail(db, memberId, now());
      // Issue #12 item 4: the qualification's name, not its id.
      const q = (await listQualifications(db)).find((x) => x.id === qualificationId);
      return redirectWith(
        c,
        '/trainers',
        'ok',
        t.certified(member.name, q?.name ?? qualificationId, fmt.date(cert.expiresAt)),
      );
    } catch (e) {
      if (e instanceof ServiceError && (e.kind === 'forbidden' || e.kind === 'conflict')) {
        const text = e.kind === 'forbidden' ? t.notYourQualification : t.prerequisiteMissing(e.detail);
        return redirectWith(c, `/trainers?member=${memberId}`, 'error', text);
      }
      throw e;
    }
  });
}
