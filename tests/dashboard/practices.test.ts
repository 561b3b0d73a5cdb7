/**
 * Issue #6 in a real browser: materials added by an admin and charged on an open session from
 * the board, a problem reported from the board reaching another open board live with its note,
 * a restore refused to an unqualified trainer then done by an admin, and a badge presented in
 * enrolment mode filling the "issue badge" form. axe-core and a screenshot on each page.
 */
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../application/security.ts';
import { enrolments } from '../../db/schema.ts';
import { createMember, createQualification, uniqueUid } from '../support/lab.ts';
import { connectDevice, startSystem, type TestSystem } from '../support/system.ts';
import {
  badgeIn,
  expectAccessible,
  launchBrowser,
  screenshot,
  signIn,
  staffWithPassword,
  status,
  topic,
} from './support.ts';

let sys: TestSystem;
let browser: Browser;
let page: Page;
let device: MqttClient;
let admin: { id: string; email: string };
let trainer: { id: string; email: string };
const M = 'printer-1';

beforeAll(async () => {
  [sys, browser] = await Promise.all([startSystem(), launchBrowser()]);
  await createQualification(sys, 'fdm');
  await createQualification(sys, 'laser');
  const machine = await sys.api('POST', '/machines', {
    id: M,
    name: 'Prusa MK4',
    kind: 'printer-3d',
    pricePerMinuteCents: 2,
    minimumChargeCents: 0,
    qualifications: ['fdm'],
    maintenanceEveryHours: 200,
  });
  expect(machine.status, JSON.stringify(machine.body)).toBe(201);
  const creds = await sys.api('POST', `/machines/${M}/devices`, {});
  device = await connectDevice(sys.server.mqttUrl, creds.body.deviceId, creds.body.secret);
  await device.subscribeAsync([topic(M, 'decision'), topic(M, 'command')], { qos: 1 });
  await status(device, M, true);
  admin = await staffWithPassword(sys, ['admin'], { name: 'Dominique Admin' });
  // A trainer, but of another machine's qualification: not qualified to restore this one.
  trainer = await staffWithPassword(sys, ['trainer'], { name: 'Lou Formatrice', trainerOf: ['laser'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await signIn(page, sys.baseUrl, admin.email);
});

afterAll(async () => {
  await device?.endAsync();
  await browser?.close();
  await sys?.stop();
});

const card = (p: Page = page) => p.locator(`#machine-${M}`);

describe('lab practices in the dashboard', () => {
  it('lets an admin add a material and change its price', async () => {
    await page.goto(`${sys.baseUrl}/admin/materials`);
    await page.getByLabel('Identifiant de la matière').fill('pla');
    await page.locator('#mat-name').fill('PLA');
    await page.locator('#mat-unit').fill('g');
    await page.locator('#mat-price').fill('0,04');
    await page.getByRole('button', { name: 'Ajouter la matière' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect(await page.getByRole('status').textContent()).toContain('Enregistré');
    await page.locator('#mat-pla-price').fill('0,05');
    await page.locator('#material-pla').getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForLoadState('domcontentloaded');
    const row = page.getByRole('row', { name: /PLA/ });
    expect(await row.textContent()).toContain('0,05');
    expect((await sys.api('GET', '/materials')).body.items).toEqual([
      expect.objectContaining({ id: 'pla', pricePerUnitCents: 5, active: true }),
    ]);
    await expectAccessible(page, 'admin materials');
    await screenshot(page, 'practices-materials');
  });

  it('shows the new machine settings in the admin form', async () => {
    await page.goto(`${sys.baseUrl}/admin/machines/${M}`);
    expect(await page.getByLabel('Maintenance toutes les … heures de marche').inputValue()).toBe('200');
    await page.getByLabel('Vérification après usage').fill('Plateau propre');
    await page.getByLabel('Forfait par session (€)').fill('0,50');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForLoadState('domcontentloaded');
    const m = (await sys.api('GET', `/machines/${M}`)).body;
    expect(m).toMatchObject({
      postUseCheck: 'Plateau propre',
      sessionFeeCents: 50,
      maintenanceEveryHours: 200,
    });
    await page.goto(`${sys.baseUrl}/admin/machines/${M}`);
    await expectAccessible(page, 'admin machine form');
  });

  it('records a material on an open session from the board', async () => {
    const member = await createMember(sys, { name: 'Camille Martin', creditCents: 2000, certify: ['fdm'] });
    await page.goto(`${sys.baseUrl}/board`);
    await page.getByText('Mises à jour en direct').waitFor();
    const decision = await badgeIn(device, M, member.uid);
    expect(decision.granted, JSON.stringify(decision)).toBe(true);
    await expect.poll(() => card().getAttribute('data-state')).toBe('in_use');

    await card().getByText('Ajouter une matière').first().click();
    await card().getByLabel('Matière').selectOption('pla');
    await card().getByLabel('Quantité').fill('40');
    await card().getByRole('button', { name: 'Ajouter une matière' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect(await page.getByRole('status').textContent()).toContain('2,00');
    await expect.poll(() => card().getByTestId('materials-cost').textContent()).toContain('2,00');
    const session = (await sys.api('GET', `/sessions/${decision.sessionId}`)).body;
    expect(session.materialsCents).toBe(200);
    expect(session.materials).toHaveLength(1);
    await expectAccessible(page, 'board with material');
    await screenshot(page, 'practices-board-material');
  });

  it('reports a problem: another open board shows the maintenance and its note live', async () => {
    const watcher = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await signIn(watcher, sys.baseUrl, admin.email);
    await watcher.goto(`${sys.baseUrl}/board`);
    await watcher.getByText('Mises à jour en direct').waitFor();

    await page.goto(`${sys.baseUrl}/board`);
    await card().getByText('Signaler un problème').first().click();
    await card().getByLabel('Problème constaté').fill('Buse bouchée');
    await card().getByRole('button', { name: 'Signaler un problème' }).click();
    await page.waitForLoadState('domcontentloaded');
    await expect.poll(() => card(watcher).getAttribute('data-state')).toBe('maintenance');
    expect(await card(watcher).getByTestId('state-note').textContent()).toContain('Buse bouchée');
    expect((await sys.api('GET', `/machines/${M}`)).body).toMatchObject({
      state: 'maintenance',
      stateNote: 'Buse bouchée',
    });
    await expectAccessible(watcher, 'board in maintenance');
    await screenshot(watcher, 'practices-board-maintenance');
    await watcher.close();
  });

  it('refuses the restore to an unqualified trainer, then an admin restores', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const other = await context.newPage();
    await signIn(other, sys.baseUrl, trainer.email);
    await other.goto(`${sys.baseUrl}/board`);
    await card(other).getByRole('button', { name: 'Remettre en service' }).click();
    await other.waitForLoadState('domcontentloaded');
    expect(await other.getByRole('alert').textContent()).toContain('qualifié sur cette machine');
    expect((await sys.api('GET', `/machines/${M}`)).body.state).toBe('maintenance');
    await screenshot(other, 'practices-restore-refused');
    await context.close();

    await page.goto(`${sys.baseUrl}/board`);
    await card().getByRole('button', { name: 'Remettre en service' }).click();
    await page.waitForLoadState('domcontentloaded');
    await expect.poll(() => card().getAttribute('data-state')).not.toBe('maintenance');
    expect((await sys.api('GET', `/machines/${M}`)).body).toMatchObject({
      state: 'available',
      runningSecondsSinceMaintenance: 0,
    });
  });

  it('offers a badge presented in enrolment mode in the issue badge form', async () => {
    const uid = uniqueUid();
    await sys.database.db.insert(enrolments).values({ id: newId(), machineId: M, uid, staffId: admin.id });
    const res = await sys.api('POST', '/members', {
      name: 'Noa Nouveau',
      email: `${crypto.randomUUID()}@example.org`,
    });
    const memberId = res.body.id as string;
    await page.goto(`${sys.baseUrl}/members/${memberId}`);
    const choice = page.getByLabel(/Badge présenté au lecteur de Prusa MK4 à/);
    await choice.check();
    expect(await page.locator('#badge-uid').inputValue()).toBe(uid);
    await expectAccessible(page, 'member with enrolment');
    await screenshot(page, 'practices-enrolment');
    await page.getByRole('button', { name: 'Remettre un badge' }).click();
    await page.waitForLoadState('domcontentloaded');
    const member = (await sys.api('GET', `/members/${memberId}`)).body;
    expect(member.badges).toEqual([expect.objectContaining({ last4: uid.slice(-4), status: 'active' })]);
    expect((await sys.api('GET', '/enrolments')).body.items).toEqual([]);
  });
});
