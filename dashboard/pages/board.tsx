/**
 * The live board (issue #4). The page lists every machine; /board/events pushes a machine's
 * card again (server-sent events) whenever the machine loop reports a change, or the
 * dashboard itself changed it, plus a full refresh every 15 s. No client polling.
 */

import type { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { authenticateToken, SESSION_COOKIE } from '../../application/auth.ts';
import { ServiceError } from '../../application/errors.ts';
import { listMaterials } from '../../application/lab-practices.ts';
import { boardMachines } from '../../application/live-board.ts';
import {
  changeMachine,
  confirmMachineCheck,
  reportMachineProblem,
  restoreMachineToService,
  stopSession,
} from '../../application/machine-use-cases.ts';
import { sellMaterial } from '../../application/material-sales.ts';
import type { MachineEvents } from '../../application/ports/machine-loop.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { MACHINE_STATES } from '../../core/domain.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { ADMIN, can, requires, STAFF } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { page } from '../views/layout.tsx';
import { Empty } from '../views/ui.tsx';
import { type CardView, MachineCard } from './machine-card.tsx';

export const REFRESH_MS = 15_000;

async function cardView(c: DashContext): Promise<CardView> {
  const staff = can(c.var.user, STAFF);
  const materials = staff ? (await listMaterials(c.var.deps.db)).filter((x) => x.active) : [];
  return { t: c.var.t, fmt: c.var.fmt, admin: can(c.var.user, ADMIN), staff, materials };
}

/** Machine ids changed by the dashboard itself (the loop reports only what it sees). */
export interface LocalEvents extends MachineEvents {
  notify(machineId: string): void;
}

export function localEvents(): LocalEvents {
  const listeners = new Set<(id: string) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify(id) {
      for (const l of listeners) l(id);
    },
  };
}

export function registerBoard(app: Hono<DashEnv>, local: LocalEvents): void {
  app.get('/board', requires(STAFF), async (c) => {
    const { t } = c.var;
    const machines = await boardMachines(c.var.deps.db);
    const v = await cardView(c);
    return page(
      c,
      t.boardTitle,
      <>
        <p id="live-status" class="live-status" data-on={t.liveOn} data-off={t.liveReconnecting}>
          <a href="/board">{t.refresh}</a>
        </p>
        <p id="live-announce" class="visually-hidden" aria-live="polite"></p>
        {machines.length === 0 ? (
          <Empty>{t.noMachines}</Empty>
        ) : (
          <div id="machines" class="machines">
            {machines.map((m) => (
              <MachineCard m={m} v={v} />
            ))}
          </div>
        )}
      </>,
      ['/assets/board.js'],
    );
  });

  app.get('/board/events', requires(STAFF), async (c) => {
    const { db, now, events } = c.var.deps;
    let v = await cardView(c);
    const token = getCookie(c, SESSION_COOKIE) ?? '';
    return streamSSE(c, async (stream) => {
      const pending = new Set<string>();
      let wake: (() => void) | null = null;
      const onChange = (id: string) => {
        pending.add(id);
        wake?.();
      };
      const unsubscribe = [events.subscribe(onChange), local.subscribe(onChange)];
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      try {
        await stream.writeSSE({ event: 'ready', data: '', retry: 3000 });
        while (!closed) {
          let timer: NodeJS.Timeout | undefined;
          const woken = await new Promise<boolean>((resolve) => {
            if (pending.size > 0) return resolve(true);
            wake = () => resolve(true);
            timer = setTimeout(() => resolve(false), REFRESH_MS);
          });
          wake = null;
          clearTimeout(timer);
          if (closed) break;
          if (!woken && (await authenticateToken(db, token, now())) === null) break;
          // The full refresh also picks up materials added or withdrawn meanwhile.
          if (!woken) v = await cardView(c);
          // Bursts (several runtime events) coalesce into one read per machine.
          const ids = woken ? [...pending] : undefined;
          pending.clear();
          for (const m of await boardMachines(db, ids)) {
            const html = await (<MachineCard m={m} v={v} />).toString();
            await stream.writeSSE({ event: 'machine', data: JSON.stringify({ id: m.id, html }) });
          }
        }
      } finally {
        for (const u of unsubscribe) u();
      }
    });
  });

  app.post('/board/:id/state', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const id = c.req.param('id');
    const form = await parseForm(c, z.object({ state: z.enum(MACHINE_STATES) }));
    if (!form.ok) return redirectWith(c, '/board', 'error', t.invalidForm);
    // Issue #12: the use case audits, notifies and locks a locked-out machine's session.
    const machine = await changeMachine(useCaseContext(c.var.deps, userOf(c)), {
      machineId: id,
      patch: { state: form.data.state },
    });
    local.notify(id);
    return redirectWith(c, `/board#machine-${id}`, 'ok', t.machineStateChanged(machine.name));
  });

  app.post('/board/:id/end', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const id = c.req.param('id');
    const form = await parseForm(c, z.object({ sessionId: z.string().min(1).max(200) }));
    if (!form.ok) return redirectWith(c, '/board', 'error', t.invalidForm);
    try {
      await stopSession(useCaseContext(c.var.deps, userOf(c)), {
        sessionId: form.data.sessionId,
        machineId: id.slice(0, 64),
      });
    } catch (e) {
      if (e instanceof ServiceError) return redirectWith(c, '/board', 'error', t.sessionAlreadyEnded);
      throw e;
    }
    return redirectWith(c, `/board#machine-${id}`, 'ok', t.endRequested);
  });

  // Lab practices (issue #6): any staff reports a problem or confirms a check; restoring
  // needs an admin or staff qualified on the machine (the service decides).
  app.post('/board/:id/report', requires(STAFF), async (c) => {
    const { t } = c.var;
    const { db } = c.var.deps;
    const id = c.req.param('id');
    const form = await parseForm(c, z.object({ note: z.string().trim().max(500).optional() }));
    if (!form.ok) return redirectWith(c, '/board', 'error', t.invalidForm);
    await reportMachineProblem(useCaseContext(c.var.deps, userOf(c)), {
      machineId: id,
      note: form.data.note,
    });
    local.notify(id);
    const [m] = await boardMachines(db, [id]);
    return redirectWith(c, `/board#machine-${id}`, 'ok', t.problemReported(m?.name ?? id));
  });

  app.post('/board/:id/restore', requires(STAFF), async (c) => {
    const { t } = c.var;
    const { db } = c.var.deps;
    const id = c.req.param('id');
    const user = userOf(c);
    try {
      await restoreMachineToService(useCaseContext(c.var.deps, user), { machineId: id });
    } catch (e) {
      if (e instanceof ServiceError && e.kind === 'forbidden') {
        return redirectWith(c, `/board#machine-${id}`, 'error', t.restoreNotQualified);
      }
      throw e;
    }
    local.notify(id);
    const [m] = await boardMachines(db, [id]);
    return redirectWith(c, `/board#machine-${id}`, 'ok', t.machineRestored(m?.name ?? id));
  });

  app.post('/board/:id/check', requires(STAFF), async (c) => {
    const { t } = c.var;
    const { db } = c.var.deps;
    const id = c.req.param('id');
    await confirmMachineCheck(useCaseContext(c.var.deps, userOf(c)), { machineId: id });
    local.notify(id);
    const [m] = await boardMachines(db, [id]);
    return redirectWith(c, `/board#machine-${id}`, 'ok', t.checkConfirmed(m?.name ?? id));
  });

  app.post('/board/:id/material', requires(STAFF), async (c) => {
    const { t, fmt } = c.var;
    const { db } = c.var.deps;
    const id = c.req.param('id');
    const form = await parseForm(
      c,
      z.object({
        sessionId: z.string().min(1).max(200),
        idempotencyKey: z.string().min(1).max(200),
        materialId: z.string().min(1).max(64),
        quantity: z.coerce.number().int().min(1).max(1_000_000),
      }),
    );
    if (!form.ok) return redirectWith(c, `/board#machine-${id}`, 'error', t.invalidFields(form.fields));
    const { sessionId, idempotencyKey, materialId, quantity } = form.data;
    let use: { amountCents: number };
    try {
      // Issue #12: the same use case as POST /api/v1/sessions/{id}/materials (a double click charges once).
      ({ use } = await sellMaterial(useCaseContext(c.var.deps, userOf(c)), {
        sessionId,
        materialId,
        quantity,
        machineId: id.slice(0, 64),
        idempotencyKey,
      }));
    } catch (e) {
      if (e instanceof ServiceError) {
        return redirectWith(c, `/board#machine-${id}`, 'error', t.materialRefused(e.detail));
      }
      throw e;
    }
    local.notify(id);
    const material = (await listMaterials(db)).find((x) => x.id === materialId);
    const what = `${quantity} ${material?.unit ?? ''} ${material?.name ?? materialId}`.replace(/\s+/g, ' ');
    return redirectWith(
      c,
      `/board#machine-${id}`,
      'ok',
      t.materialRecorded(what, fmt.money(use.amountCents)),
    );
  });
}
