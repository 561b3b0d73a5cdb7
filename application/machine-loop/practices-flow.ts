/**
 * The two-badge flows at a reader (issue #6, docs/mqtt.md "Lab practices"): certify at the
 * machine, enrol a badge, wait for a supervisor, confirm a post-use check. A reader holds at
 * most one pending action, in the database so that every server process sees it.
 */
import { and, desc, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Decision } from '../../core/mqtt-contract.ts';
import {
  CERTIFY_WINDOW_MS,
  certifyArming,
  ENROL_WINDOW_MS,
  FLOW_ANSWERS,
  isPendingLive,
  mayArmEnrolment,
  PRESENCE_WINDOW_MS,
} from '../../core/practices-policy.ts';
import type { Tx } from '../../db/client.ts';
import {
  enrolments,
  machineEvents,
  machines,
  pendingActions,
  staff,
  trainerQualifications,
} from '../../db/schema.ts';
import { recordCertification } from '../certifications.ts';
import { ServiceError } from '../errors.ts';
import { isQualifiedStaff } from '../lab-practices.ts';
import { newId } from '../security.ts';
import type { LoadedMachine } from './machine-view.ts';

export {
  CERTIFY_WINDOW_MS,
  CHECK_WINDOW_MS,
  ENROL_WINDOW_MS,
  PRESENCE_WINDOW_MS,
  SUPERVISOR_WINDOW_MS,
} from '../../core/practices-policy.ts';

export type Pending = typeof pendingActions.$inferSelect;

/** The reader's pending action, if any and not expired (expired ones are cleared). */
export async function currentPending(tx: Tx, machineId: string, now: Date): Promise<Pending | null> {
  const row = (await tx.select().from(pendingActions).where(eq(pendingActions.machineId, machineId)))[0];
  if (row === undefined) return null;
  if (!isPendingLive(row, now)) {
    await clearPending(tx, machineId);
    return null;
  }
  return row;
}

export async function clearPending(tx: Tx, machineId: string): Promise<void> {
  await tx.delete(pendingActions).where(eq(pendingActions.machineId, machineId));
}

export async function setPending(
  tx: Tx,
  machineId: string,
  value: Omit<typeof pendingActions.$inferInsert, 'machineId' | 'createdAt'>,
): Promise<void> {
  await tx
    .insert(pendingActions)
    .values({ machineId, ...value })
    .onConflictDoUpdate({ target: pendingActions.machineId, set: { ...value, createdAt: new Date() } });
}

/** The enabled staff account whose badges this member record holds. */
export async function staffOfMember(tx: Tx, memberId: string) {
  const rows = await tx
    .select()
    .from(staff)
    .where(and(eq(staff.memberId, memberId), isNull(staff.disabledAt)));
  return rows[0] ?? null;
}

type Answer = Omit<Decision, 'requestId'>;

/** Step 1 of "certify at the machine": a trainer of one of the machine's qualifications. */
export async function armCertify(
  tx: Tx,
  machine: LoadedMachine,
  trainerMemberId: string,
  now: Date,
): Promise<Answer> {
  const person = await staffOfMember(tx, trainerMemberId);
  const teaches =
    person === null || machine.requiredQualifications.length === 0
      ? []
      : await tx
          .select()
          .from(trainerQualifications)
          .where(
            and(
              eq(trainerQualifications.staffId, person.id),
              inArray(trainerQualifications.qualificationId, [...machine.requiredQualifications]),
            ),
          );
  const armed = certifyArming({
    isStaff: person !== null,
    teaches: teaches.map((t) => t.qualificationId),
  });
  if (person === null || armed === null) return FLOW_ANSWERS.notTrainer;
  await setPending(tx, machine.id, {
    kind: 'certify',
    memberId: trainerMemberId,
    staffId: person.id,
    qualificationId: armed.qualificationId,
    expiresAt: new Date(now.getTime() + CERTIFY_WINDOW_MS),
  });
  return FLOW_ANSWERS.awaitingMember;
}

/** Step 2: the member's badge records the certification (prerequisites enforced). */
export async function certifyAtMachine(
  tx: Tx,
  pending: Pending,
  memberId: string,
  now: Date,
): Promise<Answer> {
  await clearPending(tx, pending.machineId);
  try {
    await recordCertification(
      tx,
      `staff:${pending.staffId}`,
      memberId,
      { qualificationId: pending.qualificationId!, certifiedBy: pending.staffId },
      now,
    );
  } catch (err) {
    if (err instanceof ServiceError) return FLOW_ANSWERS.prerequisiteMissing;
    throw err;
  }
  return FLOW_ANSWERS.certified;
}

/** Step 1 of enrolment: an admin's badge. */
export async function armEnrol(tx: Tx, machineId: string, adminMemberId: string, now: Date): Promise<Answer> {
  const person = await staffOfMember(tx, adminMemberId);
  if (person === null || !mayArmEnrolment(person.roles)) return FLOW_ANSWERS.notAdmin;
  await setPending(tx, machineId, {
    kind: 'enrol',
    memberId: adminMemberId,
    staffId: person.id,
    expiresAt: new Date(now.getTime() + ENROL_WINDOW_MS),
  });
  return FLOW_ANSWERS.enrolmentReady;
}

/** Step 2: the unknown badge is offered to the dashboard's "issue badge" form. */
export async function enrolBadge(tx: Tx, pending: Pending, uid: string, now: Date): Promise<Answer> {
  await clearPending(tx, pending.machineId);
  await tx
    .insert(enrolments)
    .values({ id: newId(), machineId: pending.machineId, uid, staffId: pending.staffId, createdAt: now });
  return FLOW_ANSWERS.badgePresented;
}

/** Is this badge holder a staff member who may supervise the machine? */
export async function supervisorFor(tx: Tx, machine: LoadedMachine, memberId: string, now: Date) {
  const person = await staffOfMember(tx, memberId);
  if (person === null) return null;
  return (await isQualifiedStaff(tx, person.id, machine.id, now)) ? person : null;
}

/** Supervisor mode `present`: a qualified staff member badged in the lab recently. */
export async function qualifiedStaffPresent(
  tx: Tx,
  machine: LoadedMachine,
  now: Date,
): Promise<string | null> {
  const recent = await tx
    .selectDistinct({ memberId: machineEvents.memberId })
    .from(machineEvents)
    .innerJoin(staff, eq(staff.memberId, machineEvents.memberId))
    .where(
      and(
        eq(machineEvents.kind, 'badge'),
        eq(machineEvents.granted, true),
        gt(machineEvents.receivedAt, new Date(now.getTime() - PRESENCE_WINDOW_MS)),
      ),
    )
    .orderBy(desc(machineEvents.memberId));
  for (const r of recent) {
    if (r.memberId === null) continue;
    const person = await supervisorFor(tx, machine, r.memberId, now);
    if (person !== null) return person.id;
  }
  return null;
}

export async function confirmCheckAtReader(tx: Tx, machineId: string): Promise<void> {
  await clearPending(tx, machineId);
  await tx.update(machines).set({ checkPending: false }).where(eq(machines.id, machineId));
}
