/**
 * Board messages of issue #6: a problem reported from the board's button, consumables
 * recorded at the machine. Each eventId counts once, as for runtime and end.
 */
import type { MaterialEvent, ReportEvent } from '../../core/mqtt-contract.ts';
import type { Db, Tx } from '../db/client.ts';
import { machineEvents } from '../db/schema.ts';
import { ServiceError } from '../services/errors.ts';
import { recordMaterialUse, reportProblem } from '../services/lab-practices.ts';

async function claim(
  tx: Tx,
  id: string,
  machineId: string,
  kind: 'report' | 'material',
  at: string,
  now: Date,
  sessionId?: string,
) {
  const rows = await tx
    .insert(machineEvents)
    .values({ id, machineId, kind, at: new Date(at), receivedAt: now, sessionId: sessionId ?? null })
    .onConflictDoNothing()
    .returning({ id: machineEvents.id });
  return rows.length > 0;
}

export async function handleReport(
  db: Db,
  machineId: string,
  event: ReportEvent,
  now: Date,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await claim(tx, event.eventId, machineId, 'report', event.at, now))) return false;
    await reportProblem(tx, `device:${machineId}`, machineId, event.note, now);
    return true;
  });
}

/**
 * Charges the material; a card that cannot pay it is reported (and the event still counted
 * once). The claim and the charge commit together: a failure between them must leave the
 * event unclaimed, so its replay charges it (issue #10, found by the simulation).
 */
export async function handleMaterial(
  db: Db,
  machineId: string,
  event: MaterialEvent,
  now: Date,
): Promise<{ applied: boolean; refused?: string }> {
  return db.transaction(async (tx) => {
    if (!(await claim(tx, event.eventId, machineId, 'material', event.at, now, event.sessionId))) {
      return { applied: false };
    }
    try {
      // A savepoint: a refusal undoes the charge but keeps the claim.
      await tx.transaction((sp) =>
        recordMaterialUse(
          sp,
          `device:${machineId}`,
          { sessionId: event.sessionId, materialId: event.materialId, quantity: event.quantity, machineId },
          now,
        ),
      );
      return { applied: true };
    } catch (err) {
      if (err instanceof ServiceError) return { applied: false, refused: err.detail };
      throw err;
    }
  });
}
