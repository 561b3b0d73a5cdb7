/**
 * Issue #12 items 4, 7, 8, 9: the sessions history and its CSV, the audit log, "Mes machines",
 * words instead of codes, and the two-step confirmations, over real HTTP and in Chromium at
 * a desktop's and a phone's size (axe on each new page). Abuse: a member reaches neither the
 * history nor the log, malformed filters are a 400 page with nothing searched, a cross-site
 * post changes nothing.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../core/csv.ts';
import { connectDevice, eventually, nextMessage, startSystem, type TestSystem } from '../support/system.ts';
import { cookieOf, get, type PagesLab, setUpLab } from './pages-lab.ts';
import {
  badgeIn,
  endSession,
  expectAccessible,
  launchBrowser,
  PASSWORD,
  screenshot,
  signIn,
  topic,
} from './support.ts';

let sys: TestSystem;
let browser: Browser;
let lab: PagesLab;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  [sys, browser] = await Promise.all([startSystem(), launchBrowser()]);
  lab = await setUpLab(sys);
  for (const role of ['admin', 'trainer', 'treasurer'] as const)
    cookies[role] = await cookieOf(sys.baseUrl, lab[role].email);
  cookies.member = await cookieOf(sys.baseUrl, lab.camille.email);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

const SIZES = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

async function signedIn(email: string, size = SIZES[0]!): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: size, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, sys.baseUrl, email);
  return { context, page };
}

// Today in the lab's time zone (Europe/Paris): near midnight UTC it is already tomorrow there.
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());

describe('sessions history (issue #12 item 9)', () => {
  it('filters by member, machine, end reason and inclusive days, with words', async () => {
    const page = (q: string) => get(sys.baseUrl, cookies.treasurer!, `/sessions${q}`);
    const all = await page('');
    expect(all.status).toBe(200);
    expect(all.text).toContain('Camille Martin');
    expect(all.text).toContain('Trotec Speedy 300');
    expect(all.text).toContain('Badge de sortie');
    expect(all.text).not.toContain('badge_out<');
    expect((await page('?machine=cnc-1')).text).not.toContain('Camille Martin');
    expect((await page('?q=sacha')).text).not.toContain('Trotec Speedy 300</td>');
    expect((await page('?q=CAMILLE&machine=laser-1&reason=badge_out')).text).toContain('Camille Martin');
    expect((await page('?reason=timeout')).text).not.toContain('Camille Martin');
    // "Au (inclus)": a session of today is in a range that ends today.
    expect((await page(`?from=${today()}&until=${today()}`)).text).toContain('Camille Martin');
    expect((await page('?until=2020-01-31')).text).not.toContain('Camille Martin');
    expect((await page('?lang=en')).text).toContain('Badged out');
  });

  it('answers malformed filters with a 400 page that searched nothing', async () => {
    for (const q of [
      '?machine=../etc',
      '?reason=lock',
      '?from=2026-02-31',
      '?from=yesterday',
      '?from=2026-03-10&until=2026-03-01',
      '?page=0',
      '?page=abc',
      `?q=${'x'.repeat(150)}`,
    ]) {
      const res = await get(sys.baseUrl, cookies.admin!, `/sessions${q}`);
      expect(res.status, q).toBe(400);
      expect(res.text, q).toContain('Filtre invalide');
      expect(res.text, q).not.toContain('Camille Martin</a>');
      const csv = await get(sys.baseUrl, cookies.admin!, `/sessions/export.csv${q}`);
      expect(csv.status, q).toBe(400);
    }
  });

  it('exports the same selection as a CSV in the page language, ids last', async () => {
    const fr = await get(
      sys.baseUrl,
      cookies.trainer!,
      '/sessions/export.csv?machine=laser-1&reason=badge_out',
    );
    expect(fr.status).toBe(200);
    expect(fr.headers.get('content-type')).toContain('text/csv');
    const rows = parseCsv(fr.text);
    expect(rows[0]!.fields.slice(0, 4)).toEqual(['Session', 'Machine', 'Type de machine', 'Membre']);
    expect(rows).toHaveLength(2);
    const row = rows[1]!.fields;
    expect(row.slice(1, 4)).toEqual(['Trotec Speedy 300', 'Découpe laser', 'Camille Martin']);
    expect(row[11]).toBe('Badge de sortie');
    expect(row.slice(-2)).toEqual(['laser-1', lab.camille.id]);
    expect(
      parseCsv((await get(sys.baseUrl, cookies.trainer!, '/sessions/export.csv?machine=cnc-1')).text),
    ).toHaveLength(1);
    const en = await get(sys.baseUrl, cookies.trainer!, '/sessions/export.csv?lang=en');
    expect(parseCsv(en.text)[1]!.fields[11]).toBe('Badged out');
  });

  it('is for staff only: a member and a stranger are turned away', async () => {
    for (const path of ['/sessions', '/sessions/export.csv', `/sessions?member=${lab.sacha.id}`]) {
      const member = await get(sys.baseUrl, cookies.member!, path);
      expect(member.status, path).toBe(403);
      expect(member.text).not.toContain('Sacha Bernard');
      const stranger = await get(sys.baseUrl, null, path);
      expect(stranger.status).toBe(303);
      expect(stranger.headers.get('location')).toMatch(/^\/sign-in/);
    }
  });
});

describe('audit log (issue #12 item 9)', () => {
  it('shows who did what by name, filtered by actor, action and day', async () => {
    // The trainer certifies Sacha through the dashboard: an audit entry by the trainer.
    const res = await fetch(`${sys.baseUrl}/trainers/certify`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: cookies.trainer!,
        origin: sys.baseUrl,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ memberId: lab.sacha.id, qualificationId: 'laser' }),
    });
    expect(res.status).toBe(303);
    // The confirmation names the qualification, not its id (item 4).
    const raw = res.headers.getSetCookie().find((c) => c.startsWith('sesame_flash='))!;
    const flash = decodeURIComponent(decodeURIComponent(raw));
    expect(flash).toContain('habilité·e pour Découpe laser');

    const actor = encodeURIComponent(`staff:${lab.trainer.id}`);
    const log = await get(
      sys.baseUrl,
      cookies.admin!,
      `/admin/audit?actor=${actor}&action=certify&from=${today()}`,
    );
    expect(log.status).toBe(200);
    expect(log.text).toContain('Noa Formatrice (formateur·rice)');
    expect(log.text).toContain('Habilitation');
    expect(log.text).not.toContain(`staff:${lab.trainer.id}</td>`);
    const none = await get(sys.baseUrl, cookies.admin!, `/admin/audit?actor=${actor}&action=erase`);
    expect(none.text).toContain('Aucune entrée');
  });

  it('answers malformed filters with 400, and only admins may read it', async () => {
    for (const q of ['?actor=<script>', '?action=DROP%20TABLE', '?until=31/03/2026', '?page=-2']) {
      const res = await get(sys.baseUrl, cookies.admin!, `/admin/audit${q}`);
      expect(res.status, q).toBe(400);
      expect(res.text).toContain('Filtre invalide');
    }
    for (const who of ['member', 'trainer', 'treasurer']) {
      const res = await get(sys.baseUrl, cookies[who]!, '/admin/audit');
      expect(res.status, who).toBe(403);
      expect(res.text).not.toContain('Noa Formatrice (formateur');
    }
  });
});

describe('Mes machines (issue #12 item 8)', () => {
  it('lists what the member may use first, prices, whether it is free, and the top-up link once HelloAsso is set', async () => {
    const before = await get(sys.baseUrl, cookies.member!, '/me/machines');
    expect(before.status).toBe(200);
    expect(before.text).toContain('Trotec Speedy 300');
    expect(before.text.indexOf('Trotec Speedy 300')).toBeLessThan(before.text.indexOf('Shaper Origin'));
    expect(before.text).toContain('Vous êtes habilité·e');
    expect(before.text).toContain('Fraiseuse CNC');
    expect(before.text).toContain('0,50\u00a0€/min');
    expect(before.text).not.toContain('data-testid="topup-link"');
    expect(before.text).toContain('passez à l’accueil');
    const put = await sys.api('PUT', '/settings/helloasso', {
      organizationSlug: 'la-machinerie',
      formType: 'Shop',
      formSlug: 'carte-machine',
    });
    expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
    const after = await get(sys.baseUrl, cookies.member!, '/me/machines');
    expect(after.text).toContain(
      'href="https://www.helloasso.com/associations/la-machinerie/boutiques/carte-machine"',
    );
    // Staff have no "my machines": it is a member's own page.
    expect((await get(sys.baseUrl, cookies.admin!, '/me/machines')).status).toBe(403);
  });
});

describe('in Chromium, at 1280 and 390 px', () => {
  it('shows the new pages accessibly', async () => {
    for (const size of SIZES) {
      for (const [email, paths] of [
        [lab.admin.email, [`/sessions?q=camille`, '/admin/audit']],
        [lab.camille.email, ['/me/machines', '/me']],
      ] as const) {
        const { context, page } = await signedIn(email, size);
        for (const path of paths) {
          await page.goto(`${sys.baseUrl}${path}`);
          await expectAccessible(page, `${path} at ${size.width}`);
          await screenshot(page, `pages-${path.replace(/[^a-z]+/g, '-')}-${size.width}`);
        }
        if (email === lab.camille.email && size.width === 390) {
          // The member's own sessions: "Débité" is on screen, not off to the right.
          await page.goto(`${sys.baseUrl}/me`);
          const charged = page.locator('td[data-label="Débité"]').first();
          const box = await charged.boundingBox();
          expect(box).not.toBeNull();
          expect(box!.x + box!.width).toBeLessThanOrEqual(390);
          await expect(charged.isVisible()).resolves.toBe(true);
          // The navigation folds behind "Menu" and opens on a tap.
          const link = page.getByRole('link', { name: 'Mes machines' });
          await expect(link.isVisible()).resolves.toBe(false);
          await page.locator('details.menu > summary').click();
          await expect(link.isVisible()).resolves.toBe(true);
        }
        await context.close();
      }
    }
  }, 120_000);

  it('asks before ending a session, locking out a machine or revoking a board', async () => {
    const { context, page } = await signedIn(lab.admin.email);
    // An open session on the laser: Camille badges in again.
    const creds = await sys.api('POST', '/machines/laser-1/devices', { label: 'relais' });
    const board = await connectDevice(sys.server.mqttUrl, creds.body.deviceId, creds.body.secret);
    await board.subscribeAsync(topic('laser-1', 'decision'), { qos: 1 });
    await board.subscribeAsync(topic('laser-1', 'command'), { qos: 1 });
    const decision = await badgeIn(board, 'laser-1', lab.camille.uid);
    expect(decision.granted).toBe(true);
    await page.goto(`${sys.baseUrl}/board`);
    const card = page.locator('#machine-laser-1');
    await card.getByText('Arrêter la session', { exact: true }).click();
    await expect(
      card
        .getByText('Arrêter la session de Camille Martin sur Trotec Speedy 300 ?', { exact: false })
        .isVisible(),
    ).resolves.toBe(true);
    const lock = nextMessage<{ action: string; sessionId: string }>(board, topic('laser-1', 'command'));
    await card.getByRole('button', { name: 'Oui, arrêter la session' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect(await lock).toMatchObject({ action: 'lock', sessionId: decision.sessionId });
    await endSession(board, 'laser-1', decision.sessionId, 30);
    await eventually(async () => (await sys.api('GET', `/sessions/${decision.sessionId}`)).body.endedAt);
    await board.endAsync();
    await page.goto(`${sys.baseUrl}/board`);
    // The problem report is a disclosure with a marker.
    const marker = await card
      .locator('details.report-form > summary')
      .evaluate((el) => getComputedStyle(el, '::before').content);
    expect(marker).toContain('▸');
    // Lock out: the first click only opens the question.
    await card.getByText('Verrouiller', { exact: true }).click();
    await expect(card.getByText(/Verrouiller Trotec Speedy 300 \?/).isVisible()).resolves.toBe(true);
    expect((await sys.api('GET', '/machines/laser-1')).body.state).toBe('available');
    await card.getByRole('button', { name: 'Oui, verrouiller' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect((await sys.api('GET', '/machines/laser-1')).body.state).toBe('locked_out');
    await page.locator('#machine-laser-1').getByRole('button', { name: 'Remettre en service' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect((await sys.api('GET', '/machines/laser-1')).body.state).toBe('available');

    // Revoke a board: the same two steps, naming the board.
    await page.goto(`${sys.baseUrl}/admin/devices`);
    await page.locator('summary[aria-label="Révoquer le boîtier lecteur"]').click();
    await expect(
      page.getByText(/Révoquer le boîtier « lecteur » \(Trotec Speedy 300\)/).isVisible(),
    ).resolves.toBe(true);
    const devices = async () => (await sys.api('GET', '/machines/laser-1/devices')).body;
    expect(JSON.stringify(await devices())).not.toContain('revokedAt":"20');
    await expectAccessible(page, 'revoke confirmation');
    await page.getByRole('button', { name: 'Oui, révoquer' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect(JSON.stringify(await devices())).toContain('revokedAt":"20');
    await context.close();
  }, 120_000);

  it('refuses a cross-site post to end a session or lock a machine', async () => {
    for (const [path, body] of [
      ['/board/laser-1/state', { state: 'locked_out' }],
      ['/board/laser-1/end', { sessionId: lab.sessionId }],
    ] as const) {
      const res = await fetch(`${sys.baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie: cookies.admin!,
          origin: 'https://evil.example',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(body),
      });
      expect(res.status, path).toBe(403);
    }
    expect((await sys.api('GET', '/machines/laser-1')).body.state).toBe('available');
  });

  it('fills in the e-mail after a password is set from a link, and serves /favicon.ico', async () => {
    const made = await fetch(`${sys.baseUrl}/members/${lab.sacha.id}/access-link`, {
      method: 'POST',
      headers: {
        cookie: cookies.admin!,
        origin: sys.baseUrl,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: '',
    });
    expect(made.status).toBe(200);
    const url = new URL(/value="([^"]*\/access\/[^"]+)"/.exec(await made.text())![1]!);
    const context = await browser.newContext({ viewport: SIZES[1] });
    const page = await context.newPage();
    await page.goto(`${sys.baseUrl}${url.pathname}?lang=fr`);
    await page.getByLabel('Nouveau mot de passe').fill(PASSWORD);
    await page
      .getByRole('button')
      .filter({ hasText: /Enregistrer/ })
      .click();
    await page.waitForURL(/\/sign-in/);
    const sacha = await sys.api('GET', `/members/${lab.sacha.id}`);
    await expect(page.getByLabel('Adresse e-mail').inputValue()).resolves.toBe(sacha.body.email);
    // Once only: a reload shows an empty form again.
    await page.reload();
    await expect(page.getByLabel('Adresse e-mail').inputValue()).resolves.toBe('');
    const icon = await page.request.get(`${sys.baseUrl}/favicon.ico`);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toContain('image/svg+xml');
    await context.close();
  });
});
