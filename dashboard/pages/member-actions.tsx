/**
 * The forms on a member's profile, by role: record, membership and suspension (admin, issue
 * #12), badge (admin), money (treasurer), access link (admin).
 */
import type { PendingEnrolment } from '../../application/enrolments.ts';
import { TOPUP_METHODS } from '../../core/domain.ts';
import type { DashContext } from '../context.ts';
import { ADMIN, can, MONEY, TRAINERS } from '../http/access.ts';
import { Field, Select } from '../views/ui.tsx';
import { MemberDataCard } from './member-data.tsx';
import { RenewForms } from './member-renew.tsx';

export function MemberActions(props: {
  c: DashContext;
  detail: { id: string; status: string };
  /** badges presented at a reader in enrolment mode (issue #6): offered for the badge form */
  enrolments?: readonly PendingEnrolment[];
  /** the renewal proposed to admins, `YYYY-MM-DD` (issue #12) */
  proposed: string;
}) {
  const { c, detail } = props;
  const memberId = detail.id;
  const enrolments = props.enrolments ?? [];
  const { t, fmt, user } = c.var;
  const methods = TOPUP_METHODS.map((m) => ({ value: m, label: t.methods[m] }));
  const base = `/members/${memberId}`;
  return (
    <div class="action-grid">
      {can(user, ADMIN) && (
        // issue #12 item 2: the record, the membership and access, each one use case
        <section aria-labelledby="status-h" class="card">
          <h2 id="status-h">{t.memberStatus}</h2>
          <p>
            <a class="button" href={`${base}/edit`}>
              {t.editMember}
            </a>
          </p>
          <RenewForms c={c} memberId={memberId} proposed={props.proposed} />
          {detail.status === 'suspended' ? (
            <form method="post" action={`${base}/reactivate`}>
              <Field
                label={t.statusReasonLabel}
                name="reason"
                id="reactivate-reason"
                required
                autocomplete="off"
                hint={t.reactivateReasonHint}
              />
              <button type="submit">{t.reactivateMember}</button>
            </form>
          ) : (
            <p>
              <a class="button danger" href={`${base}/suspend`}>
                {t.suspend}
              </a>
            </p>
          )}
        </section>
      )}
      {can(user, MONEY) && (
        <section aria-labelledby="topup-h" class="card">
          <h2 id="topup-h">{t.topUp}</h2>
          <form method="post" action={`${base}/topups`}>
            {/* One key per displayed form: submitting twice (a double click, a reload) tops up once. */}
            <input type="hidden" name="idempotencyKey" value={crypto.randomUUID()} />
            <Field
              label={t.amountEuros}
              name="amount"
              id="topup-amount"
              required
              inputmode="decimal"
              hint={t.amountHint}
            />
            <Select label={t.method} name="method" id="topup-method" options={methods} value="card" />
            <Field label={t.reference} name="reference" id="topup-reference" hint={t.referenceHint} />
            <button type="submit">{t.topUp}</button>
          </form>
        </section>
      )}
      {can(user, MONEY) && (
        <section aria-labelledby="correct-h" class="card">
          <h2 id="correct-h">{t.refundOrAdjust}</h2>
          <form method="post" action={`${base}/corrections`}>
            <input type="hidden" name="idempotencyKey" value={crypto.randomUUID()} />
            <Select
              label={t.kind}
              name="kind"
              id="correct-kind"
              options={[
                { value: 'refund', label: t.refund },
                { value: 'adjustment', label: t.adjustment },
              ]}
            />
            <Field
              label={t.amountEuros}
              name="amount"
              id="correct-amount"
              required
              inputmode="decimal"
              hint={t.correctionAmountHint}
            />
            <Select
              label={t.methodForRefund}
              name="method"
              id="correct-method"
              options={methods}
              value="cash"
            />
            <Field label={t.reason} name="reason" id="correct-reason" required hint={t.reasonHint} />
            <label class="choice">
              <input type="checkbox" name="override" value="1" /> {t.belowFloorConfirm}
            </label>
            <button type="submit">{t.record}</button>
          </form>
        </section>
      )}
      {can(user, ADMIN) && (
        <section aria-labelledby="badge-h" class="card">
          <h2 id="badge-h">{t.issueBadge}</h2>
          <form method="post" action={`${base}/badges`}>
            {enrolments.length > 0 && (
              <fieldset class="enrolments">
                <legend>{t.pendingEnrolments}</legend>
                {enrolments.map((e, i) => (
                  <label>
                    <input
                      type="radio"
                      name="enrolledUid"
                      value={e.uid}
                      checked={i === 0}
                      data-fill="badge-uid"
                    />{' '}
                    {t.enrolmentChoice(e.machineName, fmt.time(e.createdAt))} (…{e.uid.slice(-4)})
                  </label>
                ))}
              </fieldset>
            )}
            <Field
              label={enrolments.length > 0 ? t.typeUidInstead : t.badgeUid}
              name="uid"
              id="badge-uid"
              required={enrolments.length === 0}
              autocomplete="off"
              pattern="[0-9A-Fa-f]{8,20}"
              hint={t.badgeUidHint}
            />
            <button type="submit">{t.issueBadge}</button>
          </form>
        </section>
      )}
      {can(user, ADMIN) && (
        <section aria-labelledby="access-h" class="card">
          <h2 id="access-h">{t.dashboardAccess}</h2>
          <p>{t.accessLinkExplain}</p>
          <form method="post" action={`${base}/access-link`}>
            <button type="submit">{t.createAccessLink}</button>
          </form>
        </section>
      )}
      {can(user, ADMIN) && <MemberDataCard c={c} memberId={memberId} />}
      {can(user, TRAINERS) && (
        <section aria-labelledby="certify-h" class="card">
          <h2 id="certify-h">{t.certify}</h2>
          <p>
            <a href={`/trainers?member=${memberId}`}>{t.certifyThisMember}</a>
          </p>
        </section>
      )}
    </div>
  );
}
