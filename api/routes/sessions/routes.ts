/** SPEC §3 GET /sessions (staff; members their own), one session, and the operator's stop. */
import { z } from '@hono/zod-openapi';
import type { App } from '../../http/context.ts';
import { ADMIN } from '../../http/guard.ts';
import { Problem } from '../../http/problem.ts';
import { defineRoute, idParam, isoDate, jsonBody, jsonResponse, pagination } from '../../http/route.ts';
import { audit } from '../../services/audit.ts';
import { actorOf } from '../../services/auth.ts';
import { getSession, listSessions, openSession } from '../../services/sessions.ts';
import { emptyBody } from '../members/schemas.ts';

const tags = ['sessions'];
const ANYONE = { roles: ['admin', 'trainer', 'treasurer', 'member'] } as const;

const sessionSchema = z
  .object({
    id: z.string(),
    machineId: z.string(),
    memberId: z.string(),
    badgeId: z.string().nullable(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    runningSeconds: z.number().int(),
    dueCents: z.number().int().openapi({ description: 'what the charge formula gives for runningSeconds' }),
    chargedCents: z.number().int().openapi({ description: 'what was actually debited' }),
    endReason: z.string().nullable(),
    lastEventAt: z.string(),
    offline: z.boolean(),
  })
  .openapi('Session');

const list = defineRoute(ANYONE, {
  method: 'get',
  path: '/api/v1/sessions',
  tags,
  summary: 'List machine sessions, newest first',
  description: 'A member token sees only its own sessions (asking for another member → 403).',
  request: {
    query: z
      .object({
        // An empty value (`?machine=&member=`) means no filter.
        machine: z.string().max(64).optional(),
        member: z.string().max(200).optional(),
        from: isoDate.or(z.literal('')).optional().openapi({ description: 'started at or after' }),
        to: isoDate.or(z.literal('')).optional().openapi({ description: 'started before' }),
        open: z.enum(['true', 'false', '']).optional().openapi({ description: 'true: only open sessions' }),
        ...pagination,
      })
      .strict(),
  },
  responses: {
    200: jsonResponse(
      'A page of sessions',
      z.object({
        items: z.array(sessionSchema),
        total: z.number().int(),
        limit: z.number().int(),
        offset: z.number().int(),
      }),
    ),
  },
});

const read = defineRoute(ANYONE, {
  method: 'get',
  path: '/api/v1/sessions/{id}',
  tags,
  summary: 'Read a session (members: their own)',
  request: { params: idParam },
  responses: { 200: jsonResponse('The session', sessionSchema) },
});

const end = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/sessions/{id}/end',
  tags,
  summary: 'Stop an open session: the board gets a lock command',
  description:
    'The session ends when the board reports `end` (reason `command`); 409 if it has already ended.',
  request: { params: idParam, body: jsonBody(emptyBody, false) },
  responses: {
    202: jsonResponse(
      'Lock sent',
      z.object({ sessionId: z.string(), machineId: z.string(), lockRequested: z.literal(true) }),
    ),
  },
});

export function registerSessionRoutes(app: App): void {
  app.openapi(list, async (c) => {
    const raw = c.req.valid('query');
    const q = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k, v === '' ? undefined : v]),
    ) as typeof raw;
    const p = c.var.principal;
    if (p.kind === 'member' && q.member !== undefined && q.member !== p.memberId) {
      throw new Problem(403, 'A member may list only their own sessions; drop the member filter.');
    }
    const member = p.kind === 'member' ? p.memberId : q.member;
    const page = await listSessions(c.var.deps.db, {
      ...q,
      member,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      open: q.open === undefined ? undefined : q.open === 'true',
    });
    return c.json(page, 200);
  });

  app.openapi(read, async (c) => {
    const session = await getSession(c.var.deps.db, c.req.valid('param').id);
    const p = c.var.principal;
    if (p.kind === 'member' && session.memberId !== p.memberId) {
      throw new Problem(403, 'A member may read only their own sessions.');
    }
    return c.json(session, 200);
  });

  app.openapi(end, async (c) => {
    const { db, loop } = c.var.deps;
    const session = await openSession(db, c.req.valid('param').id);
    await loop.lock(session.machineId, 'operator', session.id);
    await audit(db, {
      actor: actorOf(c.var.principal),
      action: 'end_session',
      entity: 'session',
      entityId: session.id,
      after: { machineId: session.machineId, lockRequested: true },
    });
    return c.json({ sessionId: session.id, machineId: session.machineId, lockRequested: true as const }, 202);
  });
}
