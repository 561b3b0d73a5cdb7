/** Loads the domain views the access decision and metering need. */
import { and, eq, isNull } from 'drizzle-orm';
import {
  type CertificationView,
  lapseDate,
  type MachineKind,
  type MachineView,
  type MemberView,
} from '../../core/domain.ts';
import type { DbOrTx } from '../../db/client.ts';
import {
  certifications,
  machineQualifications,
  machineSessions,
  machines,
  members,
  qualifications,
} from '../../db/schema.ts';

export interface LoadedMachine extends MachineView {
  name: string;
  kind: MachineKind;
  heartbeatSeconds: number;
  supervisorMode: 'badge' | 'present';
  postUseCheck: string | null;
  graceSeconds: number;
  maintenanceEveryHours: number | null;
  runningSecondsSinceMaintenance: number;
}

/** The machine's view, unlocked: lock its row first with db/lock-order.ts `lockMachine`. */
export async function loadMachine(db: DbOrTx, machineId: string): Promise<LoadedMachine | null> {
  const rows = await db.select().from(machines).where(eq(machines.id, machineId));
  const m = rows[0];
  if (m === undefined) return null;
  const quals = await db
    .select({ id: machineQualifications.qualificationId })
    .from(machineQualifications)
    .where(eq(machineQualifications.machineId, machineId));
  return {
    id: m.id,
    name: m.name,
    kind: m.kind,
    state: m.state,
    pricePerMinuteCents: m.pricePerMinuteCents,
    minimumChargeCents: m.minimumChargeCents,
    overdraftLimitCents: m.overdraftLimitCents,
    creditPolicy: m.creditPolicy,
    maxSessionSeconds: m.maxSessionSeconds,
    heartbeatSeconds: m.heartbeatSeconds,
    requiredQualifications: quals.map((q) => q.id),
    idlePricePerMinuteCents: m.idlePricePerMinuteCents,
    sessionFeeCents: m.sessionFeeCents,
    requiresSupervisor: m.requiresSupervisor,
    supervisorMode: m.supervisorMode,
    postUseCheck: m.postUseCheck,
    checkPending: m.checkPending,
    graceSeconds: m.graceSeconds,
    maintenanceEveryHours: m.maintenanceEveryHours,
    runningSecondsSinceMaintenance: m.runningSecondsSinceMaintenance,
  };
}

export async function loadMember(
  db: DbOrTx,
  memberId: string,
): Promise<(MemberView & { balanceCents: number }) | null> {
  const rows = await db.select().from(members).where(eq(members.id, memberId));
  const m = rows[0];
  if (m === undefined) return null;
  return {
    id: m.id,
    name: m.name,
    status: m.status,
    membershipValidUntil: m.membershipValidUntil,
    balanceCents: m.balanceCents,
  };
}

export async function loadCertifications(db: DbOrTx, memberId: string): Promise<CertificationView[]> {
  const rows = await db
    .select({ c: certifications, lapseDays: qualifications.lapseAfterUnusedDays })
    .from(certifications)
    .innerJoin(qualifications, eq(qualifications.id, certifications.qualificationId))
    .where(eq(certifications.memberId, memberId));
  return rows.map(({ c, lapseDays }) => ({
    qualificationId: c.qualificationId,
    certifiedAt: c.certifiedAt,
    expiresAt: c.expiresAt,
    revokedAt: c.revokedAt,
    lapsesAt: lapseDate(c, lapseDays),
  }));
}

export async function openSessionOf(db: DbOrTx, machineId: string) {
  const rows = await db
    .select()
    .from(machineSessions)
    .where(and(eq(machineSessions.machineId, machineId), isNull(machineSessions.endedAt)));
  return rows[0] ?? null;
}
