/**
 * Issue #4 in a real browser, for the people around the machines: a trainer certifies a
 * member in three steps, the treasurer tops up, corrects, reads the period report and
 * downloads the exports, a member sees only their own account, and an admin's one-time
 * link gives a member access. axe-core and a screenshot on each page.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, type LabMember } from '../support/lab.ts';
import { connectDevice, eventually, startSystem, type TestSystem } from '../support/system.ts';
import {
  badgeIn,
  endSession,
  expectAccessible,
  launchBrowser,
  PASSWORD,
  screenshot,
  setMemberPassword,
  signIn,
  staffWithPassword,
  topic,
} from './support.ts';

let sys: TestSystem;
let browser: Browser;
let camille: LabMember;
let sacha: LabMember;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startSystem(), launchBrowser()]);
  for (const [id, name] of [
    ['laser', 'Découpe laser'],
    ['cnc', 'Fraiseuse CNC'],
  ]) {
    expect((await sys.api('POST', '/qualifications', { id, name, validityDays: 365 })).status).toBe(201);
  }
  expect(
    (
      await sys.api('POST', '/machines', {
        id: 'laser-1',
        name: 'Trotec Speedy 300',
        kind: 'laser',
        pricePerMinuteCents: 50,
        minimumChargeCents: 100,
        qualifications: ['laser'],
      })
    ).status,
  ).toBe(201);
  camille = await createMember(sys, { name: 'Camille Martin', creditCents: 1000, certify: ['laser'] });
  sacha = await createMember(sys, { name: 'Sacha Bernard' });
  // One real session, through MQTT, so that reports and the member's page have usage.
  const creds = await sys.api('POST', '/machines/laser-1/devices', {});
  const device = await connectDevice(sys.server.mqttUrl, creds.body.deviceId, creds.body.secret);
  await device.subscribeAsync(topic('laser-1', 'decision'), { qos: 1 });
  const decision = await badgeIn(device, 'laser-1', camille.uid);
  expect(decision.granted).toBe(true);
  await endSession(device, 'laser-1', decision.sessionId, 125);
  await eventually(async () => (await sys.api('GET', `/sessions/${decision.sessionId}`)).body.endedAt);
  await device.endAsync();
});

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

async function signedIn(email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, sys.baseUrl, email);
  return { context, page };
}

describe('the dashboard for trainers, the treasurer and members', () => {
  it('lets a trainer certify a member in three steps, for their own qualifications only', async () => {
    const trainer = await staffWithPassword(sys, ['trainer'], {
      name: 'Noa Formatrice',
      trainerOf: ['laser'],
    });
    const { context, page } = await signedIn(trainer.email);
    await page.goto(`${sys.baseUrl}/trainers`);
    await expectAccessible(page, 'trainers step 1');
    await page.getByLabel('Nom ou adresse e-mail').fill('Sacha');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await screenshot(page, 'trainers-1-find');
    await page.getByRole('link', { name: /Sacha Bernard/ }).click();

    // Step 2: only the qualifications this trainer trains.
    const choices = page.getByRole('radio');
    expect(await choices.count()).toBe(1);
    expect(await page.getByLabel('Découpe laser').isChecked()).toBe(true);
    expect(await page.getByText('Fraiseuse CNC').count()).toBe(0);
    await expectAccessible(page, 'trainers step 2');
    await screenshot(page, 'trainers-2-pick');
    await page.getByRole('button', { name: 'Suivant' }).click();

    await expect.poll(() => page.getByText('Habiliter Sacha Bernard pour « Découpe laser »').count()).toBe(1);
    await expectAccessible(page, 'trainers step 3');
    await screenshot(page, 'trainers-3-confirm');
    await page.getByRole('button', { name: 'Confirmer l’habilitation' }).click();
    await page.getByRole('status').filter({ hasText: 'Sacha Bernard est habilité·e' }).waitFor();

    const member = await sys.api('GET', `/members/${sacha.id}`);
    expect(member.body.certifications).toEqual([expect.objectContaining({ qualificationId: 'laser' })]);
    // A trainer is not the treasurer.
    const refused = await page.goto(`${sys.baseUrl}/treasurer`);
    expect(refused?.status()).toBe(403);
    await context.close();
  });

  it('lets the treasurer top up once per form, and correct with a reason', async () => {
    const treasurer = await staffWithPassword(sys, ['treasurer'], { name: 'Lou Trésorière' });
    const { context, page } = await signedIn(treasurer.email);
    await page.goto(`${sys.baseUrl}/members`);
    await page.getByLabel('Nom ou adresse e-mail').fill('sacha');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await expectAccessible(page, 'members search');
    await screenshot(page, 'members-search');
    await page.getByRole('link', { name: 'Sacha Bernard' }).click();

    const key = await page.locator('form[action$="/topups"] input[name="idempotencyKey"]').inputValue();
    await page.locator('#topup-amount').fill('20');
    await page.locator('#topup-method').selectOption('cash');
    await page.locator('#topup-reference').fill('reçu 42');
    await page.getByRole('button', { name: 'Recharger' }).click();
    await page.getByRole('status').filter({ hasText: 'Recharge de 20,00' }).waitFor();
    expect(await page.getByTestId('credit').textContent()).toContain('20,00');

    // The same form posted again (a double click, a reload): nothing new.
    const again = await page.request.post(`${sys.baseUrl}/members/${sacha.id}/topups`, {
      form: { idempotencyKey: key, amount: '20', method: 'cash', reference: 'reçu 42' },
      headers: { origin: sys.baseUrl },
      maxRedirects: 0,
    });
    expect(again.status()).toBe(303);
    expect((await sys.api('GET', `/members/${sacha.id}`)).body.balanceCents).toBe(2000);

    // A form post from another site is refused (CSRF).
    const forged = await page.request.post(`${sys.baseUrl}/members/${sacha.id}/topups`, {
      form: { idempotencyKey: crypto.randomUUID(), amount: '20', method: 'cash' },
      headers: { origin: 'https://evil.example' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);

    await page.locator('#correct-kind').selectOption('adjustment');
    await page.locator('#correct-amount').fill('-5');
    await page.locator('#correct-reason').fill('Erreur de saisie');
    await page.getByRole('button', { name: 'Enregistrer l’opération' }).click();
    await page.getByRole('status').filter({ hasText: 'Opération enregistrée' }).waitFor();
    expect(await page.getByTestId('credit').textContent()).toContain('15,00');
    expect(await page.getByRole('cell', { name: 'Erreur de saisie' }).count()).toBe(1);
    await expectAccessible(page, 'member profile');
    await screenshot(page, 'member-profile');
    expect((await sys.api('GET', `/members/${sacha.id}`)).body.balanceCents).toBe(1500);
    await context.close();
  });

  it('shows the treasurer the period report with charts and tables, and downloads the exports', async () => {
    const treasurer = await staffWithPassword(sys, ['treasurer']);
    const { context, page } = await signedIn(treasurer.email);
    await page.goto(`${sys.baseUrl}/treasurer`);
    await page.getByRole('heading', { name: 'Utilisation par machine' }).waitFor();
    // Chart.js, served by the app, drew each chart.
    await expect
      .poll(() =>
        page.evaluate(() =>
          [...document.querySelectorAll('canvas')].every(
            // biome-ignore lint/suspicious/noExplicitAny: Chart is a global of the UMD build
            (c) => (window as any).Chart?.getChart(c) !== undefined,
          ),
        ),
      )
      .toBe(true);
    expect(await page.locator('canvas').count()).toBe(4);
    const machineTable = page.getByRole('table', { name: 'Utilisation par machine' });
    expect(await machineTable.textContent()).toContain('Trotec Speedy 300');
    expect(await machineTable.textContent()).toContain('1,50');
    await expectAccessible(page, 'treasurer');
    await screenshot(page, 'treasurer');

    const [fec] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger le FEC' }).click(),
    ]);
    expect(fec.suggestedFilename()).toMatch(/FEC.*\.txt$/);
    const fecText = await readFile((await fec.path())!, 'utf8');
    expect(fecText.split('\n')[0]).toContain('JournalCode');

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger les sessions (CSV)' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    const csvText = await readFile((await csv.path())!, 'utf8');
    expect(csvText.split('\n')[0]).toContain('Session');
    expect(csvText).toContain('Camille Martin');
    for (const name of ['paheko.csv', 'topups.csv']) {
      const res = await page.request.get(`${sys.baseUrl}/treasurer/exports/${name}`);
      expect(res.status(), name).toBe(200);
      expect(res.headers()['content-disposition']).toMatch(/^attachment/);
    }
    await context.close();
  });

  it('shows a member their own account only', async () => {
    const email = await setMemberPassword(sys, camille.id);
    const { context, page } = await signedIn(email);
    expect(new URL(page.url()).pathname).toBe('/me');
    expect(await page.locator('h1').textContent()).toBe('Mon compte');
    expect(await page.getByTestId('credit').textContent()).toContain('8,50');
    expect(await page.getByRole('table', { name: 'Sessions récentes' }).textContent()).toContain(
      'Trotec Speedy 300',
    );
    // The badge shows its last 4 hex digits only.
    expect(await page.content()).not.toContain(camille.uid);
    expect(await page.content()).toContain(camille.uid.slice(-4));
    await expectAccessible(page, 'my account');
    await screenshot(page, 'my-account');

    for (const path of [`/members/${sacha.id}`, '/members', '/board', '/treasurer', '/admin/machines']) {
      const res = await page.goto(`${sys.baseUrl}${path}`);
      expect(res?.status(), path).toBe(403);
    }
    expect(await page.getByRole('heading', { name: 'Accès refusé' }).count()).toBe(1);
    await screenshot(page, 'forbidden');
    const api = await page.request.get(`${sys.baseUrl}/api/v1/members/${sacha.id}`);
    expect(api.status()).toBe(403);
    // Their own profile URL leads to their account page.
    await page.goto(`${sys.baseUrl}/members/${camille.id}`);
    expect(new URL(page.url()).pathname).toBe('/me');
    await context.close();
  });

  it('gives a member access through a one-time link made by an admin', async () => {
    const admin = await staffWithPassword(sys, ['admin']);
    const { context, page } = await signedIn(admin.email);
    await page.goto(`${sys.baseUrl}/members/${sacha.id}`);
    await page.getByRole('button', { name: 'Créer un lien d’accès' }).click();
    const link = await page.getByLabel('Lien').inputValue();
    await screenshot(page, 'access-link');
    await context.close();

    const visitor = await browser.newContext();
    const p = await visitor.newPage();
    await p.goto(link);
    await expectAccessible(p, 'choose a password');
    await p.getByLabel('Nouveau mot de passe').fill(PASSWORD);
    await p.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
    await p.getByRole('status').filter({ hasText: 'Mot de passe enregistré' }).waitFor();
    // Once only.
    expect((await p.goto(link))?.status()).toBe(404);
    const email = (await sys.api('GET', `/members/${sacha.id}`)).body.email;
    await signIn(p, sys.baseUrl, email);
    expect(new URL(p.url()).pathname).toBe('/me');
    expect(await p.getByTestId('credit').textContent()).toContain('15,00');
    await visitor.close();
  });
});
