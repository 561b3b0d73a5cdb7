/**
 * Issue #12: what people do to machines, one use case each, called alike by the API
 * (/api/v1/machines…, /sessions/{id}/end), the dashboard (board, admin and setup pages) and
 * the CLI. Each runs one transaction with its audit entry and records the machine-loop change
 * (a machine's price, state or qualifications change its allow-list); a lock command, where
 * one follows, is sent after the commit.
 */
import { z } from 'zod';
import { MACHINE_STATES } from '../core/domain.ts';
import { audit } from './audit.ts';
import { forbidden } from './errors.ts';
import { confirmCheck, reportProblem, restoreMachine } from './lab-practices.ts';
import {
  applyMachinePatch,
  asMachineExists,
  getMachine,
  insertMachine,
  type MachineInput,
  type MachinePatch,
  type MachineViewDto,
} from './machines.ts';
import { openSession } from './sessions.ts';
import { runUseCase, type UseCaseContext, validate } from './use-case.ts';

const machineId = z.string().trim().min(1).max(64);
const onMachine = z.object({ machineId }).strict();

/** Adds a machine (API POST /machines, admin and setup pages). The adapters check the fields. */
export async function addMachine(ctx: UseCaseContext, input: MachineInput): Promise<MachineViewDto> {
  validate(z.object({ id: machineId, name: z.string().trim().min(1).max(200) }), {
    id: input.id,
    name: input.name,
  });
  try {
    return await runUseCase(ctx, async (tx) => ({
      result: await insertMachine(tx, ctx.by, input),
      changed: { machineIds: [input.id] },
    }));
  } catch (e) {
    throw asMachineExists(e, input.id);
  }
}

/**
 * Changes a machine's settings or state (API PATCH, admin page, board's state form). SPEC §2: a
 * machine locked out stops its session, so its board is told to lock after the commit.
 */
export async function changeMachine(
  ctx: UseCaseContext,
  input: { machineId: string; patch: MachinePatch },
): Promise<MachineViewDto> {
  const { machineId: id } = validate(onMachine, { machineId: input.machineId });
  if (input.patch.state !== undefined) validate(z.enum(MACHINE_STATES), input.patch.state);
  const machine = await runUseCase(ctx, async (tx) => ({
    result: await applyMachinePatch(tx, ctx.by, id, input.patch, ctx.now()),
    changed: { machineIds: [id] },
  }));
  if (machine.state === 'locked_out' && machine.sessionId !== undefined) {
    await ctx.loop.lock(id, 'locked_out', machine.sessionId);
  }
  return machine;
}

/** A problem reported by staff: the machine goes into maintenance (issue #6). */
export async function reportMachineProblem(
  ctx: UseCaseContext,
  input: { machineId: string; note?: string | undefined },
): Promise<MachineViewDto> {
  const v = validate(z.object({ machineId, note: z.string().trim().max(500).optional() }).strict(), input);
  return runUseCase(ctx, async (tx) => {
    await reportProblem(tx, ctx.by, v.machineId, v.note, ctx.now());
    return { result: await getMachine(tx, v.machineId), changed: { machineIds: [v.machineId] } };
  });
}

/** Back in service: an admin or staff qualified on the machine (issue #6). */
export async function restoreMachineToService(
  ctx: UseCaseContext,
  input: { machineId: string },
): Promise<MachineViewDto> {
  const { machineId: id } = validate(onMachine, input);
  if (ctx.actor.kind !== 'staff') throw forbidden('Only staff may put a machine back in service.');
  const staffId = ctx.actor.id;
  return runUseCase(ctx, async (tx) => {
    await restoreMachine(tx, ctx.by, { staffId }, id, ctx.now());
    return { result: await getMachine(tx, id), changed: { machineIds: [id] } };
  });
}

/** The post-use check confirmed by staff: the machine unlocks again (issue #6). */
export async function confirmMachineCheck(
  ctx: UseCaseContext,
  input: { machineId: string },
): Promise<MachineViewDto> {
  const { machineId: id } = validate(onMachine, input);
  return runUseCase(ctx, async (tx) => {
    await confirmCheck(tx, ctx.by, id, ctx.now());
    return { result: await getMachine(tx, id), changed: { machineIds: [id] } };
  });
}

/**
 * Stops a session from the office (API POST /sessions/{id}/end, board's "Arrêter la session"):
 * the board is told to lock, which ends and bills the session through the machine loop as
 * any end does; the request is audited. `machineId`, when given, must be the session's.
 */
export async function stopSession(
  ctx: UseCaseContext,
  input: { sessionId: string; machineId?: string | undefined },
): Promise<{ sessionId: string; machineId: string; lockRequested: true }> {
  const v = validate(
    z.object({ sessionId: z.string().trim().min(1).max(200), machineId: machineId.optional() }).strict(),
    input,
  );
  const session = await openSession(ctx.db, v.sessionId);
  if (v.machineId !== undefined && session.machineId !== v.machineId) {
    throw forbidden('This session is not on that machine.');
  }
  await ctx.loop.lock(session.machineId, 'operator', session.id);
  await runUseCase(ctx, async (tx) => {
    await audit(tx, {
      actor: ctx.by,
      action: 'end_session',
      entity: 'session',
      entityId: session.id,
      after: { machineId: session.machineId, lockRequested: true },
    });
    return { result: null };
  });
  return { sessionId: session.id, machineId: session.machineId, lockRequested: true };
}
