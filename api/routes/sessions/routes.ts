/** SPEC §3 GET /sessions (staff; members their own), one session, and the operator's stop. */
import { z } from '@hono/zod-openapi';
import { listMaterialUses } from '../../../application/lab-practices.ts';
import { stopSession } from '../../../application/machine-use-cases.ts';
import { sellMaterial } from '../../../application/material-sales.ts';
import { getSession, listSessions } from '../../../application/sessions.ts';
import { useCaseContext } from '../../../application/use-case.ts';
import { Problem } from '../../../web/problem.ts';
import type { App } from '../../http/context.ts';
import { ADMIN } from '../../http/guard.ts';
import { defineRoute, idParam, isoDate, jsonBody, jsonResponse, pagination } from '../../http/route.ts';
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
    idleSeconds: z.number().int().openapi({ description: 'unlocked but not running (issue #6)' }),
    materialsCents: z.number().int().openapi({ description: 'materials charged in this session (issue #6)' }),
    supervisedBy: z.string().nullable().openapi({ description: 'the supervising staff (issue #6)' }),
  })
  .openapi('Session');

const materialUseSchema = z
  .object({
    id: z.string(),
    sessionId: z.string(),
    materialId: z.string(),
    quantity: z.number().int(),
    amountCents: z.number().int(),
    recordedBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('MaterialUse');

const sessionDetailSchema = sessionSchema
  .extend({ materials: z.array(materialUseSchema) })
  .openapi('SessionDetail');

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
  responses: { 200: jsonResponse('The session, with the materials charged in it', sessionDetailSchema) },
});

const recordMaterial = defineRoute(ANYONE, {
  method: 'post',
  path: '/api/v1/sessions/{id}/materials',
  tags,
  summary: 'Charge material used in a session (grams of filament, ml of resin, sheets)',
  description:
    "Issue #6: staff, or the member for their own session. Charged to the session's member and posted to material sales; 409 if the card cannot pay it down to the machine's overdraft floor. An optional Idempotency-Key makes a retry charge once.",
  request: {
    params: idParam,
    headers: z.object({
      'Idempotency-Key': z
        .string()
        .trim()
        .min(1)
        .max(200)
        .optional()
        .openapi({
          param: { name: 'Idempotency-Key', in: 'header' },
          example: '6f1c8f1e-3b1c-4f6e-9a57-0d6c2f7d2a10',
        }),
    }),
    body: jsonBody(
      z
        .object({
          materialId: z.string().min(1).max(64),
          quantity: z.number().int().min(1).max(1_000_000),
        })
        .strict()
        .openapi('RecordMaterial'),
    ),
  },
  responses: { 201: jsonResponse('The material use', materialUseSchema) },
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
    const { db } = c.var.deps;
    const session = await getSession(db, c.req.valid('param').id);
    const p = c.var.principal;
    if (p.kind === 'member' && session.memberId !== p.memberId) {
      throw new Problem(403, 'A member may read only their own sessions.');
    }
    return c.json({ ...session, materials: await listMaterialUses(db, session.id) }, 200);
  });

  app.openapi(recordMaterial, async (c) => {
    // Issue #12: the use case checks whose session it is, charges once per key, audits, notifies.
    const key = c.req.header('idempotency-key')?.trim();
    const { use, replayed } = await sellMaterial(useCaseContext(c.var.deps, c.var.principal), {
      sessionId: c.req.valid('param').id,
      ...c.req.valid('json'),
      ...(key ? { idempotencyKey: key.slice(0, 200) } : {}),
    });
    c.header('idempotent-replayed', String(replayed));
    return c.json(use as unknown as z.infer<typeof materialUseSchema>, 201);
  });

  app.openapi(end, async (c) => {
    // Issue #12: the use case locks, audits (one place for the API and the board's button).
    const ctx = useCaseContext(c.var.deps, c.var.principal);
    return c.json(await stopSession(ctx, { sessionId: c.req.valid('param').id }), 202);
  });
}
