/**
 * Issue #9 in a real browser: offline sessions the server held (forged over the real broker)
 * are listed for the treasurer by member and machine name, and accepted or refused after a
 * confirmation step; the card moves only on accept. axe-core and a screenshot.
 */
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, createQualification, type LabMember } from '../support/lab.ts';
import { connectDevice, eventually, startSystem, type TestSystem } from '../support/system.ts';
import { expectAccessible, launchBrowser, screenshot, signIn, staffWithPassword, topic } from './support.ts';

let sys: TestSystem;
let browser: Browser;
let device: MqttClient;
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
  const creds = await sys.api('POST', `/machines/${M}/devices`, {});
  device = await connectDevice(sys.server.mqttUrl, creds.body.deviceId, creds.body.secret);
});

afterAll(async () => {
  await device?.endAsync();
  await browser?.close();
  await sys?.stop();
});

/** A session dated 2020 (before any list): held, not billed. */
async function forged(m: LabMember): Promise<string> {
  const sessionId = `off-${crypto.randomUUID()}`;
  const common = {
    sessionId,
    badge: m.uid,
    startedAt: '2020-03-02T09:00:00.000Z',
    at: new Date().toISOString(),
  };
  await device.publishAsync(
    topic(M, 'end'),
    JSON.stringify({ ...common, eventId: crypto.randomUUID(), runningSeconds: 600, reason: 'badge_out' }),
    { qos: 1 },
  );
  return eventually(async () => {
    const res = await sys.api('GET', '/offline-reviews?status=pending');
    return (res.body.items as any[]).find((r) => r.sessionId === sessionId)?.id as string | undefined;
  }, 10_000);
}

const balance = async (m: LabMember) => (await sys.api('GET', `/members/${m.id}`)).body.balanceCents;

describe('the treasurer’s offline review page', () => {
  it('lists held sessions by name and accepts or refuses them after confirming', async () => {
    const alix = await createMember(sys, { name: 'Alix Dupont', creditCents: 1000, certify: ['laser'] });
    const noa = await createMember(sys, { name: 'Noa Martin', creditCents: 1000, certify: ['laser'] });
    await forged(alix);
    await forged(noa);
    const treasurer = await staffWithPassword(sys, ['treasurer'], { name: 'Sacha Trésorière' });
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, sys.baseUrl, treasurer.email);
    await page.goto(`${sys.baseUrl}/treasurer`);
    await page.getByRole('link', { name: 'Sessions hors ligne' }).click();
    await page.waitForURL(/\/treasurer\/offline$/);
    const table = page.getByRole('table');
    const text = await table.innerText();
    expect(text).toContain('Alix Dupont');
    expect(text).toContain('Noa Martin');
    expect(text).toContain('Trotec Speedy 300');
    expect(text).toContain('Début avant la liste de la machine');
    expect(text).toContain('10 min');
    await expectAccessible(page, 'treasurer offline reviews');
    await screenshot(page, 'treasurer-offline-reviews');

    await page.getByRole('link', { name: 'Accepter la session de Alix Dupont' }).click();
    expect(await page.getByText('Débiter la carte de Alix Dupont').count()).toBe(1);
    expect(await balance(alix)).toBe(1000); // nothing before the confirmation
    await expectAccessible(page, 'confirm accept');
    await page.getByRole('button', { name: 'Oui, accepter et débiter' }).click();
    await page.waitForURL(/\/treasurer\/offline$/);
    expect(await page.getByRole('status').or(page.locator('.flash')).first().innerText()).toContain(
      'acceptée',
    );
    expect(await balance(alix)).toBe(1000 - 500);

    await page.getByRole('link', { name: 'Refuser la session de Noa Martin' }).click();
    await page.getByRole('button', { name: 'Oui, refuser' }).click();
    await page.waitForURL(/\/treasurer\/offline$/);
    expect(await page.locator('.flash').first().innerText()).toContain('rien n’a été débité');
    expect(await balance(noa)).toBe(1000);
    expect(await page.getByText('Aucune session hors ligne en attente.').count()).toBe(1);
    const decided = await page.getByRole('table').innerText();
    expect(decided).toContain('Acceptée');
    expect(decided).toContain('Refusée');
    await page.close();
  });

  it('is not for trainers', async () => {
    const trainer = await staffWithPassword(sys, ['trainer'], { trainerOf: ['laser'] });
    const page = await browser.newPage();
    await signIn(page, sys.baseUrl, trainer.email);
    const res = await page.goto(`${sys.baseUrl}/treasurer/offline`);
    expect(res?.status()).toBe(403);
    await page.close();
  });
});
