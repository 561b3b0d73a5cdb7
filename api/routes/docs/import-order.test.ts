import { describe, expect, it } from 'vitest';

describe('module load order', () => {
  it('builds the app and its OpenAPI document when core and env load before @hono/zod-openapi', async () => {
    // npm start loads env.ts (which imports core/ids.ts) before any route module.
    await import('../../../server/env.ts');
    const { createApp } = await import('../../../server/http-app.ts');
    const { noMachineLoop } = await import('../../../application/ports/machine-loop.ts');
    const app = createApp({ db: {} as never, keys: {} as never, loop: noMachineLoop });
    const r = await app.request('/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(((await r.json()) as { paths: object }).paths).toHaveProperty(['/api/v1/machines']);
  });
});
