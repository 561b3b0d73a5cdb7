/**
 * The live board (issue #4): every machine with its state and, when in use, the open
 * session (who, since when, run time and charge so far). Read again on each live event.
 */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { MachineKind, MachineState } from '../core/domain.ts';
import type { DbOrTx } from '../db/client.ts';
import { machineSessions, machines, members, staff } from '../db/schema.ts';

export interface BoardSession {
  id: string;
  memberId: string;
  memberName: string;
  startedAt: Date;
  lastEventAt: Date;
  runningSeconds: number;
  chargedCents: number;
  offline: boolean;
  /** issue #6: unlocked but not running, materials charged, the supervising staff's name */
  idleSeconds: number;
  materialsCents: number;
  supervisorName: string | null;
}

export interface BoardMachine {
  id: string;
  name: string;
  kind: MachineKind;
  state: MachineState;
  stateNote: string | null;
  online: boolean;
  lastSeenAt: Date | null;
  pricePerMinuteCents: number;
  minimumChargeCents: number;
  // Lab practices (issue #6)
  requiresSupervisor: boolean;
  supervisorMode: 'badge' | 'present';
  postUseCheck: string | null;
  checkPending: boolean;
  maintenanceEveryHours: number | null;
  runningSecondsSinceMaintenance: number;
  session: BoardSession | null;
}

/** All machines, or only `ids`, ordered by name. */
export async function boardMachines(db: DbOrTx, ids?: readonly string[]): Promise<BoardMachine[]> {
  if (ids !== undefined && ids.length === 0) return [];
  const rows = await db
    .select({
      machine: machines,
      session: machineSessions,
      memberName: members.name,
      supervisorName: staff.name,
    })
    .from(machines)
    // At most one open session per machine (unique partial index machine_sessions_open_key).
    .leftJoin(
      machineSessions,
      and(eq(machineSessions.machineId, machines.id), isNull(machineSessions.endedAt)),
    )
    .leftJoin(members, eq(members.id, machineSessions.memberId))
    .leftJoin(staff, eq(staff.id, machineSessions.supervisedBy))
    .where(ids === undefined ? undefined : inArray(machines.id, [...ids]))
    .orderBy(asc(machines.name), asc(machines.id));
  return rows.map(({ machine: m, session: s, memberName, supervisorName }) => ({
    id: m.id,
    name: m.name,
    kind: m.kind,
    state: m.state,
    stateNote: m.stateNote,
    online: m.online,
    lastSeenAt: m.lastSeenAt,
    pricePerMinuteCents: m.pricePerMinuteCents,
    minimumChargeCents: m.minimumChargeCents,
    requiresSupervisor: m.requiresSupervisor,
    supervisorMode: m.supervisorMode,
    postUseCheck: m.postUseCheck,
    checkPending: m.checkPending,
    maintenanceEveryHours: m.maintenanceEveryHours,
    runningSecondsSinceMaintenance: m.runningSecondsSinceMaintenance,
    session:
      s === null
        ? null
        : {
            id: s.id,
            memberId: s.memberId,
            memberName: memberName ?? '?',
            startedAt: s.startedAt,
            lastEventAt: s.lastEventAt,
            runningSeconds: s.runningSeconds,
            chargedCents: s.chargedCents,
            offline: s.offline,
            idleSeconds: s.idleSeconds,
            materialsCents: s.materialsCents,
            supervisorName: supervisorName ?? null,
          },
  }));
}
