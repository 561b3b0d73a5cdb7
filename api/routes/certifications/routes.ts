/** SPEC §3 POST /members/{id}/certifications (admin, trainer of it) and revocation. */
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../../application/auth.ts';
import { certify, revokeCertification } from '../../../application/certifications.ts';
import type { App } from '../../http/context.ts';
import { defineRoute, idParam, isoDate, jsonBody, jsonResponse, slug } from '../../http/route.ts';

const tags = ['certifications'];
const TRAINERS = { roles: ['admin', 'trainer'] } as const;

const certificationSchema = z
  .object({
    id: z.string(),
    memberId: z.string(),
    qualificationId: z.string(),
    certifiedBy: z.string().nullable(),
    certifiedAt: z.string(),
    expiresAt: z.string(),
    revokedAt: z.string().nullable(),
    revokedBy: z.string().nullable(),
    revokeReason: z.string().nullable(),
    valid: z.boolean(),
  })
  .openapi('Certification');

const create = defineRoute(TRAINERS, {
  method: 'post',
  path: '/api/v1/members/{id}/certifications',
  tags,
  summary: 'Certify a member for a qualification',
  description:
    'Default expiry: now + the qualification’s validityDays. expiresAt may lie in the past (history). ' +
    'A trainer may certify only for qualifications they are trainer of (else 403). ' +
    'The qualification’s prerequisites must be held and valid, else 409 naming the missing ones.',
  request: {
    params: idParam,
    body: jsonBody(
      z.object({ qualificationId: slug, expiresAt: isoDate.optional() }).strict().openapi('Certify'),
    ),
  },
  responses: { 201: jsonResponse('The certification', certificationSchema) },
});

const revoke = defineRoute(TRAINERS, {
  method: 'post',
  path: '/api/v1/certifications/{id}/revoke',
  tags,
  summary: 'Revoke a certification, with a reason',
  request: {
    params: idParam,
    body: jsonBody(
      z
        .object({ reason: z.string().trim().min(1, 'say why').max(500) })
        .strict()
        .openapi('RevokeCertification'),
    ),
  },
  responses: { 200: jsonResponse('The certification', certificationSchema) },
});

export function registerCertificationRoutes(app: App): void {
  app.openapi(create, async (c) => {
    const { db, now, loop } = c.var.deps;
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const p = c.var.principal;
    const result = await certify(
      db,
      p,
      actorOf(p),
      id,
      {
        qualificationId: body.qualificationId,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined,
      },
      now(),
    );
    loop.changed({ memberIds: [id] });
    return c.json(result, 201);
  });

  app.openapi(revoke, async (c) => {
    const { db, now, loop } = c.var.deps;
    const p = c.var.principal;
    const result = await revokeCertification(
      db,
      p,
      actorOf(p),
      c.req.valid('param').id,
      c.req.valid('json').reason,
      now(),
    );
    loop.changed({ memberIds: [result.memberId] });
    return c.json(result, 200);
  });
}
