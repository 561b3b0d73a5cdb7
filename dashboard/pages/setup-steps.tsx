/**
 * Issue #12: the guided setup's frame, shared by its steps (setup.tsx, setup-machines.tsx):
 * the steps in order, where each stands (counted from the database, so leaving and coming back
 * resumes where things are), and the links to go on or skip.
 */
import { listDevices } from '../../application/devices.ts';
import { labProfile } from '../../application/lab-profile.ts';
import { listMachines } from '../../application/machines.ts';
import { listMembers } from '../../application/members.ts';
import { listQualifications } from '../../application/qualifications.ts';
import type { DashContext } from '../context.ts';
import { type SetupDict, setupWords } from '../i18n/setup.ts';
import { Tag } from '../views/ui.tsx';

export const STEPS = ['qualifications', 'machines', 'boards', 'members'] as const;
export type Step = (typeof STEPS)[number];

export function stepTitle(s: SetupDict, step: Step): string {
  return {
    qualifications: s.stepQualifications,
    machines: s.stepMachines,
    boards: s.stepBoards,
    members: s.stepMembers,
  }[step];
}

export function stepHelp(s: SetupDict, step: Step): string {
  return {
    qualifications: s.stepQualificationsHelp,
    machines: s.stepMachinesHelp,
    boards: s.stepBoardsHelp,
    members: s.stepMembersHelp,
  }[step];
}

/** How many things each step has created so far. */
export async function setupProgress(c: DashContext): Promise<Record<Step, number>> {
  const { db } = c.var.deps;
  const machines = await listMachines(db);
  let boards = 0;
  for (const m of machines)
    boards += (await listDevices(db, m.id)).filter((d) => d.revokedAt === null).length;
  return {
    qualifications: (await listQualifications(db)).length,
    machines: machines.length,
    boards,
    members: (await listMembers(db, { limit: 1, offset: 0 })).total,
  };
}

export async function labName(c: DashContext): Promise<string> {
  return (await labProfile(c.var.deps.db))?.name ?? 'Sésame';
}

/** The list of steps with their state; the current one marked. */
export function StepList(props: { c: DashContext; progress: Record<Step, number>; current?: Step }) {
  const s = setupWords(props.c);
  return (
    <nav aria-label={s.setupSteps}>
      <ol class="setup-steps">
        {STEPS.map((step) => (
          <li>
            <a href={`/setup/${step}`} aria-current={props.current === step ? 'step' : undefined}>
              {stepTitle(s, step)}
            </a>{' '}
            {props.progress[step] > 0 ? (
              <Tag tone="ok">{s.stepDone}</Tag>
            ) : (
              <Tag tone="warn">{s.stepTodo}</Tag>
            )}{' '}
            <small>{s.stepCount(props.progress[step])}</small>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** "Next step" (or "Skip this step" while nothing was created), and the way back. */
export function StepFooter(props: { c: DashContext; step: Step; count: number }) {
  const s = setupWords(props.c);
  const next = STEPS[STEPS.indexOf(props.step) + 1];
  return (
    <p class="actions">
      {next ? (
        <a class="button" href={`/setup/${next}`}>
          {props.count > 0 ? s.nextStep : s.skipStep}
        </a>
      ) : (
        <a class="button" href="/board">
          {s.finishSetup}
        </a>
      )}
      <a href="/setup">{s.backToSetup}</a>
    </p>
  );
}

/** An id for a new qualification or machine from its name ("Découpe laser" → decoupe-laser). */
export function slugFrom(name: string, taken: ReadonlySet<string>, fallback: string): string {
  const base =
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || fallback;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}
