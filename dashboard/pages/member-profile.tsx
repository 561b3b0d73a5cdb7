/**
 * A member's account as staff and the member see it (issue #4): credit, certifications with
 * expiry, badges (last 4 hex digits only), sessions, card movements.
 */
import { listMachines } from '../../application/machines.ts';
import { cardMovements } from '../../application/member-history.ts';
import { memberDetail } from '../../application/members.ts';
import { lastDayInstant } from '../../application/membership-dates.ts';
import { listQualifications } from '../../application/qualifications.ts';
import { listSessions } from '../../application/sessions.ts';
import type { DashContext } from '../context.ts';
import { ADMIN, can } from '../http/access.ts';
import type { Dict } from '../i18n/index.ts';
import { Empty, Table, Tag } from '../views/ui.tsx';
import { mayRevoke } from './member-cut-offs.tsx';

export async function loadProfile(c: DashContext, memberId: string) {
  const { db, now } = c.var.deps;
  const [detail, sessions, movements, quals, machines] = [
    await memberDetail(db, memberId, now()),
    await listSessions(db, { member: memberId, limit: 20, offset: 0 }),
    await cardMovements(db, memberId, 20),
    await listQualifications(db),
    await listMachines(db),
  ];
  return {
    detail,
    sessions: sessions.items,
    movements,
    qualName: new Map(quals.map((q) => [q.id, q.name])),
    machineName: new Map(machines.map((m) => [m.id, m.name])),
  };
}

export type Profile = Awaited<ReturnType<typeof loadProfile>>;

function statusLabel(t: Dict, status: string): string {
  return status === 'active' ? t.memberActive : status === 'suspended' ? t.memberSuspended : t.memberExpired;
}

/** Members and trainers see what ends within this many days (issue #6: lapses included). */
export const ENDS_SOON_DAYS = 30;

type Cert = Profile['detail']['certifications'][number];

/** The certification lapses for want of use before its fixed expiry. */
function lapsedFirst(cert: Cert): boolean {
  return cert.lapsesAt !== null && cert.lapsesAt.getTime() < cert.expiresAt.getTime();
}

/** "expire le …" or "caduque le … (sans utilisation)", whichever comes first. */
function endsLabel(t: Dict, date: (d: Date) => string, cert: Cert): string {
  return lapsedFirst(cert) && cert.lapsesAt !== null
    ? t.lapsesOn(date(cert.lapsesAt))
    : t.expiresOn(date(cert.expiresAt));
}

export function ProfileView(props: {
  c: DashContext;
  p: Profile;
  /** staff pages: lost / revoke on badge rows, revoke on certification rows (issue #12) */
  rowActions?: boolean;
}) {
  const { t, fmt, user } = props.c.var;
  const admin = props.rowActions === true && can(user, ADMIN);
  const base = `/members/${encodeURIComponent(props.p.detail.id)}`;
  const revocable = (cert: Cert) =>
    props.rowActions === true && cert.revokedAt === null && mayRevoke(props.c, cert.qualificationId);
  const certActions = props.rowActions === true && props.p.detail.certifications.some(revocable);
  const { detail, sessions, movements, qualName, machineName } = props.p;
  const now = props.c.var.deps.now().getTime();
  const endingSoon = detail.certifications.filter(
    (x) => x.valid && x.validUntil.getTime() - now <= ENDS_SOON_DAYS * 86_400_000,
  );
  return (
    <>
      <section aria-labelledby="summary-h" class="card">
        <h2 id="summary-h">{t.account}</h2>
        <dl class="facts">
          <dt>{t.email}</dt>
          <dd>{detail.email}</dd>
          <dt>{t.status}</dt>
          <dd>
            <Tag tone={detail.status === 'active' ? 'ok' : 'off'}>{statusLabel(t, detail.status)}</Tag>
          </dd>
          {detail.statusReason !== null && detail.statusChangedAt !== null && (
            // issue #12: why the member was suspended (or reactivated), on their page
            <>
              <dt>
                {detail.status === 'suspended'
                  ? t.suspendedSince(fmt.date(detail.statusChangedAt))
                  : t.reactivatedOn(fmt.date(detail.statusChangedAt))}
              </dt>
              <dd data-testid="status-reason">{detail.statusReason}</dd>
            </>
          )}
          {detail.membershipValidUntil && (
            <>
              <dt>{t.membershipUntil}</dt>
              {/* issue #12 item 5: the last day covered, as the user wrote it (the bound is the next midnight) */}
              <dd data-testid="membership-until">{fmt.date(lastDayInstant(detail.membershipValidUntil))}</dd>
            </>
          )}
          <dt>{t.credit}</dt>
          <dd class="credit" data-testid="credit">
            {fmt.money(detail.balanceCents)}
          </dd>
        </dl>
      </section>

      {endingSoon.length > 0 && (
        <section aria-labelledby="ending-h" class="card">
          <h2 id="ending-h">{t.endsSoon}</h2>
          <p>{t.endsSoonIntro(ENDS_SOON_DAYS)}</p>
          <ul>
            {endingSoon.map((cert) => (
              <li>
                <Tag tone="warn">{qualName.get(cert.qualificationId) ?? cert.qualificationId}</Tag>{' '}
                {endsLabel(t, fmt.date, cert)}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="certs-h">
        <h2 id="certs-h">{t.certifications}</h2>
        {detail.certifications.length === 0 ? (
          <Empty>{t.noCertifications}</Empty>
        ) : (
          <Table
            caption={t.certifications}
            head={[
              t.qualification,
              t.certifiedOn,
              t.ends,
              t.status,
              ...(certActions ? [t.badgeActions] : []),
            ]}
            cards
          >
            {detail.certifications.map((cert) => (
              <tr>
                <td data-label={t.qualification}>
                  {qualName.get(cert.qualificationId) ?? cert.qualificationId}
                </td>
                <td data-label={t.certifiedOn}>{fmt.date(cert.certifiedAt)}</td>
                <td data-label={t.ends}>{endsLabel(t, fmt.date, cert)}</td>
                <td data-label={t.status}>
                  {cert.valid ? (
                    <Tag tone="ok">{t.valid}</Tag>
                  ) : cert.revokedAt ? (
                    <Tag tone="off">{t.revoked}</Tag>
                  ) : lapsedFirst(cert) ? (
                    <Tag tone="off">{t.lapsed}</Tag>
                  ) : (
                    <Tag tone="off">{t.expired}</Tag>
                  )}
                </td>
                {certActions && (
                  <td>
                    {revocable(cert) && (
                      <a href={`${base}/certifications/${encodeURIComponent(cert.id)}/revoke`}>
                        {t.revokeCertification}
                        <span class="visually-hidden"> {qualName.get(cert.qualificationId) ?? ''}</span>
                      </a>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </Table>
        )}
      </section>

      <section aria-labelledby="badges-h">
        <h2 id="badges-h">{t.badges}</h2>
        {detail.badges.length === 0 ? (
          <Empty>{t.noBadges}</Empty>
        ) : (
          <Table
            caption={t.badges}
            head={[t.badgeEnding, t.issuedOn, t.status, ...(admin ? [t.badgeActions] : [])]}
            cards
          >
            {detail.badges.map((b) => (
              <tr>
                <td data-label={t.badgeEnding}>
                  <code>…{b.last4}</code>
                </td>
                <td data-label={t.issuedOn}>{fmt.date(b.issuedAt)}</td>
                <td data-label={t.status}>
                  <Tag tone={b.status === 'active' ? 'ok' : 'off'}>
                    {b.status === 'active' ? t.badgeActive : b.status === 'lost' ? t.badgeLost : t.revoked}
                  </Tag>
                </td>
                {admin && (
                  <td>
                    {b.status === 'active' && (
                      <span class="actions">
                        <a href={`${base}/badges/${encodeURIComponent(b.id)}/lost`}>
                          {t.declareLost}
                          <span class="visually-hidden"> …{b.last4}</span>
                        </a>
                        <a href={`${base}/badges/${encodeURIComponent(b.id)}/revoke`}>
                          {t.revokeBadge}
                          <span class="visually-hidden"> …{b.last4}</span>
                        </a>
                      </span>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </Table>
        )}
      </section>

      <section aria-labelledby="sessions-h">
        <h2 id="sessions-h">{t.sessions}</h2>
        {sessions.length === 0 ? (
          <Empty>{t.noSessions}</Empty>
        ) : (
          // Issue #12 item 6: on a phone each session is a card, "Débité" in sight.
          <Table
            caption={t.recentSessions}
            head={[t.machine, t.started, t.runTime, t.charged]}
            numeric={[2, 3]}
            cards
          >
            {sessions.map((s) => (
              <tr>
                <td data-label={t.machine}>{machineName.get(s.machineId) ?? s.machineId}</td>
                <td data-label={t.started}>
                  {fmt.dateTime(s.startedAt)}
                  {s.endedAt === null && (
                    <>
                      {' '}
                      <Tag tone="busy">{t.stateInUse}</Tag>
                    </>
                  )}
                </td>
                <td data-label={t.runTime} class="num">
                  {fmt.duration(s.runningSeconds)}
                </td>
                <td data-label={t.charged} class="num">
                  {fmt.money(s.chargedCents)}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>

      <section aria-labelledby="money-h">
        <h2 id="money-h">{t.topupsAndCorrections}</h2>
        {movements.length === 0 ? (
          <Empty>{t.noMovements}</Empty>
        ) : (
          <Table
            caption={t.topupsAndCorrections}
            head={[t.date, t.kind, t.amount, t.details]}
            numeric={[2]}
            cards
          >
            {movements.map((m) => (
              <tr>
                <td data-label={t.date}>{fmt.dateTime(m.createdAt)}</td>
                <td data-label={t.kind}>{t.movementKind[m.kind]}</td>
                <td data-label={t.amount} class="num">
                  {fmt.money(m.amountCents)}
                </td>
                <td data-label={t.details}>
                  {[
                    m.method ? (t.methods[m.method as keyof Dict['methods']] ?? m.method) : null,
                    m.reference,
                    m.reason,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>
    </>
  );
}
