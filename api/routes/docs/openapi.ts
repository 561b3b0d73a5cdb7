/** The OpenAPI 3.1 document, generated from the routes' zod schemas (SPEC §3). */
export const OPENAPI_PATH = '/api/v1/openapi.json';

export const openApiConfig: {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
} = {
  openapi: '3.1.0',
  info: {
    title: 'Sésame API',
    version: '1.0.0',
    description:
      'Fab-lab machine access control and usage metering. JSON under /api/v1; `Authorization: Bearer <token>`. ' +
      'Amounts are integer cents, times ISO-8601 UTC. Errors are application/problem+json (RFC 9457) with ' +
      '`type`, `title`, `status`, `detail` and, for invalid fields, `errors[]` (`in`, `field`, `pointer`, `detail`). ' +
      'Unknown body fields are refused (400); bodies over the accepted size get 413.',
  },
  servers: [{ url: '/' }],
};
