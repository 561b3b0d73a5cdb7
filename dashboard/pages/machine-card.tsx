/**
 * One machine on the live board (issue #4): free / in use by whom since when, run time and
 * cost so far / offline / maintenance / locked out, each as words and an icon. Rendered on
 * the page and again for each live update, so both look the same.
 */
import type { BoardMachine } from '../../application/live-board.ts';
import type { Dict, Formatters } from '../i18n/index.ts';
import { Confirm, Tag, type Tone } from '../views/ui.tsx';

export interface CardView {
  t: Dict;
  fmt: Formatters;
  /** admins get the maintenance, lockout and end-session buttons */
  admin: boolean;
  /** staff get report / restore / check and the material form (issue #6) */
  staff: boolean;
  /** active materials, for the material form on an open session */
  materials: readonly { id: string; name: string; unit: string; pricePerUnitCents: number }[];
}

function status(m: BoardMachine, t: Dict): { key: string; tone: Tone; label: string } {
  if (m.state === 'maintenance') return { key: 'maintenance', tone: 'warn', label: t.stateMaintenance };
  if (m.state === 'locked_out') return { key: 'locked_out', tone: 'off', label: t.stateLockedOut };
  if (m.session !== null) return { key: 'in_use', tone: 'busy', label: t.stateInUse };
  if (!m.online) return { key: 'offline', tone: 'off', label: t.stateOffline };
  return { key: 'free', tone: 'ok', label: t.stateFree };
}

export function MachineCard(props: { m: BoardMachine; v: CardView }) {
  const { m, v } = props;
  const { t, fmt } = v;
  const s = status(m, t);
  const headingId = `machine-${m.id}-name`;
  const dueHours =
    m.maintenanceEveryHours === null
      ? null
      : m.maintenanceEveryHours - m.runningSecondsSinceMaintenance / 3600;
  return (
    <article
      id={`machine-${m.id}`}
      class={`machine ${s.key}`}
      data-state={s.key}
      data-announce={`${m.name}: ${s.label}${m.session ? ` (${m.session.memberName})` : ''}`}
      aria-labelledby={headingId}
    >
      <h2 id={headingId}>{m.name}</h2>
      <p class="state">
        <Tag tone={s.tone}>{s.label}</Tag>
      </p>
      {m.stateNote && m.state !== 'available' && (
        <p class="note" data-testid="state-note">
          {m.stateNote}
        </p>
      )}
      {(m.checkPending || m.requiresSupervisor || dueHours !== null) && (
        <ul class="practices">
          {m.checkPending && (
            <li>
              <Tag tone="warn">{t.checkPending}</Tag>
              {m.postUseCheck && <span class="note"> {t.checkToDo(m.postUseCheck)}</span>}
            </li>
          )}
          {m.requiresSupervisor && (
            <li>
              <Tag tone="busy">{t.supervised}</Tag>{' '}
              <span class="note">({t.supervisorModes[m.supervisorMode]})</span>
            </li>
          )}
          {dueHours !== null && m.state === 'available' && (
            <li class="note">
              {dueHours <= 0 ? t.maintenanceOverdue : t.maintenanceDueIn(fmt.number(Math.ceil(dueHours)))}
            </li>
          )}
        </ul>
      )}
      {m.session && (
        <dl class="session">
          <dt>{t.usedBy}</dt>
          <dd>
            <a href={`/members/${m.session.memberId}`}>{m.session.memberName}</a>
          </dd>
          <dt>{t.since}</dt>
          <dd>
            <time datetime={m.session.startedAt.toISOString()}>{fmt.time(m.session.startedAt)}</time> (
            <span data-since={m.session.startedAt.toISOString()}>
              {fmt.duration((Date.now() - m.session.startedAt.getTime()) / 1000)}
            </span>
            )
          </dd>
          <dt>{t.runTime}</dt>
          <dd>{fmt.duration(m.session.runningSeconds)}</dd>
          {m.session.idleSeconds > 0 && (
            <>
              <dt>{t.idleTime}</dt>
              <dd>{fmt.duration(m.session.idleSeconds)}</dd>
            </>
          )}
          {m.session.materialsCents > 0 && (
            <>
              <dt>{t.materialsCost}</dt>
              <dd data-testid="materials-cost">{fmt.money(m.session.materialsCents)}</dd>
            </>
          )}
          <dt>{t.costSoFar}</dt>
          <dd>{fmt.money(m.session.chargedCents)}</dd>
          {m.session.supervisorName && (
            <>
              <dt>{t.supervisedBy}</dt>
              <dd>{m.session.supervisorName}</dd>
            </>
          )}
        </dl>
      )}
      {v.staff && m.session && v.materials.length > 0 && (
        <details class="material-form">
          <summary>{t.recordMaterial}</summary>
          <form method="post" action={`/board/${m.id}/material`}>
            <input type="hidden" name="sessionId" value={m.session.id} />
            <input type="hidden" name="idempotencyKey" value={crypto.randomUUID()} />
            <div class="field">
              <label for={`material-${m.id}`}>{t.material}</label>
              <select id={`material-${m.id}`} name="materialId">
                {v.materials.map((x) => (
                  <option value={x.id}>
                    {x.name} ({t.perUnit(fmt.money(x.pricePerUnitCents), x.unit)})
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={`quantity-${m.id}`}>{t.quantity}</label>
              <input id={`quantity-${m.id}`} name="quantity" type="number" min="1" step="1" required />
            </div>
            <button type="submit">{t.recordMaterial}</button>
          </form>
        </details>
      )}
      <p class="board-link">
        {m.online ? (
          <span>
            <span aria-hidden="true">● </span>
            {t.boardOnline}
          </span>
        ) : (
          <span>
            <span aria-hidden="true">○ </span>
            {m.lastSeenAt ? t.boardLastSeen(fmt.dateTime(m.lastSeenAt)) : t.boardNeverSeen}
          </span>
        )}
        {' · '}
        {m.pricePerMinuteCents > 0 || m.minimumChargeCents > 0
          ? t.pricePerMinute(fmt.money(m.pricePerMinuteCents))
          : t.freeOfCharge}
      </p>
      {v.staff && (
        <div class="actions practice-actions">
          {m.state === 'maintenance' && (
            <form method="post" action={`/board/${m.id}/restore`}>
              <button type="submit">{t.restoreMachine}</button>
            </form>
          )}
          {m.checkPending && (
            <form method="post" action={`/board/${m.id}/check`}>
              <button type="submit">{t.confirmCheck}</button>
            </form>
          )}
          {m.state !== 'maintenance' && (
            <details class="report-form">
              <summary>{t.reportProblem}</summary>
              <form method="post" action={`/board/${m.id}/report`}>
                <div class="field">
                  <label for={`note-${m.id}`}>{t.problemNote}</label>
                  <input
                    id={`note-${m.id}`}
                    name="note"
                    type="text"
                    maxlength={500}
                    aria-describedby={`note-${m.id}-hint`}
                  />
                  <small id={`note-${m.id}-hint`} class="hint">
                    {t.problemNoteHint}
                  </small>
                </div>
                <button type="submit">{t.reportProblem}</button>
              </form>
            </details>
          )}
        </div>
      )}
      {v.admin && (
        <div class="actions">
          {/* Issue #12 item 7: cutting someone off takes a second, explicit step. */}
          {m.session && (
            <Confirm
              name="confirm-end"
              label={t.endSession}
              question={t.confirmEndSession(m.session.memberName, m.name)}
              yes={t.confirmEndYes}
              hint={t.cancelHint}
              action={`/board/${m.id}/end`}
              fields={{ sessionId: m.session.id }}
            />
          )}
          {m.state !== 'maintenance' && (
            <form method="post" action={`/board/${m.id}/state`}>
              <input type="hidden" name="state" value="maintenance" />
              <button type="submit">{t.putInMaintenance}</button>
            </form>
          )}
          {m.state !== 'locked_out' && (
            <Confirm
              name="confirm-lock"
              label={t.lockOut}
              question={t.confirmLockOut(m.name)}
              yes={t.confirmLockYes}
              hint={t.cancelHint}
              action={`/board/${m.id}/state`}
              fields={{ state: 'locked_out' }}
            />
          )}
          {/* In maintenance, the restore button above does this (and resets the running hours). */}
          {m.state === 'locked_out' && (
            <form method="post" action={`/board/${m.id}/state`}>
              <input type="hidden" name="state" value="available" />
              <button type="submit">{t.makeAvailable}</button>
            </form>
          )}
        </div>
      )}
    </article>
  );
}
