/**
 * The sessions history (issue #12 item 9): every machine session, searched by member (name or
 * e-mail, or one member), machine, start dates and end reason, newest first, a page at a time,
 * with names joined in so that pages and CSV files show words, not ids.
 */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { END_REASONS } from '../core/mqtt-contract.ts';
import type { DbOrTx } from '../db/client.ts';
import { asDate } from './export-format.ts';
import { num, rowsOf, ts } from './ledger-sql.ts';

export const SESSION_FILTER_REASONS = [...END_REASONS, 'open'] as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The filters as typed in a form or a query string; each one optional, each one checked. */
export const sessionFilterSchema = z.object({
  q: z.string().trim().max(100).optional(),
  member: z.string().trim().max(200).optional(),
  machine: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
    .optional(),
  reason: z.enum(SESSION_FILTER_REASONS).optional(),
  /** first day, inclusive (the lab's time zone) */
  from: z.string().regex(DAY).optional(),
  /** last day, inclusive: "jusqu'au 31/03" includes the 31st (issue #12 item 5) */
  until: z.string().regex(DAY).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});
export type SessionFilterInput = z.infer<typeof sessionFilterSchema>;

export interface SessionFilter {
  q?: string | undefined;
  member?: string | undefined;
  machine?: string | undefined;
  reason?: (typeof SESSION_FILTER_REASONS)[number] | undefined;
  /** started at or after */
  from?: Date | undefined;
  /** started before */
  to?: Date | undefined;
}

export interface HistoryRow {
  id: string;
  machineId: string;
  machineName: string;
  machineKind: string | null;
  memberId: string;
  memberName: string;
  startedAt: Date;
  endedAt: Date | null;
  runningSeconds: number;
  chargedCents: number;
  endReason: string | null;
  offline: boolean;
}

function whereOf(f: SessionFilter): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.member) parts.push(sql`s.member_id = ${f.member}`);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    parts.push(sql`(mb.name ilike ${like} or mb.email ilike ${like})`);
  }
  if (f.machine) parts.push(sql`s.machine_id = ${f.machine}`);
  if (f.reason === 'open') parts.push(sql`s.ended_at is null`);
  else if (f.reason) parts.push(sql`s.end_reason = ${f.reason}`);
  if (f.from) parts.push(sql`s.started_at >= ${ts(f.from)}`);
  if (f.to) parts.push(sql`s.started_at < ${ts(f.to)}`);
  return sql.join(parts, sql` and `);
}

type Raw = {
  id: string;
  machine_id: string;
  machine_name: string | null;
  kind: string | null;
  member_id: string;
  member_name: string | null;
  started_at: unknown;
  ended_at: unknown;
  running_seconds: unknown;
  charged_cents: unknown;
  end_reason: string | null;
  offline: boolean;
};

function rowOf(r: Raw): HistoryRow {
  return {
    id: r.id,
    machineId: r.machine_id,
    machineName: r.machine_name ?? r.machine_id,
    machineKind: r.kind,
    memberId: r.member_id,
    memberName: r.member_name ?? '',
    startedAt: asDate(r.started_at),
    endedAt: r.ended_at === null ? null : asDate(r.ended_at),
    runningSeconds: num(r.running_seconds),
    chargedCents: num(r.charged_cents),
    endReason: r.end_reason,
    offline: r.offline === true,
  };
}

const FROM = sql`from machine_sessions s
  left join machines m on m.id = s.machine_id
  left join members mb on mb.id = s.member_id`;

/** Sessions matching `f`, in `order` (newest first for pages, oldest first for files). */
export async function findSessions(
  db: DbOrTx,
  f: SessionFilter,
  page: { limit: number; offset: number } | null,
  order: 'newest' | 'oldest' = 'newest',
): Promise<HistoryRow[]> {
  const by = order === 'newest' ? sql`s.started_at desc, s.id desc` : sql`s.started_at, s.id`;
  const limit = page === null ? sql`` : sql` limit ${page.limit} offset ${page.offset}`;
  const rows = await rowsOf<Raw>(
    db,
    sql`select s.id, s.machine_id, m.name as machine_name, m.kind, s.member_id, mb.name as member_name,
          s.started_at, s.ended_at, s.running_seconds, s.charged_cents, s.end_reason, s.offline
        ${FROM} where ${whereOf(f)} order by ${by}${limit}`,
  );
  return rows.map(rowOf);
}

export async function countSessions(db: DbOrTx, f: SessionFilter): Promise<number> {
  const [row] = await rowsOf<{ n: unknown }>(db, sql`select count(*) as n ${FROM} where ${whereOf(f)}`);
  return num(row?.n ?? 0);
}
