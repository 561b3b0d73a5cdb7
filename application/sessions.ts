/** Machine sessions as the API shows them (SPEC §3 GET /sessions), and the operator's stop. */
import { and, count, desc, eq, gte, isNotNull, isNull, lt, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { machineSessions } from '../db/schema.ts';
import { conflict, notFound } from './errors.ts';

type Row = typeof machineSessions.$inferSelect;

export function publicSession(s: Row) {
  return {
    id: s.id,
    machineId: s.machineId,
    memberId: s.memberId,
    badgeId: s.badgeId,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    runningSeconds: s.runningSeconds,
    dueCents: s.dueCents,
    chargedCents: s.chargedCents,
    endReason: s.endReason,
    lastEventAt: s.lastEventAt,
    offline: s.offline,
    idleSeconds: s.idleSeconds,
    materialsCents: s.materialsCents,
    supervisedBy: s.supervisedBy,
  };
}

export interface SessionQuery {
  machine?: string | undefined;
  member?: string | undefined;
  /** sessions started at or after */
  from?: Date | undefined;
  /** sessions started before */
  to?: Date | undefined;
  /** true: only open sessions; false: only ended ones */
  open?: boolean | undefined;
  limit: number;
  offset: number;
}

export async function listSessions(db: DbOrTx, q: SessionQuery) {
  const where: SQL[] = [];
  if (q.machine) where.push(eq(machineSessions.machineId, q.machine));
  if (q.member) where.push(eq(machineSessions.memberId, q.member));
  if (q.from) where.push(gte(machineSessions.startedAt, q.from));
  if (q.to) where.push(lt(machineSessions.startedAt, q.to));
  if (q.open === true) where.push(isNull(machineSessions.endedAt));
  if (q.open === false) where.push(isNotNull(machineSessions.endedAt));
  const filter = where.length > 0 ? and(...where) : undefined;
  const rows = await db
    .select()
    .from(machineSessions)
    .where(filter)
    .orderBy(desc(machineSessions.startedAt), desc(machineSessions.id))
    .limit(q.limit)
    .offset(q.offset);
  const [total] = await db.select({ n: count() }).from(machineSessions).where(filter);
  return { items: rows.map(publicSession), total: total?.n ?? 0, limit: q.limit, offset: q.offset };
}

export async function getSession(db: DbOrTx, id: string) {
  const [row] = await db.select().from(machineSessions).where(eq(machineSessions.id, id));
  if (row === undefined) throw notFound('session', id);
  return publicSession(row);
}

export async function openSession(db: DbOrTx, id: string) {
  const session = await getSession(db, id);
  if (session.endedAt !== null) throw conflict('This session has already ended; nothing to stop.');
  return session;
}
