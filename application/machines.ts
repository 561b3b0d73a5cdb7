/** Machines (SPEC §3 /machines): pricing, required qualifications, state, live status. */
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { CreditPolicy, MachineKind, MachineState } from '../core/domain.ts';
import type { Db, DbOrTx, Tx } from '../db/client.ts';
import { lockMachine } from '../db/lock-order.ts';
import { machineQualifications, machineSessions, machines } from '../db/schema.ts';
import { withTransaction } from '../db/transaction.ts';
import { type Actor, audit } from './audit.ts';
import { conflict, isUniqueViolation, notFound } from './errors.ts';
import { checkQualifications } from './staff.ts';

export interface MachineInput {
  id: string;
  name: string;
  kind: MachineKind;
  pricePerMinuteCents: number;
  minimumChargeCents: number;
  qualifications: string[];
  overdraftLimitCents?: number | undefined;
  creditPolicy?: CreditPolicy | undefined;
  maxSessionSeconds?: number | null | undefined;
  heartbeatSeconds?: number | undefined;
  // Lab practices (issue #6), all optional: SPEC §3 bodies stay valid as they were.
  idlePricePerMinuteCents?: number | null | undefined;
  sessionFeeCents?: number | undefined;
  requiresSupervisor?: boolean | undefined;
  supervisorMode?: 'badge' | 'present' | undefined;
  postUseCheck?: string | null | undefined;
  graceSeconds?: number | undefined;
  maintenanceEveryHours?: number | null | undefined;
}

export interface MachinePatch extends Partial<Omit<MachineInput, 'id'>> {
  state?: MachineState | undefined;
  stateNote?: string | null | undefined;
}

type Row = typeof machines.$inferSelect;

function view(
  m: Row,
  qualifications: string[],
  open: { id: string; memberId: string; startedAt: Date } | undefined,
) {
  return {
    id: m.id,
    name: m.name,
    kind: m.kind,
    pricePerMinuteCents: m.pricePerMinuteCents,
    minimumChargeCents: m.minimumChargeCents,
    overdraftLimitCents: m.overdraftLimitCents,
    creditPolicy: m.creditPolicy,
    maxSessionSeconds: m.maxSessionSeconds,
    heartbeatSeconds: m.heartbeatSeconds,
    idlePricePerMinuteCents: m.idlePricePerMinuteCents,
    sessionFeeCents: m.sessionFeeCents,
    requiresSupervisor: m.requiresSupervisor,
    supervisorMode: m.supervisorMode,
    postUseCheck: m.postUseCheck,
    checkPending: m.checkPending,
    graceSeconds: m.graceSeconds,
    maintenanceEveryHours: m.maintenanceEveryHours,
    runningSecondsSinceMaintenance: m.runningSecondsSinceMaintenance,
    qualifications,
    state: m.state,
    stateNote: m.stateNote,
    online: m.online,
    lastSeenAt: m.lastSeenAt,
    inUse: open !== undefined,
    ...(open ? { sessionId: open.id, sessionMemberId: open.memberId, sessionStartedAt: open.startedAt } : {}),
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

export type MachineViewDto = ReturnType<typeof view>;

async function load(db: DbOrTx, rows: Row[]): Promise<MachineViewDto[]> {
  const quals = await db.select().from(machineQualifications);
  const open = await db
    .select({
      id: machineSessions.id,
      machineId: machineSessions.machineId,
      memberId: machineSessions.memberId,
      startedAt: machineSessions.startedAt,
    })
    .from(machineSessions)
    .where(isNull(machineSessions.endedAt));
  return rows.map((m) =>
    view(
      m,
      quals
        .filter((q) => q.machineId === m.id)
        .map((q) => q.qualificationId)
        .sort(),
      open.find((s) => s.machineId === m.id),
    ),
  );
}

export async function getMachine(db: DbOrTx, id: string): Promise<MachineViewDto> {
  const rows = await db.select().from(machines).where(eq(machines.id, id));
  if (rows.length === 0) throw notFound('machine', id);
  return (await load(db, rows))[0]!;
}

export async function listMachines(db: DbOrTx): Promise<MachineViewDto[]> {
  return load(db, await db.select().from(machines).orderBy(asc(machines.id)));
}

const machineExists = (id: string) =>
  conflict(
    `A machine already has the id "${id}"; choose another id, or change it with PATCH /api/v1/machines/${id}.`,
  );

/** Inserts a machine and its qualifications, audited, in the caller's transaction. */
export async function insertMachine(tx: Tx, actor: Actor, input: MachineInput): Promise<MachineViewDto> {
  const quals = [...new Set(input.qualifications)].sort();
  const [dup] = await tx.select({ id: machines.id }).from(machines).where(eq(machines.id, input.id));
  if (dup !== undefined) throw machineExists(input.id);
  await checkQualifications(tx, 'qualifications', quals);
  const { qualifications: _, ...fields } = input;
  await tx.insert(machines).values({ ...fields, maxSessionSeconds: input.maxSessionSeconds ?? null });
  if (quals.length > 0) {
    await tx
      .insert(machineQualifications)
      .values(quals.map((q) => ({ machineId: input.id, qualificationId: q })));
  }
  const result = await getMachine(tx, input.id);
  await audit(tx, { actor, action: 'create', entity: 'machine', entityId: input.id, after: result });
  return result;
}

/** Two creations of one id at once: the primary key decides (see machine-use-cases.ts). */
export function asMachineExists(e: unknown, id: string): unknown {
  return isUniqueViolation(e) ? machineExists(id) : e;
}

/** Concurrency tests race this; people go through changeMachine (machine-use-cases.ts). */
export function updateMachine(db: Db, actor: Actor, id: string, patch: MachinePatch, now: Date) {
  return withTransaction(db, (tx) => applyMachinePatch(tx, actor, id, patch, now));
}

/** Applies a patch to a machine (row locked first, db/lock-order.ts), audited, in the caller's transaction. */
export async function applyMachinePatch(tx: Tx, actor: Actor, id: string, patch: MachinePatch, now: Date) {
  {
    const row = await lockMachine(tx, id);
    if (row === null) throw notFound('machine', id);
    const before = (await load(tx, [row]))[0]!;
    const { qualifications: quals, ...fields } = patch;
    await tx
      .update(machines)
      .set({
        ...fields,
        ...(patch.state && patch.stateNote === undefined ? { stateNote: null } : {}),
        updatedAt: now,
      })
      .where(eq(machines.id, id));
    if (quals !== undefined) {
      const unique = [...new Set(quals)].sort();
      await checkQualifications(tx, 'qualifications', unique);
      await tx.delete(machineQualifications).where(eq(machineQualifications.machineId, id));
      if (unique.length > 0) {
        await tx
          .insert(machineQualifications)
          .values(unique.map((q) => ({ machineId: id, qualificationId: q })));
      }
    }
    const after = await getMachine(tx, id);
    await audit(tx, { actor, action: 'update', entity: 'machine', entityId: id, before, after });
    return after;
  }
}

export async function openSessionOf(db: DbOrTx, machineId: string): Promise<string | null> {
  const [s] = await db
    .select({ id: machineSessions.id })
    .from(machineSessions)
    .where(and(eq(machineSessions.machineId, machineId), isNull(machineSessions.endedAt)));
  return s?.id ?? null;
}
