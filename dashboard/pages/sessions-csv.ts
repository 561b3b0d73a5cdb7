/** Machine sessions of a period as CSV (RFC 4180, UTF-8 with BOM so spreadsheets read accents). */
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { DbOrTx } from '../../api/db/client.ts';
import { machineSessions, machines, members } from '../../api/db/schema.ts';
import type { ReportRange } from '../../api/services/report-range.ts';

const HEADER = [
  'session_id',
  'machine_id',
  'machine_name',
  'member_id',
  'member_name',
  'started_at',
  'ended_at',
  'running_seconds',
  'charged_cents',
  'end_reason',
  'offline',
];

/** Quotes a field when needed; a leading = + - @ is neutralised against spreadsheet formulas. */
export function csvField(value: unknown): string {
  let s =
    value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function sessionsCsv(db: DbOrTx, range: ReportRange): Promise<string> {
  const rows = await db
    .select({
      id: machineSessions.id,
      machineId: machineSessions.machineId,
      machineName: machines.name,
      memberId: machineSessions.memberId,
      memberName: members.name,
      startedAt: machineSessions.startedAt,
      endedAt: machineSessions.endedAt,
      runningSeconds: machineSessions.runningSeconds,
      chargedCents: machineSessions.chargedCents,
      endReason: machineSessions.endReason,
      offline: machineSessions.offline,
    })
    .from(machineSessions)
    .innerJoin(machines, eq(machines.id, machineSessions.machineId))
    .innerJoin(members, eq(members.id, machineSessions.memberId))
    .where(and(gte(machineSessions.startedAt, range.from), lt(machineSessions.startedAt, range.to)))
    .orderBy(asc(machineSessions.startedAt), asc(machineSessions.id));
  const lines = [HEADER.join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.id,
        r.machineId,
        r.machineName,
        r.memberId,
        r.memberName,
        r.startedAt,
        r.endedAt,
        r.runningSeconds,
        r.chargedCents,
        r.endReason,
        r.offline,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
