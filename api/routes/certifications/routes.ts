/** SPEC §3 POST /members/{id}/certifications (admin, trainer of it) and revocation. */
import { z } from '@hono/zod-openapi';
import { certify, revokeCertification } from '../../../application/certifications.ts';
import { useCaseContext } from '../../../application/use-case.ts';
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
  // Issue #12: the routes translate HTTP; the use cases check the trainer, write, audit, notify.
  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const result = await certify(useCaseContext(c.var.deps, c.var.principal), {
      memberId: c.req.valid('param').id,
      qualificationId: body.qualificationId,
      ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt) } : {}),
    });
    return c.json(result, 201);
  });

  app.openapi(revoke, async (c) => {
    const result = await revokeCertification(useCaseContext(c.var.deps, c.var.principal), {
      certificationId: c.req.valid('param').id,
      reason: c.req.valid('json').reason,
    });
    return c.json(result, 200);
  });
}
