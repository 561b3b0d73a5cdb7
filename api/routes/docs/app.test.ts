import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metrics } from '../../../logging/metrics.ts';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';
import { assertEveryRouteGuarded } from '../../app.ts';
import type { AppEnv } from '../../http/context.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ maxBodyBytes: 2048 });
});
afterAll(async () => {
  await t.close();
});

const SPEC_ROUTES = [
  ['post', '/api/v1/staff'],
  ['post', '/api/v1/members'],
  ['get', '/api/v1/members/{id}'],
  ['post', '/api/v1/members/{id}/badges'],
  ['post', '/api/v1/members/{id}/tokens'],
  ['post', '/api/v1/qualifications'],
  ['post', '/api/v1/machines'],
  ['get', '/api/v1/machines/{id}'],
  ['post', '/api/v1/machines/{id}/devices'],
  ['post', '/api/v1/members/{id}/certifications'],
  ['post', '/api/v1/members/{id}/topups'],
  ['get', '/api/v1/sessions'],
  ['get', '/api/v1/reports/cards'],
  ['get', '/api/v1/exports/fec'],
] as const;

describe('OpenAPI document and docs', () => {
  it('serves an OpenAPI 3.1 JSON document listing every SPEC route', async () => {
    const r = await t.call('GET', '/api/v1/openapi.json', { token: null });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    expect(r.body.openapi).toMatch(/^3\.1\./);
    for (const [method, path] of SPEC_ROUTES) {
      expect(r.body.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    const topups = r.body.paths['/api/v1/members/{id}/topups'].post;
    expect(topups.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    expect(r.body.components.schemas.Problem).toBeDefined();
  });

  it('renders /api/docs as a self-contained HTML page', async () => {
    const r = await t.call('GET', '/api/docs', { token: null });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.text).toContain('/api/v1/members/{id}/topups');
    expect(r.text).not.toMatch(/<script[^>]+src=/);
    expect(r.text).toContain('id="problem-conflict"');
  });
});

describe('deny by default', () => {
  it('serves the allow-list public key without a token', async () => {
    const r = await t.call('GET', '/api/v1/allowlist-key', { token: null });
    expect(r.status).toBe(200);
    expect(r.body.publicKey).toContain('BEGIN PUBLIC KEY');
    expect(r.body.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('answers 401 without a token on every documented route except login', async () => {
    const doc = (await t.call('GET', '/api/v1/openapi.json', { token: null })).body;
    let checked = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) {
        // The only public routes: logging in, the allow-list public key (a public key), and
        // HelloAsso's notification URL (issue #5: it re-fetches the payment, trusting no body).
        if (
          path === '/api/v1/auth/login' ||
          path === '/api/v1/allowlist-key' ||
          path === '/api/v1/integrations/helloasso/webhook'
        )
          continue;
        const url = path.replace(/\{[^}]+\}/g, 'x');
        const r = await t.call(method.toUpperCase(), url, { token: null });
        expect(r.status, `${method} ${path}`).toBe(401);
        expect(r.body.detail).toBeTruthy();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('refuses to build an app with an unguarded /api/v1 route', () => {
    const app = new OpenAPIHono<AppEnv>();
    app.get('/api/v1/open-door', (c) => c.text('oops'));
    expect(() => assertEveryRouteGuarded(app)).toThrow(/no access guard/);
  });
});

describe('problem+json', () => {
  it('answers 413 for a body over the limit', async () => {
    const r = await t.call('POST', '/api/v1/members', { body: { name: 'x'.repeat(5000), email: 'a@b.org' } });
    expect(r.status).toBe(413);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ status: 413, detail: expect.stringMatching(/2048/) });
  });

  it('answers 404 problem for an unknown route', async () => {
    const r = await t.call('GET', '/api/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({
      type: expect.any(String),
      title: 'Not found',
      status: 404,
      detail: expect.any(String),
    });
  });
});

describe('/healthz and /metrics', () => {
  it('reports ready with the database checked', async () => {
    const r = await t.call('GET', '/healthz', { token: null });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok', db: 'ok', mqtt: 'ok', mqttPort: null });
  });

  it('exposes request counts by route and status, and custom metrics', async () => {
    await t.call('GET', '/api/v1/machines/nope');
    metrics.counter('test_widgets_total', 'widgets made in tests').inc({ colour: 'blue' }, 2);
    const h = metrics.histogram('test_latency_seconds', 'a test histogram', [0.1, 1]);
    h.observe(0.05);
    const r = await t.call('GET', '/metrics', { token: null });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    expect(r.text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/v1\/machines\/:id",status="404"\} \d+/,
    );
    expect(r.text).toContain('test_widgets_total{colour="blue"} 2');
    expect(r.text).toContain('test_latency_seconds_bucket{le="0.1"} 1');
    expect(r.text).toContain('test_latency_seconds_count 1');
  });
});
