/**
 * The dashboard's refusals as pages in the visitor's language (outsider's check, issue #12):
 * a mistyped address (404, the API keeps problem+json), an oversized form (413, still
 * `Connection: close`), a form from another site (403, says why and what to do). Real app,
 * real PGlite/PostgreSQL, through app.request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/test-app.ts';

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t?.close?.();
});

const get = (path: string, headers: Record<string, string> = {}) => t.app.request(path, { headers });

describe('a mistyped address', () => {
  it('answers the dashboard page in French by default', async () => {
    const res = await get('/admin/backups');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('Introuvable');
    expect(html).toContain('lang="fr"');
    expect(html).not.toMatch(/No route|problem/);
  });

  it('answers in English with ?lang=en or the language cookie', async () => {
    for (const res of [
      await get('/admin/backups?lang=en'),
      await get('/nowhere/at/all', { cookie: 'sesame_lang=en' }),
    ]) {
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain('Not found');
      expect(html).toContain('lang="en"');
    }
  });

  it('keeps problem+json under /api/', async () => {
    for (const path of ['/api/v1/nowhere', '/api/nowhere', '/api']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
    }
  });
});

describe('an oversized form', () => {
  const big = `email=a%40b.org&password=${'x'.repeat(100_000)}`;
  it.each([
    ['fr', '', 'Formulaire trop volumineux'],
    ['en', '?lang=en', 'Form too large'],
  ])('is a 413 page in %s with Connection: close, and nobody is signed in', async (_, q, title) => {
    const res = await t.app.request(`/sign-in${q}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(big.length),
      },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain(title);
    expect(res.headers.get('set-cookie') ?? '').not.toMatch(/session/);
  });
});

describe('a form from another site', () => {
  it.each([
    ['fr', '', 'depuis un autre site', 'Rechargez la page depuis Sésame'],
    ['en', '?lang=en', 'from a site other than Sésame', 'Reload the page from Sésame'],
  ])('says why (%s), changes nothing', async (_, q, why, what) => {
    const before = (await t.call('GET', '/api/v1/staff')).body;
    const form = 'name=Evil&email=evil%40example.org&roles=admin';
    const res = await t.app.request(`/admin/staff${q}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
        'content-length': String(form.length),
      },
      body: form,
    });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain(why);
    expect(html).toContain(what);
    expect(html).not.toContain('ne permet pas d’ouvrir');
    expect((await t.call('GET', '/api/v1/staff')).body).toEqual(before);
  });
});
