/**
 * Issue #12, first run in the browser: on an empty database started without
 * BOOTSTRAP_ADMIN_TOKEN, the sign-in page says how to finish the setup; the link the server
 * logs creates the admin and the lab, then the guided setup creates qualifications, two
 * machines, a board (whose credentials really connect to the broker) and three members — in
 * real Chromium at 1280×900 and 390×844, axe-checked, no page wider than the screen.
 */
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../logging/logger.ts';
import { expectAccessible, launchBrowser, screenshot } from '../dashboard/support.ts';
import { startSystem, type TestSystem } from '../support/system.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function fits(page: Page, what: string): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.scrollingElement!.scrollWidth,
    inner: window.innerWidth,
  }));
  expect(scroll, `${what}: page wider than the screen`).toBeLessThanOrEqual(inner);
}

async function check(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await fits(page, name);
}

const SIZES = [
  { label: 'desktop', width: 1280, height: 900 },
  { label: 'phone', width: 390, height: 844 },
];

describe.each(SIZES)('first run in the browser at $width×$height (issue #12)', ({ label, width, height }) => {
  let sys: TestSystem;
  let setupUrl = '';
  const setupLinks: string[] = [];

  beforeAll(async () => {
    const log: Logger = (_level, msg, fields) => {
      if (msg.startsWith('first run:')) setupLinks.push(String(fields?.setupUrl));
    };
    sys = await startSystem({ env: { BOOTSTRAP_ADMIN_TOKEN: '' }, log });
    expect(setupLinks).toHaveLength(1); // logged once
    setupUrl = setupLinks[0]!.replace('http://localhost:', 'http://127.0.0.1:');
  }, 120_000);
  afterAll(async () => {
    await sys?.stop();
  });

  it('from the setup link to a lab with machines, a board and members', async () => {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    const base = sys.baseUrl;

    // No dead sign-in form: the page says where the link is.
    await page.goto(`${base}/sign-in?lang=fr`);
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toContain('pas encore configuré');
    expect(await page.getByLabel('Mot de passe').count()).toBe(0);
    await check(page, `${label} not set up`);

    // The setup link: the admin and the lab.
    await page.goto(setupUrl);
    await check(page, `${label} first run`);
    await page.getByLabel('Votre nom').fill('Marie Curie');
    await page.getByLabel('Adresse e-mail').fill('marie@exemple.fr');
    await page.getByLabel('Nouveau mot de passe').fill('court');
    await page.getByLabel('Nom du lieu').fill('La Machinerie');
    await page.getByLabel('SIREN de l’association (facultatif)').fill('123 456 789');
    await page.getByRole('button', { name: 'Créer mon compte et continuer' }).click();
    // Too short a password: told why, what was typed is kept (but the password).
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('10 à 200 caractères');
    expect(await page.getByLabel('Nom du lieu').inputValue()).toBe('La Machinerie');
    await page.getByLabel('Nouveau mot de passe').fill('une longue phrase de passe');
    await page.getByRole('button', { name: 'Créer mon compte et continuer' }).click();
    await page.waitForURL(`${base}/setup`);
    expect(await page.textContent('main')).toContain('La Machinerie');
    await check(page, `${label} setup overview`);
    await screenshot(page, `first-run-overview-${label}`);

    // Step 1: qualifications.
    await page.getByRole('link', { name: 'Formations →' }).click();
    await page.getByLabel('Nom de la formation').fill('Découpe laser');
    await page.getByRole('button', { name: 'Ajouter une formation' }).click();
    await expect.poll(() => page.textContent('main')).toContain('Formation « Découpe laser » créée.');
    await check(page, `${label} qualifications`);
    await page.getByRole('link', { name: 'Étape suivante' }).click();

    // Step 2: two machines, the kind chosen in words.
    await page.waitForURL(`${base}/setup/machines`);
    await page.getByLabel('Nom de la machine').fill('Trotec Speedy 300');
    await page.getByLabel('Type de machine').selectOption({ label: 'Découpe laser' });
    await page.getByLabel('Prix à la minute (€)').fill('0,50');
    await page.getByRole('checkbox', { name: 'Découpe laser' }).check();
    await page.getByRole('button', { name: 'Ajouter une machine' }).click();
    await expect.poll(() => page.textContent('main')).toContain('Machine « Trotec Speedy 300 » créée.');
    await page.getByLabel('Nom de la machine').fill('Prusa MK4');
    await page.getByLabel('Type de machine').selectOption({ label: 'Imprimante 3D' });
    await page.getByLabel('Prix à la minute (€)').fill('0,02');
    await page.getByRole('button', { name: 'Ajouter une machine' }).click();
    await expect.poll(() => page.textContent('main')).toContain('Prusa MK4 — Imprimante 3D');
    expect(await page.textContent('main')).toContain('Trotec Speedy 300 — Découpe laser');
    await check(page, `${label} machines`);
    await page.getByRole('link', { name: 'Étape suivante' }).click();

    // Step 3: a board; its credentials are shown once in a command that works.
    await page.waitForURL(`${base}/setup/boards`);
    await page.getByLabel('Machine du boîtier').selectOption({ label: 'Trotec Speedy 300' });
    await page.getByRole('button', { name: 'Créer le boîtier' }).click();
    const command = await page.getByTestId('board-command').inputValue();
    expect(command).toContain("SESAME_MACHINE_ID='trotec-speedy-300'");
    expect(command).toMatch(/npm run controller -- --simulate$/);
    await page.getByRole('button', { name: 'Copier' }).click();
    await expect.poll(() => page.locator('#board-command-status').textContent()).toBe('Copié');
    await check(page, `${label} board created`);
    await screenshot(page, `first-run-board-${label}`);
    const deviceId = /SESAME_DEVICE_ID='([^']+)'/.exec(command)![1]!;
    const secret = /SESAME_DEVICE_SECRET='([^']+)'/.exec(command)![1]!;
    const board = await mqtt.connectAsync(sys.server.mqttUrl, {
      username: deviceId,
      password: secret,
      clientId: deviceId,
      reconnectPeriod: 0,
    });
    expect(board.connected).toBe(true);
    await board.endAsync();
    await page.getByRole('link', { name: 'Étape suivante' }).click();

    // Step 4: three members.
    await page.waitForURL(`${base}/setup/members`);
    for (const [name, email] of [
      ['Camille Martin', 'camille@exemple.fr'],
      ['Hugo Lefèvre', 'hugo@exemple.fr'],
      ['Léa Dubois', 'lea@exemple.fr'],
    ]) {
      await page.getByLabel('Nom du membre').fill(name!);
      await page.getByLabel('Adresse e-mail du membre').fill(email!);
      await page.getByRole('button', { name: 'Ajouter un membre' }).click();
      await expect.poll(() => page.textContent('main')).toContain(`${name} ajouté·e.`);
    }
    await check(page, `${label} members`);

    // Resumable: the overview counts what exists.
    await page.getByRole('link', { name: 'Retour à la mise en route' }).click();
    const steps = await page.locator('ol.setup-steps').textContent();
    expect(steps).toContain('Formations ✓ fait');
    expect(steps).toContain('2 créés');
    expect(steps).toContain('3 créés');
    expect(steps).not.toContain('à faire');

    // The retention settings page (issue #12), from the admin's navigation.
    await page.goto(`${base}/admin/retention`);
    await check(page, `${label} retention`);
    await page.getByLabel('Durée de conservation (jours)').fill('30');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => page.textContent('main')).toContain('Conservation réglée à 30 jours.');
    expect(await page.getByLabel('Durée de conservation (jours)').inputValue()).toBe('30');

    // The link is dead now, and the admin signs in with the password chosen.
    await page.goto(setupUrl);
    expect(await page.textContent('main')).toContain('déjà configuré');
    await context.clearCookies();
    await page.goto(`${base}/sign-in?lang=fr`);
    await page.getByLabel('Adresse e-mail').fill('marie@exemple.fr');
    await page.getByLabel('Mot de passe').fill('une longue phrase de passe');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(`${base}/board`);
    await context.close();
  }, 240_000);
});
