/**
 * Renewing memberships (issue #12 item 2: ~270 a year, today one `curl PATCH` each): one
 * member, many chosen in the list, or a pasted list of e-mails, to a last day written as
 * people write it ("jusqu'au 31/08/2027", stored as the exclusive bound: membership-dates.ts).
 * One transaction locks the members in id order; a membership already running past that day
 * is left as it is (a renewal never shortens one); an "expired" status becomes active again,
 * a suspension stays. Each renewed member gets an audit entry; the loop hears once.
 */
import { and, asc, inArray, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { members } from '../db/schema.ts';
import { audit } from './audit.ts';
import { invalid } from './errors.ts';
import { rowsOf } from './ledger-sql.ts';
import { mustBeAdmin, parseInput } from './member-use-cases.ts';
import { lastDay, parseLastDay } from './membership-dates.ts';
import { runUseCase, type UseCaseContext } from './use-case.ts';

export const MAX_RENEWALS = 5000;

export const renewInput = z
  .object({
    /** the last day of the membership, inclusive: `YYYY-MM-DD` or `31/08/2027` */
    lastDay: z.string().trim().max(10),
    memberIds: z.array(z.string().min(1).max(100)).max(MAX_RENEWALS).default([]),
    emails: z.array(z.string().trim().toLowerCase().max(320)).max(MAX_RENEWALS).default([]),
  })
  .strict()
  .refine((v) => v.memberIds.length + v.emails.length > 0, {
    message: 'choose at least one member (memberIds or emails)',
    path: ['memberIds'],
  });
export type RenewInput = z.input<typeof renewInput>;

export interface RenewedMember {
  id: string;
  name: string;
  email: string;
  /** the previous bound (null: none) */
  before: Date | null;
}

export interface RenewResult {
  /** the stored bound: the next local midnight after `lastDay` */
  until: Date;
  lastDay: string;
  renewed: RenewedMember[];
  /** already members past that day: left as they were */
  unchanged: RenewedMember[];
  /** ids or e-mails that are no member */
  unknown: string[];
}

export async function renewMemberships(ctx: UseCaseContext, raw: RenewInput): Promise<RenewResult> {
  mustBeAdmin(ctx);
  const input = parseInput(renewInput, raw);
  const until = parseLastDay(input.lastDay, ctx.labTimeZone);
  if (until === null) throw invalid('lastDay', 'not a date such as 2027-08-31 or 31/08/2027');
  if (until.getTime() <= ctx.now().getTime()) throw invalid('lastDay', 'this day is already past');
  const ids = [...new Set(input.memberIds)];
  const emails = [...new Set(input.emails)];
  return runUseCase(ctx, async (tx) => {
    const match = [
      ...(ids.length > 0 ? [inArray(members.id, ids)] : []),
      ...(emails.length > 0 ? [inArray(sql`lower(${members.email})`, emails)] : []),
    ];
    const rows = await tx
      .select()
      .from(members)
      .where(and(isNull(members.erasedAt), or(...match)))
      .orderBy(asc(members.id))
      .for('update');
    const found = new Set([...rows.map((r) => r.id), ...rows.map((r) => r.email.toLowerCase())]);
    const renewed: RenewedMember[] = [];
    const unchanged: RenewedMember[] = [];
    for (const row of rows) {
      const who = { id: row.id, name: row.name, email: row.email, before: row.membershipValidUntil };
      if (row.membershipValidUntil !== null && row.membershipValidUntil.getTime() >= until.getTime()) {
        unchanged.push(who);
        continue;
      }
      const status = row.status === 'expired' ? 'active' : row.status;
      await tx
        .update(members)
        .set({ membershipValidUntil: until, status, updatedAt: ctx.now() })
        .where(sql`${members.id} = ${row.id}`);
      await audit(tx, {
        actor: ctx.by,
        action: 'renew',
        entity: 'member',
        entityId: row.id,
        before: { membershipValidUntil: row.membershipValidUntil, status: row.status },
        after: { membershipValidUntil: until, status },
      });
      renewed.push(who);
    }
    const unknown = [...ids, ...emails].filter((x) => !found.has(x));
    return {
      result: { until, lastDay: lastDay(until, ctx.labTimeZone), renewed, unchanged, unknown },
      changed: renewed.length > 0 ? { memberIds: renewed.map((m) => m.id) } : null,
    };
  });
}

/**
 * The day and month most memberships end on (the lab's membership year), from the members'
 * own end dates; null when fewer than two members share one.
 */
export async function usualMembershipEnd(
  ctx: Pick<UseCaseContext, 'db' | 'labTimeZone'>,
): Promise<{ month: number; day: number } | null> {
  const rows = await rowsOf<{ bound: Date | string; n: number | string }>(
    ctx.db,
    sql`select membership_valid_until as bound, count(*) as n from members
        where erased_at is null and membership_valid_until is not null
        group by 1 order by 2 desc limit 50`,
  );
  const tally = new Map<string, number>();
  for (const r of rows) {
    const day = lastDay(new Date(r.bound), ctx.labTimeZone).slice(5);
    tally.set(day, (tally.get(day) ?? 0) + Number(r.n));
  }
  const [best] = [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (best === undefined || best[1] < 2) return null;
  const [month, day] = best[0].split('-').map(Number) as [number, number];
  return { month, day };
}
