/**
 * What HelloAsso collected, split as the books see it (issue #11 item 8: tips and other items
 * kept off the cards and reported): on the HelloAsso page per month, and on the
 * reconciliation page for its period.
 */
import type { helloassoSummary } from '../../application/helloasso/queue.ts';
import type { DashContext } from '../context.ts';
import { Table } from '../views/ui.tsx';

type Figures = Awaited<ReturnType<typeof helloassoSummary>>;

/** What HelloAsso collected, per month: card share, other items, tips (issue #11: visible to the treasurer). */
export function Summary(props: { c: DashContext; rows: { month: string; s: Figures }[] }) {
  const { t, fmt } = props.c.var;
  return (
    <>
      <h2>{t.haSummaryTitle}</h2>
      <p>{t.haSummaryIntro}</p>
      <Table
        caption={t.haSummaryTitle}
        head={[t.haMonth, t.haPayments, t.haOnCards, t.haOther, t.haTips, t.haReversed, t.haOwed]}
        numeric={[1, 2, 3, 4, 5, 6]}
      >
        {props.rows.map(({ month, s }) => (
          <tr>
            <td>{fmt.month(month)}</td>
            <td class="num">{fmt.number(s.payments)}</td>
            <td class="num">{fmt.money(s.cardCents)}</td>
            <td class="num">{fmt.money(s.otherCents)}</td>
            <td class="num">{fmt.money(s.tipCents)}</td>
            <td class="num">{fmt.money(s.reversedCents)}</td>
            <td class="num">{fmt.money(s.debtCents)}</td>
          </tr>
        ))}
      </Table>
    </>
  );
}

/** The reconciliation page's HelloAsso lines for its period. */
export function HelloassoReconciliation(props: { c: DashContext; s: Figures }) {
  const { t, fmt } = props.c.var;
  const s = props.s;
  if (s.payments === 0) return null;
  return (
    <section aria-labelledby="ha-rec-h">
      <h2 id="ha-rec-h">{t.haSummaryTitle}</h2>
      <p>{t.haReconciliation(fmt.money(s.cardCents), fmt.money(s.otherCents), fmt.money(s.tipCents))}</p>
      {s.debtCents > 0 && <p>{t.haReconciliationOwed(fmt.money(s.debtCents))}</p>}
      <p>
        <a href="/treasurer/helloasso">{t.treasuryHelloasso}</a>
      </p>
    </section>
  );
}
