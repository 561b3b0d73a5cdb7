/**
 * "Mes machines" (issue #12 item 8): for a member, the machines they are certified for first,
 * what each costs, whether it is free now, and a link to top up their card online when the
 * lab takes HelloAsso payments. The page shows no other member's name.
 */
import type { Hono } from 'hono';
import { type Availability, helloassoTopUpUrl, memberMachines } from '../../application/member-machines.ts';
import { type DashEnv, userOf } from '../context.ts';
import { MEMBERS, requires } from '../http/access.ts';
import type { Dict } from '../i18n/index.ts';
import { page } from '../views/layout.tsx';
import { Empty, Tag, type Tone } from '../views/ui.tsx';

const TONES: Record<Availability, Tone> = { free: 'ok', in_use: 'busy', offline: 'off', unavailable: 'warn' };

function availabilityWords(t: Dict, a: Availability): string {
  return a === 'free'
    ? t.stateFree
    : a === 'in_use'
      ? t.stateInUse
      : a === 'offline'
        ? t.stateOffline
        : t.myMachinesUnavailable;
}

export function registerMyMachines(app: Hono<DashEnv>): void {
  app.get('/me/machines', requires(MEMBERS), async (c) => {
    const { t, fmt } = c.var;
    const { db, now } = c.var.deps;
    const user = userOf(c);
    const mine = await memberMachines(db, user.kind === 'member' ? user.memberId : '', now());
    const topUp = await helloassoTopUpUrl(db);
    const price = (m: (typeof mine.items)[number]) =>
      [
        m.pricePerMinuteCents > 0 ? t.pricePerMinute(fmt.money(m.pricePerMinuteCents)) : t.freeOfCharge,
        m.minimumChargeCents > 0 ? t.myMachinesMinimum(fmt.money(m.minimumChargeCents)) : null,
        m.sessionFeeCents > 0 ? t.myMachinesFee(fmt.money(m.sessionFeeCents)) : null,
      ]
        .filter(Boolean)
        .join(' · ');
    return page(
      c,
      t.myMachinesTitle,
      <>
        <section class="card" aria-labelledby="card-h">
          <h2 id="card-h">{t.credit}</h2>
          <p class="credit" data-testid="credit">
            {fmt.money(mine.balanceCents)}
          </p>
          {topUp ? (
            <p>
              <a class="button" href={topUp} rel="noopener noreferrer" data-testid="topup-link">
                {t.myMachinesTopUp}
              </a>{' '}
              <small class="hint">{t.myMachinesTopUpHint}</small>
            </p>
          ) : (
            <p class="hint">{t.myMachinesTopUpDesk}</p>
          )}
        </section>
        {mine.items.length === 0 ? (
          <Empty>{t.noMachines}</Empty>
        ) : (
          <ul class="machine-list">
            {mine.items.map((m) => (
              <li class="card" data-machine={m.id}>
                <h2>{m.name}</h2>
                <p>
                  {m.missing.length === 0 ? (
                    <Tag tone="ok">{t.myMachinesYouMay}</Tag>
                  ) : (
                    <Tag tone="off">{t.myMachinesNotYet}</Tag>
                  )}{' '}
                  <Tag tone={TONES[m.availability]}>{availabilityWords(t, m.availability)}</Tag>
                </p>
                <dl class="facts">
                  <dt>{t.myMachinesPrice}</dt>
                  <dd>{price(m)}</dd>
                  {m.requires.length > 0 && (
                    <>
                      <dt>{t.requiredQualifications}</dt>
                      <dd>{m.requires.join(', ')}</dd>
                    </>
                  )}
                  {m.missing.length > 0 && (
                    <>
                      <dt>{t.myMachinesToDo}</dt>
                      <dd>{t.myMachinesAskTrainer(m.missing.join(', '))}</dd>
                    </>
                  )}
                </dl>
              </li>
            ))}
          </ul>
        )}
      </>,
    );
  });
}
