/**
 * Issue #11 in a real browser: the treasurer's accounting page shows each account with the
 * label Paheko's chart gives it, refuses an account the chart lacks (naming it and the chart,
 * saving nothing), accepts it once declared as a sub-account; English too; not for trainers;
 * a cross-site post is refused. axe-core and screenshots.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../support/system.ts';
import { expectAccessible, launchBrowser, screenshot, signIn, staffWithPassword } from './support.ts';

let sys: TestSystem;
let browser: Browser;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startSystem(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

async function treasurerPage(): Promise<Page> {
  const staff = await staffWithPassword(sys, ['treasurer'], { name: 'Dominique Trésorière' });
  const page = await browser.newPage();
  await signIn(page, sys.baseUrl, staff.email);
  return page;
}

const settings = async () => (await sys.api('GET', '/settings/accounting')).body;

describe('the accounting settings page', () => {
  it('shows the accounts with their chart labels, refuses one missing from the chart, accepts it declared', async () => {
    const page = await treasurerPage();
    await page.goto(`${sys.baseUrl}/treasurer/accounting`);
    const table = page.getByRole('table', { name: 'Comptes utilisés par les exports' });
    const row = (label: string) => table.getByRole('row').filter({ hasText: label });
    expect(await row('Chèques à encaisser').getByRole('cell').last().textContent()).toBe(
      'Chèques à encaisser',
    );
    expect(await page.getByLabel('Paiements par carte (terminal)').inputValue()).toBe('5115');
    expect(await row('Cartes machines des membres').textContent()).toContain(
      'Usagers créditeurs : Avances et acomptes',
    );
    await expectAccessible(page, 'accounting settings');
    await screenshot(page, 'treasurer-accounting');

    const before = await settings();
    await page.getByLabel('Utilisation — Découpe laser').fill('7061');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Rien n’a été enregistré' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain(
      'le compte 7061 n’existe pas dans le plan comptable associatif 2025',
    );
    expect(await page.getByLabel('Utilisation — Découpe laser').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Utilisation — Découpe laser').inputValue()).toBe('7061');
    await expectAccessible(page, 'accounting refused');
    await screenshot(page, 'treasurer-accounting-refused');
    expect(await settings()).toEqual(before);

    await page.getByLabel('Sous-comptes créés dans votre comptabilité').fill('7061 Découpe laser');
    await page.getByLabel('SIREN de l’association').fill('123456789');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('status').filter({ hasText: 'Réglages comptables enregistrés' }).waitFor();
    expect(await row('Utilisation — Découpe laser').textContent()).toContain('Découpe laser');
    const after = await settings();
    expect(after).toMatchObject({
      machineRevenue: { laser: '7061' },
      subAccounts: [{ number: '7061', label: 'Découpe laser' }],
      siren: '123456789',
      check: '5112',
    });

    // A bad SIREN is shown on the page; nothing changes.
    await page.getByLabel('SIREN de l’association').fill('12345');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('alert').filter({ hasText: 'SIREN de l’association : valeur refusée' }).waitFor();
    expect(await settings()).toEqual(after);

    // A post from another site is refused.
    const forged = await page.request.post(`${sys.baseUrl}/treasurer/accounting`, {
      form: { chart: 'pca-2018', 'account.cash': '531' },
      headers: { origin: 'https://evil.example' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    // Malformed and oversized posts: refused on the page, nothing saved.
    const malformed: Record<string, string>[] = [
      { chart: 'pcg-1999' },
      { chart: 'pca-2025', 'account.cash': 'x'.repeat(500) },
      { chart: 'pca-2025', subAccounts: '7061' },
    ];
    for (const form of malformed) {
      const r = await page.request.post(`${sys.baseUrl}/treasurer/accounting`, {
        form,
        headers: { origin: sys.baseUrl },
        maxRedirects: 0,
      });
      expect(r.status()).toBe(400);
    }
    expect(await settings()).toEqual(after);

    // The treasurer's report offers Paheko's file per session and debit by debit.
    await page.goto(`${sys.baseUrl}/treasurer`);
    for (const [link, file] of [
      ['Télécharger pour Paheko (CSV)', /^attachment; filename="paheko-[0-9-_]+\.csv"/],
      ['Paheko, débit par débit (CSV)', /^attachment; filename="paheko-[0-9-_]+-detail\.csv"/],
    ] as const) {
      const href = await page.getByRole('link', { name: link }).getAttribute('href');
      const res = await page.request.get(`${sys.baseUrl}${href}`);
      expect(res.status(), link).toBe(200);
      expect(res.headers()['content-disposition']).toMatch(file);
    }

    await page.goto(`${sys.baseUrl}/treasurer/accounting?lang=en`);
    expect(await page.getByRole('table', { name: 'Accounts used by the exports' }).count()).toBe(1);
    expect(await page.getByLabel('Card terminal payments').inputValue()).toBe('5115');
    await expectAccessible(page, 'accounting settings en');
    await page.close();
  });

  it('is not for trainers', async () => {
    const trainer = await staffWithPassword(sys, ['trainer']);
    const page = await browser.newPage();
    await signIn(page, sys.baseUrl, trainer.email);
    const res = await page.goto(`${sys.baseUrl}/treasurer/accounting`);
    expect(res?.status()).toBe(403);
    const post = await page.request.post(`${sys.baseUrl}/treasurer/accounting`, {
      form: { chart: 'pca-2018' },
      headers: { origin: sys.baseUrl },
      maxRedirects: 0,
    });
    expect(post.status()).toBe(403);
    expect((await settings()).chart).toBe('pca-2025');
    await page.close();
  });
});
