/**
 * Issue #9 item 11: a treasurer adjustment may not push a card below the lowest machine floor
 * (−the largest overdraftLimitCents) unless it says so ("override": true), and the override is
 * audited. The dashboard's correction form asks for the same confirmation. Real server,
 * bearer API, and the form in Chromium.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signIn, staffWithPassword } from '../dashboard/support.ts';
import { createMachine, createMember } from '../support/lab.ts';
import { startSystem, type TestSystem } from '../support/system.ts';

let sys: TestSystem;
let treasurerToken: string;

const adjust = (memberId: string, body: Record<string, unknown>, token?: string, key = crypto.randomUUID()) =>
  sys.api('POST', `/members/${memberId}/adjustments`, body, {
    'idempotency-key': key,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });
const balance = async (memberId: string) => (await sys.api('GET', `/members/${memberId}`)).body.balanceCents;

beforeAll(async () => {
  sys = await startSystem();
  await createMachine(sys, 'laser-floor', { overdraftLimitCents: 500 });
  await createMachine(sys, 'door-floor', { pricePerMinuteCents: 0, minimumChargeCents: 0 });
  const t = await sys.api('POST', '/staff', {
    name: 'Tréso',
    email: `${crypto.randomUUID()}@example.org`,
    roles: ['treasurer'],
    trainerOf: [],
  });
  treasurerToken = t.body.token;
});
afterAll(async () => {
  await sys?.stop();
});

describe('adjustments below the lowest machine floor (issue #9)', () => {
  it('refuses an unconfirmed one with 409 saying what to do, and changes nothing', async () => {
    const m = await createMember(sys, { creditCents: 1000 });
    const r = await adjust(m.id, { amountCents: -100_000, reason: 'erreur de saisie' }, treasurerToken);
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/below the lowest machine floor \(-500 c/);
    expect(r.body.detail).toMatch(/"override": true/);
    expect(await balance(m.id)).toBe(1000);
    // Down to the floor itself is an ordinary adjustment.
    const ok = await adjust(m.id, { amountCents: -1500, reason: 'correction' }, treasurerToken);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.balanceCents).toBe(-500);
    expect((await adjust(m.id, { amountCents: -1, reason: 'un de trop' }, treasurerToken)).status).toBe(409);
  });

  it('accepts a confirmed one, idempotently, and writes the override in the audit log', async () => {
    const m = await createMember(sys, { creditCents: 1000 });
    const key = crypto.randomUUID();
    const body = { amountCents: -100_000, reason: 'dette reprise du tableur', override: true };
    const r = await adjust(m.id, body, treasurerToken, key);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.balanceCents).toBe(-99_000);
    const again = await adjust(m.id, body, treasurerToken, key);
    expect(again.body.transactionId).toBe(r.body.transactionId);
    expect(await balance(m.id)).toBe(-99_000);
    const audit = await sys.api('GET', `/audit?entity=member&entityId=${m.id}`);
    const entry = audit.body.items.find((e: { action: string }) => e.action === 'adjustment');
    expect(entry.after).toMatchObject({
      override: true,
      floorCents: -500,
      reason: 'dette reprise du tableur',
    });
    // Credit back on a card below every floor is never refused.
    expect((await adjust(m.id, { amountCents: 100, reason: 'geste' }, treasurerToken)).status).toBe(201);
  });

  it('keeps role checks: a member token may not adjust', async () => {
    const m = await createMember(sys, { creditCents: 1000 });
    const token = (await sys.api('POST', `/members/${m.id}/tokens`, {})).body.token;
    const r = await adjust(m.id, { amountCents: -100_000, reason: 'x', override: true }, token);
    expect(r.status).toBe(403);
    expect(await balance(m.id)).toBe(1000);
  });
});

describe("the dashboard's correction form (issue #9)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('asks for the same confirmation before going below the floor', async () => {
    const m = await createMember(sys, { creditCents: 1000 });
    const treasurer = await staffWithPassword(sys, ['treasurer']);
    const page = await (await browser.newContext()).newPage();
    await signIn(page, sys.baseUrl, treasurer.email);
    const fill = async (confirm: boolean) => {
      await page.goto(`${sys.baseUrl}/members/${m.id}`);
      await page.locator('#correct-kind').selectOption('adjustment');
      await page.locator('#correct-amount').fill('-1000');
      await page.locator('#correct-reason').fill('dette reprise');
      if (confirm) await page.getByLabel(/Je confirme/).check();
      await page.getByRole('button', { name: 'Enregistrer l’opération' }).click();
      await page.waitForLoadState('domcontentloaded');
    };
    await fill(false);
    await expect
      .poll(() => page.locator('[role=alert], .flash').first().textContent())
      .toContain('sous le plancher le plus bas des machines');
    expect(await balance(m.id)).toBe(1000);
    await fill(true);
    expect(await balance(m.id)).toBe(-99_000);
  }, 120_000);
});
