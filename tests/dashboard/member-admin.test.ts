/**
 * Issue #12 item 2 and 5 in real Chromium, at 1280×900 and on a 390×844 phone, with axe on
 * every page: an admin edits a member (errors in French next to the field), suspends after a
 * confirmation (the reason shown, the badge refused at the machine over MQTT), reactivates,
 * renews one member and many (ticked, or pasted e-mails), imports a file that updates members
 * by e-mail, declares a badge lost; a trainer revokes a certification of their own
 * qualification only. Dates are shown as written: a membership to 31/08/2027 reads "31 août 2027".
 */
import type { MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine, createMember, type LabMember } from '../support/lab.ts';
import { connectDevice, startSystem, type TestSystem } from '../support/system.ts';
import {
  badgeIn,
  expectAccessible,
  launchBrowser,
  screenshot,
  signIn,
  staffWithPassword,
  topic,
} from './support.ts';

let sys: TestSystem;
let browser: Browser;
let device: MqttClient;
let admin: { email: string };

beforeAll(async () => {
  [sys, browser] = await Promise.all([startSystem(), launchBrowser()]);
  for (const [id, name] of [
    ['laser', 'Découpe laser'],
    ['cnc', 'Fraiseuse CNC'],
  ]) {
    expect((await sys.api('POST', '/qualifications', { id, name, validityDays: 365 })).status).toBe(201);
  }
  const creds = await createMachine(sys, 'laser-1', { qualifications: ['laser'] });
  device = await connectDevice(sys.server.mqttUrl, creds.deviceId, creds.secret);
  await device.subscribeAsync(topic('laser-1', 'decision'), { qos: 1 });
  admin = await staffWithPassword(sys, ['admin'], { name: 'Dominique Admin' });
  // The lab's membership year ends on 31 August: two members already say so.
  for (const n of [1, 2]) {
    const m = await createMember(sys, { name: `Ancien ${n}` });
    await sys.api('PATCH', `/members/${m.id}`, { membershipValidUntil: '2027-08-31T22:00:00.000Z' });
  }
});

afterAll(async () => {
  await device?.endAsync();
  await browser?.close();
  await sys?.stop();
});

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

async function signedIn(email: string, viewport: { width: number; height: number }) {
  const context: BrowserContext = await browser.newContext({ viewport });
  const page: Page = await context.newPage();
  await signIn(page, sys.baseUrl, email);
  return { context, page };
}

const member = async (id: string) => (await sys.api('GET', `/members/${id}`)).body;

describe.each(VIEWPORTS)('member administration at $name size', (vp) => {
  let camille: LabMember;
  let sacha: LabMember;
  let lou: LabMember;
  beforeAll(async () => {
    camille = await createMember(sys, { name: `Camille ${vp.name}`, creditCents: 1000, certify: ['laser'] });
    sacha = await createMember(sys, { name: `Sacha ${vp.name}` });
    lou = await createMember(sys, { name: `Lou ${vp.name}` });
  });

  it('edits every field, with errors said in French next to the field, and shows the last day', async () => {
    const { context, page } = await signedIn(admin.email, vp);
    await page.goto(`${sys.baseUrl}/members/${sacha.id}`);
    await page.getByRole('link', { name: 'Modifier la fiche' }).click();
    await expectAccessible(page, `edit form ${vp.name}`);
    await page.getByLabel('Année de naissance').fill('1850');
    await page.getByLabel('Adresse e-mail').fill('pas-une-adresse');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Indiquez une année entre 1900 et').waitFor();
    expect(await page.getByText('Indiquez une adresse e-mail valide').count()).toBe(1);
    await expectAccessible(page, `edit form errors ${vp.name}`);
    await screenshot(page, `member-edit-errors-${vp.name}`);
    expect((await member(sacha.id)).birthYear).toBeNull();

    const email = `sacha-${vp.name}@example.org`;
    await page.getByLabel('Nom', { exact: true }).fill(`Sacha Bernard ${vp.name}`);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Catégorie').selectOption({ label: 'Étudiant·e' });
    await page.getByLabel('Année de naissance').fill('2001');
    await page.getByLabel('Adhésion jusqu’au (inclus)').fill('2027-08-31');
    await page.getByLabel('Genre').selectOption({ label: 'Femme' });
    await page.getByLabel('Commune de résidence').fill('Amiens');
    await page.getByLabel('Agglomération').selectOption({ label: 'Dans l’agglomération' });
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('status').filter({ hasText: 'est enregistrée' }).waitFor();
    // Issue #12 item 5: the day typed, not the exclusive bound (1 September).
    expect(await page.getByTestId('membership-until').textContent()).toBe('31 août 2027');
    expect(await member(sacha.id)).toMatchObject({
      name: `Sacha Bernard ${vp.name}`,
      email,
      category: 'student',
      birthYear: 2001,
      membershipValidUntil: '2027-08-31T22:00:00.000Z',
      gender: 'woman',
      residenceCommune: 'Amiens',
      residenceArea: 'inside',
    });
    await context.close();
  });

  it('suspends after a confirmation with a reason; the machine refuses the badge; then reactivates', async () => {
    const { context, page } = await signedIn(admin.email, vp);
    await page.goto(`${sys.baseUrl}/members/${camille.id}`);
    expect((await badgeIn(device, 'laser-1', camille.uid)).reason).toBe('granted');
    await page.getByRole('link', { name: 'Suspendre…' }).click();
    await page.getByRole('heading', { name: `Suspendre Camille ${vp.name} ?` }).waitFor();
    await expectAccessible(page, `suspend confirmation ${vp.name}`);
    await screenshot(page, `member-suspend-confirm-${vp.name}`);
    // Nothing happens before the confirmation.
    expect((await member(camille.id)).status).toBe('active');
    await page.getByLabel('Raison').fill('Cotisation impayée');
    await page.getByRole('button', { name: 'Confirmer la suspension' }).click();
    await page.getByRole('status').filter({ hasText: 'est suspendu·e' }).waitFor();
    expect(await page.getByTestId('status-reason').textContent()).toBe('Cotisation impayée');
    await expectAccessible(page, `suspended member ${vp.name}`);
    await screenshot(page, `member-suspended-${vp.name}`);
    expect((await badgeIn(device, 'laser-1', camille.uid)).reason).toBe('member_inactive');

    await page.getByLabel('Raison').fill('Cotisation réglée');
    await page.getByRole('button', { name: 'Réactiver' }).click();
    await page.getByRole('status').filter({ hasText: 'est réactivé·e' }).waitFor();
    expect((await member(camille.id)).status).toBe('active');
    await context.close();
  });

  it('renews one member to the lab’s usual end date, and many ticked in the list', async () => {
    const { context, page } = await signedIn(admin.email, vp);
    await page.goto(`${sys.baseUrl}/members/${lou.id}`);
    const renew = page.getByRole('button', { name: /^Renouveler jusqu’au \d+ août \d{4}$/ });
    const label = (await renew.textContent()) ?? '';
    await renew.click();
    await page.getByRole('status').filter({ hasText: 'est renouvelée jusqu’au' }).waitFor();
    const day = label.replace('Renouveler jusqu’au ', '');
    expect(await page.getByTestId('membership-until').textContent()).toBe(day);
    expect((await member(lou.id)).membershipValidUntil).toMatch(/-08-31T22:00:00.000Z$/);

    await page.goto(`${sys.baseUrl}/members?q=${vp.name}`);
    await expectAccessible(page, `members list ${vp.name}`);
    await page.getByLabel(`Choisir Camille ${vp.name}`).check();
    await page.getByLabel(`Choisir Lou ${vp.name}`).check();
    await page.locator('#renew-many-day').fill('2031-08-31');
    await page.getByRole('button', { name: 'Renouveler les membres choisis' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: '2 adhésion(s) renouvelée(s) jusqu’au 31 août 2031' })
      .waitFor();
    await expectAccessible(page, `renew result ${vp.name}`);
    await screenshot(page, `members-renewed-${vp.name}`);
    for (const m of [camille, lou]) {
      expect((await member(m.id)).membershipValidUntil).toBe('2031-08-31T22:00:00.000Z');
    }
    await context.close();
  });

  it('renews from pasted e-mails, listing the unknown ones', async () => {
    const { context, page } = await signedIn(admin.email, vp);
    await page.goto(`${sys.baseUrl}/members/renew`);
    await expectAccessible(page, `renew by e-mail ${vp.name}`);
    const email = (await member(sacha.id)).email as string;
    await page.getByLabel('Adresses e-mail').fill(`${email.toUpperCase()}\ninconnu-${vp.name}@example.org`);
    await page.getByLabel('Adhésion jusqu’au (inclus)').fill('2032-08-31');
    await page.getByRole('button', { name: 'Renouveler des adhésions' }).click();
    await page.getByRole('status').filter({ hasText: '1 adhésion(s) renouvelée(s)' }).waitFor();
    expect(await page.getByText(`inconnu-${vp.name}@example.org`).count()).toBe(1);
    expect((await member(sacha.id)).membershipValidUntil).toBe('2032-08-31T22:00:00.000Z');
    await context.close();
  });

  it('imports a file that updates members by e-mail, errors in French first', async () => {
    const { context, page } = await signedIn(admin.email, vp);
    const email = (await member(lou.id)).email as string;
    const header = "Nom;Prénom;Email;Catégorie;Année de naissance;Adhésion jusqu'au\n";
    const bad = `${header}${vp.name};Lou;${email};Retraitée;1950;31/02/2033\n`;
    await page.goto(`${sys.baseUrl}/admin/import`);
    await page.getByLabel('Ou collez le contenu du fichier').fill(bad);
    await page.getByRole('button', { name: 'Prévisualiser' }).click();
    await page.getByText('« 31/02/2033 » n’est pas une date comme 31/12/2026.').waitFor();
    await expectAccessible(page, `import error ${vp.name}`);

    const good = `${header}${vp.name};Lou;${email};Retraitée;1950;31/08/2033\nNouveau;${vp.name};neuf-${vp.name}@example.org;;;31/08/2033\n`;
    await page.goto(`${sys.baseUrl}/admin/import`);
    await page.getByLabel('Ou collez le contenu du fichier').fill(good);
    await page.getByRole('button', { name: 'Prévisualiser' }).click();
    const table = page.getByRole('table', { name: 'Ce que fera l’import' });
    await table.waitFor();
    expect(await table.textContent()).toContain(
      'Mis à jour (mis à jour : catégorie, année de naissance, adhésion)',
    );
    expect(await table.textContent()).toContain('31 août 2033');
    await expectAccessible(page, `import preview ${vp.name}`);
    await screenshot(page, `import-update-preview-${vp.name}`);
    await page.getByRole('button', { name: 'Importer : 1 création(s), 1 mise(s) à jour' }).click();
    await page.getByRole('status').filter({ hasText: '1 membre(s) créé(s), 1 mis à jour' }).waitFor();
    expect(await member(lou.id)).toMatchObject({
      category: 'retiree',
      birthYear: 1950,
      membershipValidUntil: '2033-08-31T22:00:00.000Z',
    });
    await context.close();
  });

  it('declares a badge lost after a confirmation naming it; the machine refuses it', async () => {
    const { context, page } = await signedIn(admin.email, vp);
    await page.goto(`${sys.baseUrl}/members/${lou.id}`);
    const last4 = lou.uid.slice(-4);
    await page.getByRole('link', { name: `Déclarer perdu… …${last4}` }).click();
    await page
      .getByRole('heading', { name: new RegExp(`badge se terminant par ${last4}, remis le`) })
      .waitFor();
    await expectAccessible(page, `badge lost confirmation ${vp.name}`);
    await screenshot(page, `badge-lost-confirm-${vp.name}`);
    expect((await member(lou.id)).badges[0].status).toBe('active');
    await page.getByRole('button', { name: 'Confirmer : badge perdu' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Le badge …${last4} est déclaré perdu` })
      .waitFor();
    expect((await member(lou.id)).badges[0].status).toBe('lost');
    expect((await badgeIn(device, 'laser-1', lou.uid)).granted).toBe(false);
    await context.close();
  });

  it('lets the trainer of a qualification revoke its certification, and no other trainer', async () => {
    const cnc = await staffWithPassword(sys, ['trainer'], { name: 'Alex CNC', trainerOf: ['cnc'] });
    const other = await signedIn(cnc.email, vp);
    await other.page.goto(`${sys.baseUrl}/members/${camille.id}`);
    expect(await other.page.getByRole('link', { name: /^Retirer…/ }).count()).toBe(0);
    const cert = (await member(camille.id)).certifications[0];
    const direct = await other.page.goto(
      `${sys.baseUrl}/members/${camille.id}/certifications/${cert.id}/revoke`,
    );
    expect(direct?.status()).toBe(403);
    const forced = await other.page.request.post(
      `${sys.baseUrl}/members/${camille.id}/certifications/${cert.id}/revoke`,
      { form: { reason: 'x' }, headers: { origin: sys.baseUrl }, maxRedirects: 0 },
    );
    expect(forced.status()).toBe(403);
    // A trainer neither edits nor suspends.
    expect((await other.page.goto(`${sys.baseUrl}/members/${camille.id}/edit`))?.status()).toBe(403);
    const suspend = await other.page.request.post(`${sys.baseUrl}/members/${camille.id}/suspend`, {
      form: { reason: 'x' },
      headers: { origin: sys.baseUrl },
      maxRedirects: 0,
    });
    expect(suspend.status()).toBe(403);
    await other.context.close();
    expect((await member(camille.id)).status).toBe('active');

    const laser = await staffWithPassword(sys, ['trainer'], { name: 'Noa Laser', trainerOf: ['laser'] });
    const { context, page } = await signedIn(laser.email, vp);
    await page.goto(`${sys.baseUrl}/members/${camille.id}`);
    await page.getByRole('link', { name: 'Retirer… Découpe laser' }).click();
    await page
      .getByRole('heading', { name: `Retirer l’habilitation « Découpe laser » de Camille ${vp.name} ?` })
      .waitFor();
    await expectAccessible(page, `revoke certification ${vp.name}`);
    await screenshot(page, `cert-revoke-confirm-${vp.name}`);
    await page.getByLabel('Raison').fill('Usage dangereux constaté');
    await page.getByRole('button', { name: 'Confirmer le retrait' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'L’habilitation « Découpe laser » est retirée.' })
      .waitFor();
    expect((await member(camille.id)).certifications[0]).toMatchObject({
      valid: false,
      revokeReason: 'Usage dangereux constaté',
    });
    await context.close();
  });

  it('refuses a cross-origin form post and oversized input, changing nothing', async () => {
    const { context, page } = await signedIn(admin.email, vp);
    const forged = await page.request.post(`${sys.baseUrl}/members/${sacha.id}/suspend`, {
      form: { reason: 'x' },
      headers: { origin: 'https://evil.example' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    const big = await page.request.post(`${sys.baseUrl}/members/${sacha.id}/edit`, {
      form: { name: 'x'.repeat(70_000), email: 'a@example.org' },
      headers: { origin: sys.baseUrl },
      maxRedirects: 0,
    });
    expect(big.status()).toBe(413);
    const long = await page.request.post(`${sys.baseUrl}/members/${sacha.id}/edit`, {
      form: { name: 'x'.repeat(300), email: 'a@example.org' },
      headers: { origin: sys.baseUrl },
      maxRedirects: 0,
    });
    expect(long.status()).toBe(422);
    const m = await member(sacha.id);
    expect(m.status).toBe('active');
    expect(m.name).toBe(`Sacha Bernard ${vp.name}`);
    await context.close();
  });
});
