/** SPEC §3 /members: create, search, read (staff or the member), update, member tokens. */
import { z } from '@hono/zod-openapi';
import { audit } from '../../../application/audit.ts';
import { actorOf, issueToken } from '../../../application/auth.ts';
import {
  createMember,
  editMember,
  reactivateMember,
  suspendMember,
} from '../../../application/member-use-cases.ts';
import { findMember, listMembers, memberDetail } from '../../../application/members.ts';
import { renewMemberships } from '../../../application/membership-renewal.ts';
import { setPassword } from '../../../application/passwords.ts';
import { useCaseContext } from '../../../application/use-case.ts';
import { MEMBER_STATUSES } from '../../../core/domain.ts';
import { Problem } from '../../../web/problem.ts';
import type { App } from '../../http/context.ts';
import { ADMIN, STAFF } from '../../http/guard.ts';
import { defineRoute, idParam, jsonBody, jsonResponse, pagination } from '../../http/route.ts';
import {
  createMemberBody,
  dates,
  emptyBody,
  memberDetailSchema,
  memberListSchema,
  passwordBody,
  reasonBody,
  renewBody,
  renewResultSchema,
  updateMemberBody,
} from './schemas.ts';

const tags = ['members'];

const create = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/members',
  tags,
  summary: 'Create a member',
  request: { body: jsonBody(createMemberBody) },
  responses: { 201: jsonResponse('The member', memberDetailSchema) },
});

const list = defineRoute(STAFF, {
  method: 'get',
  path: '/api/v1/members',
  tags,
  summary: 'Search members by name or email',
  request: {
    query: z
      .object({
        q: z.string().trim().max(200).optional().openapi({ description: 'part of the name or email' }),
        status: z.enum(MEMBER_STATUSES).optional(),
        ...pagination,
      })
      .strict(),
  },
  responses: { 200: jsonResponse('A page of members', memberListSchema) },
});

const me = defineRoute(
  { roles: ['admin', 'trainer', 'treasurer', 'member'] },
  {
    method: 'get',
    path: '/api/v1/members/me',
    tags,
    summary: "The caller's own member record",
    description:
      'For a member token, their account; for staff, the member record linked to their account (404 if none).',
    responses: { 200: jsonResponse('The member', memberDetailSchema) },
  },
);

const read = defineRoute(
  { roles: ['admin', 'trainer', 'treasurer'], selfParam: 'id' },
  {
    method: 'get',
    path: '/api/v1/members/{id}',
    tags,
    summary: 'Read a member with balance, certifications and badges',
    request: { params: idParam },
    responses: { 200: jsonResponse('The member', memberDetailSchema) },
  },
);

const update = defineRoute(ADMIN, {
  method: 'patch',
  path: '/api/v1/members/{id}',
  tags,
  summary: 'Change a member (name, email, status, membership end, category, birth year)',
  request: { params: idParam, body: jsonBody(updateMemberBody) },
  responses: { 200: jsonResponse('The member', memberDetailSchema) },
});

const suspend = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/members/{id}/suspend',
  tags,
  summary: 'Suspend a member, with a reason: their badges are refused at every machine (issue #12)',
  request: { params: idParam, body: jsonBody(reasonBody) },
  responses: { 200: jsonResponse('The member', memberDetailSchema) },
});

const reactivate = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/members/{id}/reactivate',
  tags,
  summary: 'Lift a suspension, with a reason (the membership end date still applies)',
  request: { params: idParam, body: jsonBody(reasonBody) },
  responses: { 200: jsonResponse('The member', memberDetailSchema) },
});

const renew = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/members/renewals',
  tags,
  summary: 'Renew memberships until a last day (inclusive), for members by id and/or e-mail',
  description:
    'A membership already running past that day is left as it is; an "expired" status becomes active again, a suspension stays. Unknown ids and e-mails are listed, not refused.',
  request: { body: jsonBody(renewBody) },
  responses: { 200: jsonResponse('What was renewed', renewResultSchema) },
});

const token = defineRoute(ADMIN, {
  method: 'post',
  path: '/api/v1/members/{id}/tokens',
  tags,
  summary: 'Issue an API token for this member alone (shown once)',
  request: { params: idParam, body: jsonBody(emptyBody, false) },
  responses: {
    201: jsonResponse(
      'The token: store it now, it is never shown again',
      z.object({ token: z.string(), tokenId: z.string() }),
    ),
  },
});

const password = defineRoute(
  { roles: ['admin'], selfParam: 'id' },
  {
    method: 'put',
    path: '/api/v1/members/{id}/password',
    tags,
    summary: "Set a member's dashboard password (admin or the member)",
    request: { params: idParam, body: jsonBody(passwordBody) },
    responses: { 204: { description: 'Password set; the member’s web sessions are ended' } },
  },
);

const who = (m: { id: string; name: string; email: string; before: Date | null }) => ({
  ...m,
  before: m.before?.toISOString() ?? null,
});

export function registerMemberRoutes(app: App): void {
  app.openapi(create, async (c) => {
    const { db, now } = c.var.deps;
    const ctx = useCaseContext(c.var.deps, c.var.principal);
    const member = await createMember(ctx, dates(c.req.valid('json')));
    return c.json(await memberDetail(db, member.id, now()), 201);
  });

  app.openapi(list, async (c) => c.json(await listMembers(c.var.deps.db, c.req.valid('query')), 200));

  app.openapi(me, async (c) => {
    const p = c.var.principal;
    if (p.memberId === null) {
      throw new Problem(404, 'Your staff account has no member record; an admin can link one.');
    }
    return c.json(await memberDetail(c.var.deps.db, p.memberId, c.var.deps.now()), 200);
  });

  app.openapi(read, async (c) => {
    const { db, now } = c.var.deps;
    return c.json(await memberDetail(db, c.req.valid('param').id, now()), 200);
  });

  app.openapi(update, async (c) => {
    const { db, now } = c.var.deps;
    const { id } = c.req.valid('param');
    await editMember(useCaseContext(c.var.deps, c.var.principal), {
      memberId: id,
      ...dates(c.req.valid('json')),
    });
    return c.json(await memberDetail(db, id, now()), 200);
  });

  app.openapi(suspend, async (c) => {
    const { db, now } = c.var.deps;
    const { id } = c.req.valid('param');
    await suspendMember(useCaseContext(c.var.deps, c.var.principal), {
      memberId: id,
      ...c.req.valid('json'),
    });
    return c.json(await memberDetail(db, id, now()), 200);
  });

  app.openapi(reactivate, async (c) => {
    const { db, now } = c.var.deps;
    const { id } = c.req.valid('param');
    await reactivateMember(useCaseContext(c.var.deps, c.var.principal), {
      memberId: id,
      ...c.req.valid('json'),
    });
    return c.json(await memberDetail(db, id, now()), 200);
  });

  app.openapi(renew, async (c) => {
    const r = await renewMemberships(useCaseContext(c.var.deps, c.var.principal), c.req.valid('json'));
    return c.json(
      {
        ...r,
        until: r.until.toISOString(),
        renewed: r.renewed.map(who),
        unchanged: r.unchanged.map(who),
      },
      200,
    );
  });

  app.openapi(token, async (c) => {
    const { db } = c.var.deps;
    const { id } = c.req.valid('param');
    const result = await db.transaction(async (tx) => {
      await findMember(tx, id);
      const issued = await issueToken(tx, { memberId: id });
      await audit(tx, {
        actor: actorOf(c.var.principal),
        action: 'issue_token',
        entity: 'member',
        entityId: id,
        after: { tokenId: issued.id },
      });
      return issued;
    });
    return c.json({ token: result.token, tokenId: result.id }, 201);
  });

  app.openapi(password, async (c) => {
    const { db, now } = c.var.deps;
    const { id } = c.req.valid('param');
    await setPassword(db, actorOf(c.var.principal), { memberId: id }, c.req.valid('json').password, now());
    return c.body(null, 204);
  });
}
