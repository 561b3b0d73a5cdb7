/**
 * Badges presented in enrolment mode (issue #6), as the API and the dashboard's "issue badge"
 * form show them; issuing a badge with a pending UID consumes its enrolment.
 */
import { asc, inArray } from 'drizzle-orm';
import { normaliseUid } from '../core/ids.ts';
import type { DbOrTx } from '../db/client.ts';
import { machines } from '../db/schema.ts';
import { consumeEnrolment, pendingEnrolments } from './lab-practices.ts';

export interface PendingEnrolment {
  id: string;
  /** the normalised hex UID, as the badge form takes it */
  uid: string;
  machineId: string;
  machineName: string;
  staffId: string | null;
  createdAt: Date;
}

/** Pending enrolments (last 10 minutes, not yet issued), newest first, with the machine's name. */
export async function listEnrolments(db: DbOrTx, now: Date): Promise<PendingEnrolment[]> {
  const rows = await pendingEnrolments(db, now);
  if (rows.length === 0) return [];
  const ids = [...new Set(rows.map((r) => r.machineId))];
  const names = new Map(
    (
      await db
        .select({ id: machines.id, name: machines.name })
        .from(machines)
        .where(inArray(machines.id, ids))
        .orderBy(asc(machines.id))
    ).map((m) => [m.id, m.name]),
  );
  return rows.map((r) => ({
    id: r.id,
    uid: normaliseUid(r.uid) ?? r.uid,
    machineId: r.machineId,
    machineName: names.get(r.machineId) ?? r.machineId,
    staffId: r.staffId,
    createdAt: r.createdAt,
  }));
}

/** After a badge is issued: the pending enrolments of that UID are done. Returns how many. */
export async function consumeEnrolmentsOf(db: DbOrTx, uid: string, now: Date): Promise<number> {
  const wanted = normaliseUid(uid);
  if (wanted === null) return 0;
  const matching = (await pendingEnrolments(db, now)).filter((e) => normaliseUid(e.uid) === wanted);
  for (const e of matching) await consumeEnrolment(db, e.id, now);
  return matching.length;
}
