import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_CLIENT, FakeHelloasso, ORG } from '../../../tests/support/fake-helloasso.ts';
import { type TestApp, testApp } from '../../../tests/support/test-app.ts';

const fake = new FakeHelloasso();
let t: TestApp;
const notify = (id: number, body: Record<string, unknown> = {}) =>
  t.call('POST', '/api/v1/integrations/helloasso/webhook', {
    token: null,
    body: { eventType: 'Payment', data: { id, amount: 1, ...body } },
  });

beforeAll(async () => {
  await fake.start();
  t = await testApp();
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

describe('HelloAsso routes', () => {
  it('answers 503 while HelloAsso is not configured', async () => {
    const r = await notify(1);
    expect(r.status).toBe(503);
    expect(r.body.detail).toMatch(/not configured/);
  });

  it('stores the settings without ever showing the secret', async () => {
    const r = await t.call('PUT', '/api/v1/settings/helloasso', {
      body: {
        baseUrl: fake.url,
        ...FAKE_CLIENT,
        organizationSlug: ORG,
        formType: 'Shop',
        formSlug: 'carte-machine',
      },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ clientId: FAKE_CLIENT.clientId, clientSecretSet: true });
    expect(r.text).not.toContain(FAKE_CLIENT.clientSecret);
    // Issue #12: the treasurer manages HelloAsso too; a trainer does not.
    const treasurer = await t.staff(['treasurer']);
    expect((await t.call('GET', '/api/v1/settings/helloasso', { token: treasurer.token })).status).toBe(200);
    const trainer = await t.staff(['trainer']);
    expect((await t.call('GET', '/api/v1/settings/helloasso', { token: trainer.token })).status).toBe(403);
    expect(
      (await t.call('PUT', '/api/v1/settings/helloasso', { token: trainer.token, body: { formSlug: 'x' } }))
        .status,
    ).toBe(403);
    expect((await t.call('PUT', '/api/v1/settings/helloasso', { body: { baseUrl: 'nope' } })).status).toBe(
      400,
    );
  });

  it('credits a notified payment once, with HelloAsso’s amount, and refreshes the machine loop', async () => {
    const r0 = await t.call('POST', '/api/v1/members', {
      body: { name: 'Camille', email: 'camille@example.org' },
    });
    const member = r0.body.id as string;
    fake.pay({ id: 11, card: 2000, email: 'camille@example.org' });
    const first = await notify(11, { amount: 99_999 });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ handled: 1, credited: 1, unknown: 0 });
    expect((await notify(11)).body).toEqual({ handled: 1, credited: 0, unknown: 0 });
    const m = await t.call('GET', `/api/v1/members/${member}`);
    expect(m.body.balanceCents).toBe(2000);
    expect(t.changes).toContainEqual({ memberIds: [member] });
    expect((await notify(777)).body).toEqual({ handled: 0, credited: 0, unknown: 1 });
    const bad = await t.call('POST', '/api/v1/integrations/helloasso/webhook', {
      token: null,
      body: '{not json',
    });
    expect(bad.status).toBe(400);
  });

  it('queues unmatched payments for the treasurer, who assigns them', async () => {
    fake.pay({ id: 12, card: 1200, email: 'nobody@example.org' });
    await notify(12);
    const treasurer = await t.staff(['treasurer']);
    const queue = await t.call('GET', '/api/v1/integrations/helloasso/payments?status=unmatched', {
      token: treasurer.token,
    });
    expect(queue.status).toBe(200);
    expect(queue.body.items).toEqual([expect.objectContaining({ paymentId: '12', amountCents: 1200 })]);
    const member = await t.member('Someone');
    const r = await t.call('POST', '/api/v1/integrations/helloasso/payments/12/assign', {
      token: treasurer.token,
      body: { memberId: member },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'credited', memberId: member });
    const again = await t.call('POST', '/api/v1/integrations/helloasso/payments/12/assign', {
      body: { memberId: member },
    });
    expect(again.status).toBe(409);
    expect(
      (
        await t.call('POST', '/api/v1/integrations/helloasso/payments/99/assign', {
          body: { memberId: member },
        })
      ).status,
    ).toBe(404);
  });

  it('syncs missed payments over a period', async () => {
    const r0 = await t.call('POST', '/api/v1/members', { body: { name: 'Léa', email: 'lea@example.org' } });
    fake.pay({ id: 13, card: 500, email: 'lea@example.org', date: '2026-06-02T10:00:00Z' });
    const r = await t.call('POST', '/api/v1/integrations/helloasso/sync', {
      body: { from: '2026-06-01', to: '2026-07-01' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ seen: 1, credited: 1 });
    expect((await t.call('GET', `/api/v1/members/${r0.body.id}`)).body.balanceCents).toBe(500);
    const s = await t.call('GET', '/api/v1/integrations/helloasso/summary?from=2026-06-01&to=2026-07-01');
    expect(s.body).toMatchObject({ payments: 1, cardCents: 500, otherCents: 0, tipCents: 0 });
    const member = await t.call(
      'GET',
      '/api/v1/integrations/helloasso/summary?from=2026-06-01&to=2026-07-01',
      {
        token: (await t.staff(['trainer'])).token,
      },
    );
    expect(member.status).toBe(403);
    expect((await t.call('GET', '/api/v1/integrations/helloasso/summary?from=x&to=y')).status).toBe(400);
  });
});
