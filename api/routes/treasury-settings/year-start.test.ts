import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

// Issue #11 item 6: the financial year's first day, MM-DD, default 01-01.
describe('PUT /api/v1/settings/accounting yearStart', () => {
  it('defaults to 01-01 and keeps a valid day', async () => {
    expect((await t.call('GET', '/api/v1/settings/accounting')).body.yearStart).toBe('01-01');
    const r = await t.call('PUT', '/api/v1/settings/accounting', { body: { yearStart: '09-01' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ yearStart: '09-01', memberCards: '4191' });
    expect((await t.call('GET', '/api/v1/settings/accounting')).body.yearStart).toBe('09-01');
  });

  it.each(['02-29', '13-01', '2026-09-01', '9-1', '', 'x'.repeat(5000)])(
    'refuses %s and changes nothing',
    async (yearStart) => {
      const r = await t.call('PUT', '/api/v1/settings/accounting', { body: { yearStart } });
      expect(r.status).toBe(400);
      expect((await t.call('GET', '/api/v1/settings/accounting')).body.yearStart).toBe('09-01');
    },
  );

  it('is the treasurer’s and admin’s only', async () => {
    const trainer = await t.staff(['trainer']);
    const r = await t.call('PUT', '/api/v1/settings/accounting', {
      token: trainer.token,
      body: { yearStart: '03-01' },
    });
    expect(r.status).toBe(403);
    expect((await t.call('GET', '/api/v1/settings/accounting')).body.yearStart).toBe('09-01');
  });
});
