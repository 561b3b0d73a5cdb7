/**
 * One machine on the live board (issue #4): free / in use by whom since when, run time and
 * cost so far / offline / maintenance / locked out, each as words and an icon. Rendered on
 * the page and again for each live update, so both look the same.
 */
import type { BoardMachine } from '../../api/services/live-board.ts';
import type { Dict, Formatters } from '../i18n/index.ts';
import { Tag, type Tone } from '../views/ui.tsx';

export interface CardView {
  t: Dict;
  fmt: Formatters;
  /** admins get the maintenance, lockout and end-session buttons */
  admin: boolean;
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
      {m.stateNote && m.state !== 'available' && <p class="note">{m.stateNote}</p>}
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
          <dt>{t.costSoFar}</dt>
          <dd>{fmt.money(m.session.chargedCents)}</dd>
        </dl>
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
      {v.admin && (
        <div class="actions">
          {m.session && (
            <form method="post" action={`/board/${m.id}/end`}>
              <input type="hidden" name="sessionId" value={m.session.id} />
              <button type="submit" class="danger">
                {t.endSession}
              </button>
            </form>
          )}
          {m.state !== 'maintenance' && (
            <form method="post" action={`/board/${m.id}/state`}>
              <input type="hidden" name="state" value="maintenance" />
              <button type="submit">{t.putInMaintenance}</button>
            </form>
          )}
          {m.state !== 'locked_out' && (
            <form method="post" action={`/board/${m.id}/state`}>
              <input type="hidden" name="state" value="locked_out" />
              <button type="submit">{t.lockOut}</button>
            </form>
          )}
          {m.state !== 'available' && (
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
