/**
 * The treasurer's reconciliation (issue #5): the card report's checks (every transaction
 * balanced, the 4191 liability equal to the members' balances, each session's debits equal
 * to its charge), each discrepancy with the ledger entries behind it, and the report by
 * machine kind and by payment method. Figures come from the API's cardReport.
 */
import type { Hono } from 'hono';
import { type EntryBehind, entriesBehind } from '../../application/discrepancy-entries.ts';
import { helloassoSummary } from '../../application/helloasso/queue.ts';
import { type CardReport, cardReport } from '../../application/reports.ts';
import type { DashContext, DashEnv } from '../context.ts';
import { MONEY, requires } from '../http/access.ts';
import type { Dict } from '../i18n/index.ts';
import { page } from '../views/layout.tsx';
import { Empty, Table, Tag } from '../views/ui.tsx';
import { HelloassoReconciliation } from './helloasso-summary.tsx';
import { invalidPeriodPage, PeriodForm, rangeOf } from './treasurer.tsx';

/** The treasurer section's sub-navigation. */
export function TreasuryNav(props: { c: DashContext }) {
  const { t } = props.c.var;
  const path = props.c.req.path;
  const items = [
    { href: '/treasurer', label: t.treasuryReport, current: path === '/treasurer' },
    { href: '/treasurer/checks', label: t.treasuryChecks, current: path.startsWith('/treasurer/checks') },
    { href: '/treasurer/periods', label: t.treasuryClose, current: path.startsWith('/treasurer/periods') },
    {
      href: '/treasurer/helloasso',
      label: t.treasuryHelloasso,
      current: path.startsWith('/treasurer/helloasso'),
    },
    { href: '/treasurer/offline', label: t.treasuryOffline, current: path.startsWith('/treasurer/offline') },
    {
      href: '/treasurer/accounting',
      label: t.treasuryAccounting,
      current: path.startsWith('/treasurer/accounting'),
    },
  ];
  return (
    <nav aria-label={t.treasuryNav} class="subnav">
      <ul>
        {items.map((i) => (
          <li>
            <a href={i.href} aria-current={i.current ? 'page' : undefined}>
              {i.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function ChecksView(props: { c: DashContext; report: CardReport; entries: EntryBehind[] }) {
  const { t, fmt } = props.c.var;
  const { checks } = props.report;
  const line = (ok: boolean, label: string, testid: string) => (
    <li data-testid={testid}>
      {ok ? <Tag tone="ok">{t.checkPassed}</Tag> : <Tag tone="warn">{t.checkFailed}</Tag>} {label}
    </li>
  );
  const memberLink = (id: string) => <a href={`/members/${encodeURIComponent(id)}`}>{id}</a>;
  return (
    <section aria-labelledby="checks-h" class="card">
      <h2 id="checks-h">{t.checksTitle}</h2>
      <ul class="checklist">
        {line(checks.balanced, t.checkBalanced, 'check-balanced')}
        {line(checks.liabilityMatchesBalances, t.checkLiability, 'check-liability')}
        {line(checks.sessionsMatchDebits, t.checkSessions, 'check-sessions')}
        {line(checks.materialsMatchSales, t.checkMaterials, 'check-materials')}
      </ul>
      {checks.discrepancies.length === 0 ? (
        <p>{t.noDiscrepancies}</p>
      ) : (
        <>
          <Table caption={t.discrepancies} head={[t.discrepancyKind, t.discrepancyDetail, t.concerned]}>
            {checks.discrepancies.map((d) => (
              <tr>
                <td>{t.discrepancyKinds[d.kind]}</td>
                <td>{d.detail}</td>
                <td>
                  {d.kind === 'balance_mismatch'
                    ? d.ids.map((id) => memberLink(id))
                    : d.ids.map((id) => <code>{id}</code>)}
                </td>
              </tr>
            ))}
          </Table>
          {props.entries.length > 0 && (
            <Table
              caption={t.entriesBehind}
              head={[t.transaction, t.kind, t.date, t.ledgerAccount, t.memberCol, t.amount]}
              numeric={[5]}
            >
              {props.entries.map((e) => (
                <tr>
                  <td>
                    <code>{e.transactionId}</code>
                    {e.sessionId && (
                      <>
                        {' '}
                        <small>({e.sessionId})</small>
                      </>
                    )}
                  </td>
                  <td>{e.kind}</td>
                  <td>{fmt.dateTime(e.createdAt)}</td>
                  <td>{e.account}</td>
                  <td>{e.memberId ? memberLink(e.memberId) : ''}</td>
                  <td class="num">{fmt.money(e.amountCents)}</td>
                </tr>
              ))}
            </Table>
          )}
        </>
      )}
    </section>
  );
}

export function registerTreasurerChecks(app: Hono<DashEnv>): void {
  app.get('/treasurer/checks', requires(MONEY), async (c) => {
    const { t, fmt } = c.var;
    const { db } = c.var.deps;
    const period = rangeOf(c);
    const form = <PeriodForm action="/treasurer/checks" period={period} t={t} />;
    if (period.range === null) return invalidPeriodPage(c, t.checksTitle, form, period.error);
    const report = await cardReport(db, period.range);
    const entries = await entriesBehind(db, report);
    // Issue #11: HelloAsso's tips and other items, kept off the cards, reported here too.
    const helloasso = await helloassoSummary(db, period.range);
    return page(
      c,
      t.checksTitle,
      <>
        <TreasuryNav c={c} />
        {form}
        <ChecksView c={c} report={report} entries={entries} />
        <section aria-labelledby="kinds-h">
          <h2 id="kinds-h">{t.usageByMachineKind}</h2>
          {report.byMachineKind.length === 0 ? (
            <Empty>{t.noUsage}</Empty>
          ) : (
            <Table
              caption={t.usageByMachineKind}
              head={[t.machineKind, t.machinesCount, t.sessions, t.runTime, t.usage, t.materialsSold]}
              numeric={[1, 2, 3, 4, 5]}
            >
              {report.byMachineKind.map((k) => (
                <tr>
                  <td>{t.machineKinds[k.machineKind]}</td>
                  <td class="num">{fmt.number(k.machines)}</td>
                  <td class="num">{fmt.number(k.sessions)}</td>
                  <td class="num">{fmt.duration(k.runningSeconds)}</td>
                  <td class="num">{fmt.money(k.usageCents)}</td>
                  <td class="num">{fmt.money(k.materialsCents)}</td>
                </tr>
              ))}
            </Table>
          )}
        </section>
        <section aria-labelledby="methods-h">
          <h2 id="methods-h">{t.flowsByMethod}</h2>
          {report.byMethod.length === 0 ? (
            <Empty>{t.noTopups}</Empty>
          ) : (
            <Table caption={t.flowsByMethod} head={[t.method, t.topups, t.refunds]} numeric={[1, 2]}>
              {report.byMethod.map((m) => (
                <tr>
                  <td>{t.methods[m.method as keyof Dict['methods']] ?? m.method}</td>
                  <td class="num">{fmt.money(m.topupsCents)}</td>
                  <td class="num">{fmt.money(m.refundsCents)}</td>
                </tr>
              ))}
            </Table>
          )}
        </section>
        <HelloassoReconciliation c={c} s={helloasso} />
      </>,
    );
  });
}
