/** Loads the domain views the access decision and metering need. */
import { and, eq, isNull } from 'drizzle-orm';
import type { CertificationView, MachineKind, MachineView, MemberView } from '../../core/domain.ts';
import type { DbOrTx } from '../db/client.ts';
import { certifications, machineQualifications, machineSessions, machines, members } from '../db/schema.ts';

export interface LoadedMachine extends MachineView {
  name: string;
  kind: MachineKind;
  heartbeatSeconds: number;
}

export async function loadMachine(
  db: DbOrTx,
  machineId: string,
  opts: { lock?: boolean } = {},
): Promise<LoadedMachine | null> {
  const query = db.select().from(machines).where(eq(machines.id, machineId));
  const rows = opts.lock ? await query.for('update') : await query;
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
  const rows = await db.select().from(certifications).where(eq(certifications.memberId, memberId));
  return rows.map((c) => ({
    qualificationId: c.qualificationId,
    certifiedAt: c.certifiedAt,
    expiresAt: c.expiresAt,
    revokedAt: c.revokedAt,
  }));
}

export async function openSessionOf(db: DbOrTx, machineId: string) {
  const rows = await db
    .select()
    .from(machineSessions)
    .where(and(eq(machineSessions.machineId, machineId), isNull(machineSessions.endedAt)));
  return rows[0] ?? null;
}
