/**
 * Issue #4 in a real browser: an admin signs in, watches a machine driven by a real MQTT
 * client go in use and back to free without reloading, puts it into maintenance, ends a
 * session, and opens the admin and "today" pages; axe-core and a screenshot on each page.
 */
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, createQualification } from '../support/lab.ts';
import { connectDevice, nextMessage, startSystem, type TestSystem } from '../support/system.ts';
import {
  badgeIn,
  endSession,
  expectAccessible,
  launchBrowser,
  runtime,
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
const M = 'laser-1';

beforeAll(async () => {
  [sys, browser] = await Promise.all([startSystem(), launchBrowser()]);
  await createQualification(sys, 'laser');
  const machine = await sys.api('POST', '/machines', {
    id: M,
    name: 'Trotec Speedy 300',
    kind: 'laser',
    pricePerMinuteCents: 50,
    minimumChargeCents: 100,
    qualifications: ['laser'],
  });
  expect(machine.status).toBe(201);
  const door = await sys.api('POST', '/machines', {
    id: 'door',
    name: 'Porte d’entrée',
    kind: 'door',
    pricePerMinuteCents: 0,
    minimumChargeCents: 0,
    qualifications: [],
  });
  expect(door.status).toBe(201);
  const creds = await sys.api('POST', `/machines/${M}/devices`, {});
  device = await connectDevice(sys.server.mqttUrl, creds.body.deviceId, creds.body.secret);
  await device.subscribeAsync([topic(M, 'decision'), topic(M, 'command')], { qos: 1 });
  admin = await staffWithPassword(sys, ['admin'], { name: 'Dominique Admin' });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await device?.endAsync();
  await browser?.close();
  await sys?.stop();
});

const card = () => page.locator(`#machine-${M}`);

describe('the dashboard for an admin', () => {
  it('signs in with a password and lands on the live board', async () => {
    await page.goto(`${sys.baseUrl}/`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/sign-in');
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');

    await signIn(page, sys.baseUrl, admin.email, 'wrong password!');
    expect(await page.getByRole('alert').textContent()).toContain('incorrect');

    await signIn(page, sys.baseUrl, admin.email);
    expect(new URL(page.url()).pathname).toBe('/board');
    expect(await page.locator('h1').textContent()).toBe('Machines en direct');
  });

  it('shows a machine go in use and back to free without reloading', async () => {
    await page.goto(`${sys.baseUrl}/board`);
    await page.getByText('Mises à jour en direct').waitFor();
    // A marker that a reload or navigation would erase.
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
    });

    await status(device, M, true);
    await expect.poll(() => card().getAttribute('data-state')).toBe('free');
    expect(await card().textContent()).toContain('Libre');

    const member = await createMember(sys, { name: 'Camille Martin', creditCents: 1000, certify: ['laser'] });
    const decision = await badgeIn(device, M, member.uid);
    expect(decision.granted).toBe(true);
    await expect.poll(() => card().getAttribute('data-state')).toBe('in_use');
    expect(await card().textContent()).toContain('Camille Martin');
    expect(await card().textContent()).toContain('En cours d’utilisation');

    await runtime(device, M, decision.sessionId, 125);
    await expect.poll(() => card().locator('dl.session').textContent()).toContain('1,50');
    await expectAccessible(page, 'board in use');
    await screenshot(page, 'board-in-use');

    await endSession(device, M, decision.sessionId, 130);
    await expect.poll(() => card().getAttribute('data-state')).toBe('free');
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
  });

  it('lets an admin put a machine into maintenance and back', async () => {
    await page.goto(`${sys.baseUrl}/board`);
    await card().getByRole('button', { name: 'Mettre en maintenance' }).click();
    await page.waitForLoadState('domcontentloaded');
    await expect.poll(() => card().getAttribute('data-state')).toBe('maintenance');
    expect(await card().textContent()).toContain('En maintenance');
    expect((await sys.api('GET', `/machines/${M}`)).body.state).toBe('maintenance');

    await card().getByRole('button', { name: 'Remettre en service' }).click();
    await page.waitForLoadState('domcontentloaded');
    await expect.poll(() => card().getAttribute('data-state')).toBe('free');
  });

  it('ends a session from the board: the board gets lock, and the card goes free', async () => {
    const member = await createMember(sys, { name: 'Sacha Bernard', creditCents: 1000, certify: ['laser'] });
    await page.goto(`${sys.baseUrl}/board`);
    await page.getByText('Mises à jour en direct').waitFor();
    const decision = await badgeIn(device, M, member.uid);
    await expect.poll(() => card().getAttribute('data-state')).toBe('in_use');
    const lock = nextMessage(
      device,
      topic(M, 'command'),
      (c: { sessionId?: string }) => c.sessionId === decision.sessionId,
    );
    // Two steps (issue #12 item 7): the first click only asks.
    await card().getByText('Arrêter la session', { exact: true }).click();
    await card().getByRole('button', { name: 'Oui, arrêter la session' }).click();
    expect(await lock).toMatchObject({ action: 'lock', reason: 'operator' });
    await page.getByRole('status').filter({ hasText: 'Arrêt demandé' }).waitFor();
    await endSession(device, M, decision.sessionId, 5);
    await expect.poll(() => card().getAttribute('data-state')).toBe('free');
  });

  it('counts today’s unique visitors from badges', async () => {
    await page.goto(`${sys.baseUrl}/today`);
    // Camille and Sacha badged at the laser today.
    expect(await page.getByTestId('visitors-total').textContent()).toBe('2');
    await expectAccessible(page, 'today');
    await screenshot(page, 'today');
  });

  it('manages machines, boards (secret shown once) and staff', async () => {
    await page.goto(`${sys.baseUrl}/admin/machines`);
    await expectAccessible(page, 'admin machines');
    await screenshot(page, 'admin-machines');

    await page.goto(`${sys.baseUrl}/admin/machines/${M}`);
    await page.getByLabel('Prix par minute (€)').fill('0,60');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect((await sys.api('GET', `/machines/${M}`)).body.pricePerMinuteCents).toBe(60);

    await page.goto(`${sys.baseUrl}/admin/devices`);
    await expectAccessible(page, 'admin devices');
    await screenshot(page, 'admin-devices');
    await page.getByLabel('Libellé du nouveau boîtier').first().fill('relais');
    await page.getByRole('button', { name: 'Ajouter un boîtier' }).first().click();
    const secret = await page.getByTestId('device-secret').inputValue();
    expect(secret).toMatch(/^dev_/);
    await screenshot(page, 'admin-device-secret');

    await page.goto(`${sys.baseUrl}/admin/staff`);
    await expectAccessible(page, 'admin staff');
    await screenshot(page, 'admin-staff');
    await page.getByLabel('Nom', { exact: true }).first().fill('Lou Trésorière');
    await page.getByLabel('Adresse e-mail').first().fill(`${crypto.randomUUID()}@example.org`);
    await page.locator('#new-staff-h + form').getByLabel('Trésorerie').check();
    await page.getByRole('button', { name: 'Ajouter une personne à l’équipe' }).click();
    const link = await page.getByLabel('Lien').inputValue();
    expect(link).toContain('/access/acc_');
  });

  it('works in English on a phone', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const p = await phone.newPage();
    await signIn(p, sys.baseUrl, admin.email);
    await p.goto(`${sys.baseUrl}/board?lang=en`);
    expect(await p.locator('h1').textContent()).toBe('Live machines');
    expect(await p.locator('html').getAttribute('lang')).toBe('en');
    // No sideways scrolling of the page on a phone.
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAccessible(p, 'board on a phone');
    await screenshot(p, 'board-phone-en');
    await phone.close();
  });
});
