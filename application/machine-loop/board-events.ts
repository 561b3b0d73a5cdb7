/**
 * Board messages of issue #6: a problem reported from the board's button, consumables
 * recorded at the machine. Each eventId counts once, as for runtime and end.
 */
import type { MaterialEvent, ReportEvent } from '../../core/mqtt-contract.ts';
import type { Db, Tx } from '../../db/client.ts';
import { lockMachine } from '../../db/lock-order.ts';
import { machineEvents } from '../../db/schema.ts';
import { withTransaction } from '../../db/transaction.ts';
import { ServiceError } from '../errors.ts';
import { recordMaterialUse, reportProblem } from '../lab-practices.ts';

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
  return withTransaction(db, async (tx) => {
    if (!(await claim(tx, event.eventId, machineId, 'report', event.at, now))) return false;
    await lockMachine(tx, machineId);
    await reportProblem(tx, `device:${machineId}`, machineId, event.note, now);
    return true;
  });
}

/**
 * Charges the material; a card that cannot pay it is reported (and the event still counted
 * once). The claim and the charge commit together: a charge that fails for a transient
 * reason rolls the claim back too, so the retried event is applied, never lost. A refusal
 * rolls back only its savepoint and keeps the claim.
 */
export async function handleMaterial(
  db: Db,
  machineId: string,
  event: MaterialEvent,
  now: Date,
): Promise<{ applied: boolean; refused?: string }> {
  return withTransaction(db, async (tx) => {
    if (!(await claim(tx, event.eventId, machineId, 'material', event.at, now, event.sessionId))) {
      return { applied: false };
    }
    try {
      // Lock order inside: the session, then the member (db/lock-order.ts).
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
