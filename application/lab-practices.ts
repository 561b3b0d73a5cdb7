/**
 * Lab practices around the machines (issue #6): materials charged on the card, problems
 * reported, maintenance restored by qualified staff, post-use checks confirmed, badges
 * presented for enrolment. Used by the MQTT machine loop, the API and the dashboard.
 */
import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { isCertificationValid, lapseDate } from '../core/domain.ts';
import { materialPostings } from '../core/ledger.ts';
import type { Db, DbOrTx, Tx } from '../db/client.ts';
import { lockSession } from '../db/lock-order.ts';
import {
  certifications,
  enrolments,
  machineQualifications,
  machineSessions,
  machines,
  materials,
  materialUses,
  qualifications,
  staff,
  trainerQualifications,
} from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { conflict, forbidden, notFound } from './errors.ts';
import { InsufficientCreditError, postTransaction } from './ledger.ts';
import { newId } from './security.ts';

// Materials --------------------------------------------------------------------------

export interface MaterialInput {
  id: string;
  name: string;
  unit: string;
  pricePerUnitCents: number;
}

export async function createMaterial(db: Db, actor: Actor, input: MaterialInput) {
  const existing = await db.select().from(materials).where(eq(materials.id, input.id));
  if (existing.length > 0) throw conflict(`A material with the id "${input.id}" exists; choose another id.`);
  const [row] = await db.insert(materials).values(input).returning();
  await audit(db, { actor, action: 'create', entity: 'material', entityId: input.id, after: row });
  return row!;
}

export async function updateMaterial(
  db: Db,
  actor: Actor,
  id: string,
  patch: Partial<Omit<MaterialInput, 'id'>> & { active?: boolean },
) {
  const before = (await db.select().from(materials).where(eq(materials.id, id)))[0];
  if (before === undefined) throw notFound('material', id);
  const [after] = await db.update(materials).set(patch).where(eq(materials.id, id)).returning();
  await audit(db, { actor, action: 'update', entity: 'material', entityId: id, before, after });
  return after!;
}

export function listMaterials(db: DbOrTx) {
  return db.select().from(materials).orderBy(materials.name);
}

/**
 * Charges `quantity` units of a material to a session's member, posted to material sales.
 * All or nothing: a card that cannot pay it down to the machine's floor is refused (409).
 */
export async function recordMaterialUse(
  tx: Tx,
  actor: Actor,
  input: { sessionId: string; materialId: string; quantity: number; machineId?: string },
  now: Date,
) {
  // Lock order (db/lock-order.ts): the session, then the member (the debit below).
  const session = await lockSession(tx, input.sessionId);
  if (session === null || (input.machineId !== undefined && session.machineId !== input.machineId)) {
    throw notFound('session', input.sessionId);
  }
  const material = (await tx.select().from(materials).where(eq(materials.id, input.materialId)))[0];
  if (material === undefined || !material.active) throw notFound('material', input.materialId);
  const machine = (await tx.select().from(machines).where(eq(machines.id, session.machineId)))[0]!;
  const amountCents = material.pricePerUnitCents * input.quantity;
  if (amountCents > 0) {
    try {
      await postTransaction(
        tx,
        {
          // Issue #11: its own kind, so it is not counted as machine use (chargedCents).
          kind: 'material',
          memberId: session.memberId,
          sessionId: session.id,
          reason: `${input.quantity} ${material.unit} ${material.name}`,
          createdBy: actor,
          createdAt: now,
        },
        materialPostings(session.memberId, session.machineId, amountCents),
        -machine.overdraftLimitCents,
      );
    } catch (err) {
      if (err instanceof InsufficientCreditError) {
        throw conflict(`The card cannot pay ${amountCents} c of ${material.name}; top it up first.`);
      }
      throw err;
    }
  }
  const use = {
    id: newId(),
    sessionId: session.id,
    materialId: material.id,
    quantity: input.quantity,
    amountCents,
    recordedBy: actor,
    createdAt: now,
  };
  await tx.insert(materialUses).values(use);
  await tx
    .update(machineSessions)
    .set({ materialsCents: sql`${machineSessions.materialsCents} + ${amountCents}` })
    .where(eq(machineSessions.id, session.id));
  await audit(tx, { actor, action: 'material', entity: 'session', entityId: session.id, after: use });
  return use;
}

export function listMaterialUses(db: DbOrTx, sessionId: string) {
  return db
    .select()
    .from(materialUses)
    .where(eq(materialUses.sessionId, sessionId))
    .orderBy(materialUses.createdAt);
}

// Maintenance and checks -------------------------------------------------------------

/** A problem reported from the board or the dashboard: the machine goes into maintenance. */
export async function reportProblem(
  db: DbOrTx,
  actor: Actor,
  machineId: string,
  note: string | undefined,
  now: Date,
) {
  const before = (await db.select().from(machines).where(eq(machines.id, machineId)))[0];
  if (before === undefined) throw notFound('machine', machineId);
  const stateNote = note?.trim() || 'Problème signalé / problem reported';
  await db
    .update(machines)
    .set({ state: 'maintenance', stateNote, updatedAt: now })
    .where(eq(machines.id, machineId));
  await audit(db, {
    actor,
    action: 'report_problem',
    entity: 'machine',
    entityId: machineId,
    before: { state: before.state },
    after: { state: 'maintenance', stateNote },
  });
}

/**
 * Whether a staff member may vouch for a machine: an admin, a trainer of one of its
 * qualifications, or someone holding valid certifications for all of them.
 */
export async function isQualifiedStaff(
  db: DbOrTx,
  staffId: string,
  machineId: string,
  now: Date,
): Promise<boolean> {
  const person = (await db.select().from(staff).where(eq(staff.id, staffId)))[0];
  if (person === undefined || person.disabledAt !== null) return false;
  if (person.roles.includes('admin')) return true;
  const required = (
    await db.select().from(machineQualifications).where(eq(machineQualifications.machineId, machineId))
  ).map((r) => r.qualificationId);
  if (required.length === 0) return true;
  const trains = await db
    .select()
    .from(trainerQualifications)
    .where(
      and(
        eq(trainerQualifications.staffId, staffId),
        inArray(trainerQualifications.qualificationId, required),
      ),
    );
  if (trains.length > 0) return true;
  if (person.memberId === null) return false;
  const held = await db
    .select({ c: certifications, lapseDays: qualifications.lapseAfterUnusedDays })
    .from(certifications)
    .innerJoin(qualifications, eq(qualifications.id, certifications.qualificationId))
    .where(eq(certifications.memberId, person.memberId));
  return required.every((q) =>
    held.some(
      ({ c, lapseDays }) =>
        c.qualificationId === q && isCertificationValid({ ...c, lapsesAt: lapseDate(c, lapseDays) }, now),
    ),
  );
}

/** Only an admin or staff qualified on the machine may put it back in service (issue #6). */
export async function restoreMachine(
  db: DbOrTx,
  actor: Actor,
  by: { staffId: string },
  machineId: string,
  now: Date,
) {
  const before = (await db.select().from(machines).where(eq(machines.id, machineId)))[0];
  if (before === undefined) throw notFound('machine', machineId);
  if (!(await isQualifiedStaff(db, by.staffId, machineId, now))) {
    throw forbidden('Only an admin or staff qualified on this machine can put it back in service.');
  }
  await db
    .update(machines)
    .set({ state: 'available', stateNote: null, runningSecondsSinceMaintenance: 0, updatedAt: now })
    .where(eq(machines.id, machineId));
  await audit(db, {
    actor,
    action: 'restore',
    entity: 'machine',
    entityId: machineId,
    before: { state: before.state, stateNote: before.stateNote },
    after: { state: 'available' },
  });
}

/** The post-use check confirmed by staff (the next user confirms at the reader). */
export async function confirmCheck(db: DbOrTx, actor: Actor, machineId: string, now: Date) {
  const before = (await db.select().from(machines).where(eq(machines.id, machineId)))[0];
  if (before === undefined) throw notFound('machine', machineId);
  await db.update(machines).set({ checkPending: false, updatedAt: now }).where(eq(machines.id, machineId));
  await audit(db, {
    actor,
    action: 'confirm_check',
    entity: 'machine',
    entityId: machineId,
    before: { checkPending: before.checkPending },
    after: { checkPending: false },
  });
}

// Enrolment --------------------------------------------------------------------------

export const ENROLMENT_TTL_MS = 10 * 60_000;

/** Badges presented in enrolment mode in the last 10 minutes, newest first. */
export function pendingEnrolments(db: DbOrTx, now: Date) {
  return db
    .select()
    .from(enrolments)
    .where(
      and(
        isNull(enrolments.consumedAt),
        gt(enrolments.createdAt, new Date(now.getTime() - ENROLMENT_TTL_MS)),
      ),
    )
    .orderBy(desc(enrolments.createdAt));
}

export async function consumeEnrolment(db: DbOrTx, id: string, now: Date) {
  await db.update(enrolments).set({ consumedAt: now }).where(eq(enrolments.id, id));
}
