/**
 * The HelloAsso pages in Chromium (issues #11, #12): "not configured" with a link instead of
 * "no payment waiting", the settings page with its connection test told in words, the
 * payments page showing chargebacks, other items and HelloAsso's tips; abuse attempts change
 * nothing. The fake HelloAsso (rebuilt from their published documents) listens on loopback.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_CLIENT, FakeHelloasso, ORG } from '../support/fake-helloasso.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { expectAccessible, launchBrowser, screenshot, signIn, staffWithPassword } from './support.ts';

const fake = new FakeHelloasso();
let sys: TestSystem;
let browser: Browser;

beforeAll(async () => {
  await fake.start();
  // The API address comes from the environment (HELLOASSO_BASE_URL), as on a server behind a proxy.
  [sys, browser] = await Promise.all([
    startSystem({ env: { HELLOASSO_BASE_URL: fake.url } }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
  await fake.stop();
});

async function signedIn(roles: string[], viewport = { width: 1280, height: 900 }) {
  const staff = await staffWithPassword(sys, roles, { name: `Équipe ${roles.join(' ')}` });
  const context: BrowserContext = await browser.newContext({ viewport });
  const page: Page = await context.newPage();
  await signIn(page, sys.baseUrl, staff.email);
  return { context, page };
}

const flash = (page: Page) => page.locator('.flash').first().textContent();
const settings = async () => (await sys.api('GET', '/settings/helloasso')).body;

describe('HelloAsso pages', () => {
  it('says HelloAsso is not configured, links to the settings, and the connection test says what is wrong', async () => {
    const { context, page } = await signedIn(['treasurer']);
    await page.goto(`${sys.baseUrl}/treasurer/helloasso`);
    await page.getByText('HelloAsso n’est pas configuré').waitFor();
    expect(await page.getByText('Aucun paiement en attente.').count()).toBe(0);
    await expectAccessible(page, 'helloasso not configured');
    await page.getByRole('link', { name: 'Configurer HelloAsso' }).click();
    await page.getByRole('heading', { name: 'Réglages HelloAsso' }).waitFor();
    await expectAccessible(page, 'helloasso settings');

    await page.getByRole('button', { name: 'Tester la connexion' }).click();
    expect(await flash(page)).toMatch(/Test impossible : il manque identifiant client, secret client/);

    await page.getByLabel('Identifiant client (client id)').fill(FAKE_CLIENT.clientId);
    await page.getByLabel('Secret client (client secret)').fill('not-the-secret');
    await page.getByLabel('Nom de l’association dans les adresses HelloAsso').fill(ORG);
    await page.getByLabel('Nom du formulaire dans son adresse').fill('carte-machine');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    expect(await flash(page)).toMatch(/Réglages HelloAsso enregistrés\./);
    await page.getByRole('button', { name: 'Tester la connexion' }).click();
    expect(await flash(page)).toMatch(
      /HelloAsso refuse l’identifiant client ou le secret \(erreur HTTP 400\)/,
    );

    await page.getByLabel('Secret client (client secret)').fill(FAKE_CLIENT.clientSecret);
    await page.getByLabel('Nom de l’association dans les adresses HelloAsso').fill('une-autre-asso');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('button', { name: 'Tester la connexion' }).click();
    expect(await flash(page)).toMatch(/Identifiants acceptés, mais ce formulaire est introuvable/);

    await page.getByLabel('Nom de l’association dans les adresses HelloAsso').fill(ORG);
    await page.getByLabel('Nom de l’article « carte machine » sur ce formulaire').fill('Carte machine');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    // The secret field stays empty on the page and keeps the stored secret.
    expect(await page.getByLabel('Secret client (client secret)').inputValue()).toBe('');
    expect(await page.content()).not.toContain(FAKE_CLIENT.clientSecret);
    await page.getByRole('button', { name: 'Tester la connexion' }).click();
    expect(await flash(page)).toMatch(
      /Connexion réussie : HelloAsso a accepté les identifiants.*\(0 paiement\)/,
    );
    await screenshot(page, 'helloasso-settings');
    expect(await settings()).toMatchObject({
      organizationSlug: ORG,
      itemName: 'Carte machine',
      clientSecretSet: true,
    });

    // English too.
    await page.goto(`${sys.baseUrl}/treasurer/helloasso/settings?lang=en`);
    await page.getByRole('button', { name: 'Test the connection' }).click();
    expect(await flash(page)).toMatch(/Connection works/);
    await page.goto(`${sys.baseUrl}/treasurer/helloasso?lang=fr`);
    await context.close();
  });

  it('shows what HelloAsso collected: card share, other items, tips, and a chargeback flagged', async () => {
    const member = await sys.api('POST', '/members', { name: 'Inès Payeuse', email: 'ines@example.org' });
    expect(member.status).toBe(201);
    const today = new Date().toISOString();
    fake.pay({
      id: 7001,
      card: 3000,
      tip: 250,
      others: [{ name: 'Adhésion 2026', type: 'Membership', cents: 1500 }],
      email: 'ines@example.org',
      date: today,
    });
    const notify = (id: number) =>
      fetch(`${sys.baseUrl}/api/v1/integrations/helloasso/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ eventType: 'Payment', data: { id } }),
      });
    expect((await notify(7001)).status).toBe(200);
    fake.update(7001, new Date().toISOString(), { state: 'Contested' });
    expect((await notify(7001)).status).toBe(200);
    expect((await sys.api('GET', `/members/${member.body.id}`)).body.balanceCents).toBe(0);

    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 390, height: 844 },
    ]) {
      const { context, page } = await signedIn(['treasurer'], viewport);
      await page.goto(`${sys.baseUrl}/treasurer/helloasso`);
      const flagged = page.getByRole('table', { name: 'Paiements à examiner' });
      await flagged.getByText('Contestation bancaire : crédit repris').waitFor();
      expect(await flagged.getByText('Inès Payeuse').count()).toBe(1);
      const summary = page.getByRole('table', { name: 'Ce que HelloAsso a encaissé' });
      const firstRow = (await summary.getByRole('row').nth(1).textContent()) ?? '';
      expect(firstRow).toContain('30,00');
      expect(firstRow).toContain('15,00');
      expect(firstRow).toContain('2,50');
      await expectAccessible(page, `helloasso payments ${viewport.width}`);
      await screenshot(page, `helloasso-payments-${viewport.width}`);
      await context.close();
    }
    // The reconciliation says it too (this month is the default period).
    const { context, page } = await signedIn(['treasurer']);
    await page.goto(`${sys.baseUrl}/treasurer/checks`);
    const text = (await page.locator('#ha-rec-h').locator('..').textContent()) ?? '';
    expect(text).toMatch(/HelloAsso sur la période : 30,00\s€ sur les cartes/);
    expect(text).toMatch(/15,00\s€ d’autres articles/);
    expect(text).toMatch(/2,50\s€ de contributions à HelloAsso/);
    await expectAccessible(page, 'reconciliation with HelloAsso');
    await context.close();
  });

  it('refuses other roles, cross-origin posts and oversized fields, changing nothing', async () => {
    const before = await settings();
    const { context, page } = await signedIn(['trainer']);
    const res = await page.goto(`${sys.baseUrl}/treasurer/helloasso/settings`);
    expect(res?.status()).toBe(403);
    const post = await page.request.post(`${sys.baseUrl}/treasurer/helloasso/settings`, {
      form: { formSlug: 'vol' },
      headers: { origin: sys.baseUrl },
    });
    expect(post.status()).toBe(403);
    await context.close();

    const t = await signedIn(['treasurer']);
    const cross = await t.page.request.post(`${sys.baseUrl}/treasurer/helloasso/settings`, {
      form: { formSlug: 'vol' },
      headers: { origin: 'https://evil.example' },
    });
    expect(cross.status()).toBe(403);
    const crossTest = await t.page.request.post(`${sys.baseUrl}/treasurer/helloasso/settings/test`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(crossTest.status()).toBe(403);
    const big = await t.page.request.post(`${sys.baseUrl}/treasurer/helloasso/settings`, {
      form: { formSlug: 'x'.repeat(5000), clientSecret: 'y' },
      headers: { origin: sys.baseUrl },
    });
    expect([200, 303, 413]).toContain(big.status());
    const bad = await t.page.request.post(`${sys.baseUrl}/treasurer/helloasso/settings`, {
      form: { organizationSlug: 'Pas Un Slug!', clientSecret: 'z' },
      headers: { origin: sys.baseUrl },
    });
    expect([200, 303]).toContain(bad.status());
    expect(await settings()).toEqual(before);
    await t.context.close();
  });
});
