/**
 * Issue #5 in a real browser: attendance for funders (counts from badge events, small counts
 * hidden, CSV), the treasurer's reconciliation and month close (normal, then refused and
 * forced with a reason), the HelloAsso queue, the member import (a row error writes nothing,
 * a valid file writes all) and a member's GDPR export and erasure. axe-core and screenshots.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloassoPayments, machineEvents, members } from '../../db/schema.ts';
import { insertMember, topup } from '../support/ledger-fixtures.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { expectAccessible, launchBrowser, screenshot, signIn, staffWithPassword } from './support.ts';

let sys: TestSystem;
let browser: Browser;

const monthAgo = (n: number) => {
  const now = new Date();
  // The 15th at noon UTC is inside the same month in the lab's (European) time zone.
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 15, 12));
  const period = `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
  return { at, period };
};

beforeAll(async () => {
  [sys, browser] = await Promise.all([startSystem(), launchBrowser()]);
  const db = sys.database.db;
  // 13 visitors this month: 6 students, 5 employees, 1 retiree, 1 teacher (the last two are
  // under 5: hidden), badging at the door and at a machine, some twice.
  const people: [string, number][] = [
    ['student', 6],
    ['employee', 5],
    ['retiree', 1],
    ['teacher', 1],
  ];
  for (const [category, n] of people) {
    for (let i = 0; i < n; i++) {
      const id = `att-${randomUUID()}`;
      await db.insert(members).values({
        id,
        name: `Visiteur ${category} ${i}`,
        email: `${id}@example.org`,
        category,
        birthYear: 2000,
      });
      for (const machineId of ['door', 'laser-1']) {
        await db.insert(machineEvents).values({
          id: randomUUID(),
          machineId,
          kind: 'badge',
          memberId: id,
          granted: true,
          receivedAt: new Date(),
        });
      }
    }
  }
});

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

async function signedIn(
  roles: string[],
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const staff = await staffWithPassword(sys, roles, { name: `Équipe ${roles.join(' ')}` });
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, sys.baseUrl, staff.email);
  return { context, page };
}

describe('the treasurer’s and funders’ pages', () => {
  it('shows attendance with small counts hidden, as tables and charts, and downloads the CSV', async () => {
    const { context, page } = await signedIn(['treasurer']);
    await page.goto(`${sys.baseUrl}/attendance`);
    expect(await page.getByTestId('attendance-visitors').textContent()).toBe('13');
    expect(await page.getByTestId('attendance-visits').textContent()).toBe('13');
    const categories = page.getByRole('table', { name: 'Par catégorie de membre' });
    const row = (label: string) => categories.getByRole('row').filter({ hasText: label });
    expect(await row('Étudiant·e').getByRole('cell').nth(1).textContent()).toBe('6');
    expect(await row('Salarié·e').getByRole('cell').nth(1).textContent()).toBe('5');
    expect(await row('Retraité·e').getByRole('cell').nth(1).textContent()).toBe('< 5');
    expect(await row('Enseignant·e').getByRole('cell').nth(1).textContent()).toBe('< 5');
    const ages = page.getByRole('table', { name: 'Par tranche d’âge' });
    expect(await ages.getByRole('row').filter({ hasText: 'Plus de 25 ans' }).textContent()).toContain('13');
    const days = page.getByRole('table', { name: 'Visiteurs uniques par jour' });
    expect(await days.getByRole('row').count()).toBe(2);
    expect(await days.textContent()).toContain('13');
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
    // Issue #11: gender and residence (nobody gave them here: all "not specified"), and door
    // entries named visits.
    const genders = page.getByRole('table', { name: 'Par genre' });
    expect(await genders.getByRole('row').filter({ hasText: 'Non précisé' }).textContent()).toContain('13');
    const residence = page.getByRole('table', { name: 'Par lieu de résidence' });
    expect(await residence.getByRole('row').filter({ hasText: 'Non précisé' }).textContent()).toContain('13');
    const kinds = page.getByRole('table', { name: 'Sessions machine par type' });
    expect(await kinds.textContent()).toContain('Visites (entrées par la porte)');
    expect(await page.locator('canvas').count()).toBe(7);
    await expectAccessible(page, 'attendance');
    await screenshot(page, 'attendance');

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger par mois (CSV)' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^frequentation-.*\.csv$/);
    const text = await readFile((await csv.path())!, 'utf8');
    expect(text.split('\r\n')[0]).toContain('Mois');
    expect(text).toContain('Total période;13;13');
    const daily = await page.request.get(`${sys.baseUrl}/attendance/export.csv?per=day`);
    expect(daily.status()).toBe(200);
    expect(daily.headers()['content-disposition']).toMatch(/^attachment; filename="frequentation-jours-/);
    await context.close();

    // Trainers read it too; members do not.
    const trainer = await signedIn(['trainer'], { width: 390, height: 844 });
    await trainer.page.goto(`${sys.baseUrl}/attendance?lang=en`);
    expect(await trainer.page.getByTestId('attendance-visitors').textContent()).toBe('13');
    const overflow = await trainer.page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    expect(overflow).toBe(false);
    await screenshot(trainer.page, 'attendance-phone-en');
    await trainer.page.goto(`${sys.baseUrl}/attendance?lang=fr`);
    await trainer.context.close();
  });

  it('closes a month whose checks pass, and refuses one whose checks fail unless forced with a reason', async () => {
    const db = sys.database.db;
    const a = monthAgo(3);
    const b = monthAgo(4);
    const payer = await insertMember(db, 'Dominique Payeur');
    await topup(db, payer, 2500, 'cash', b.at);
    await topup(db, payer, 1200, 'card', a.at);

    const { context, page } = await signedIn(['treasurer']);
    await page.goto(`${sys.baseUrl}/treasurer/checks`);
    for (const id of ['check-balanced', 'check-liability', 'check-sessions']) {
      expect(await page.getByTestId(id).textContent()).toContain('Vérifié');
    }
    const methods = page.getByRole('table', { name: 'Recharges et remboursements par moyen de paiement' });
    expect(await methods.textContent()).toContain('Espèces');
    await expectAccessible(page, 'treasurer checks');
    await screenshot(page, 'treasurer-checks');

    await page.goto(`${sys.baseUrl}/treasurer/periods`);
    await page.getByLabel('Mois à clôturer').fill(a.period);
    await page.getByRole('button', { name: 'Vérifier le mois' }).click();
    await page.getByText('Les contrôles sont bons').waitFor();
    await expectAccessible(page, 'close a month');
    await screenshot(page, 'treasurer-close-ready');
    await page.getByRole('button', { name: 'Clôturer le mois' }).click();
    await page.getByRole('status').filter({ hasText: 'est clôturé' }).waitFor();
    const closed = page.getByRole('table', { name: 'Mois clôturés' });
    expect(await closed.getByRole('row').count()).toBe(2);
    expect(await closed.textContent()).toContain('Normale');
    const periods = await sys.api('GET', '/periods');
    expect(periods.body.items.map((p: { period: string }) => p.period)).toEqual([a.period]);

    // A cached balance that no longer matches the ledger: the checks fail, with the member behind it.
    const [before] = await db.select().from(members).where(eq(members.id, payer));
    await db.update(members).set({ balanceCents: 1 }).where(eq(members.id, payer));
    await page.goto(`${sys.baseUrl}/treasurer/periods?period=${b.period}`);
    expect(await page.getByTestId('check-liability').textContent()).toContain('Écart');
    const discrepancies = page.getByRole('table', { name: 'Écarts constatés' });
    expect(await discrepancies.getByRole('link', { name: payer }).count()).toBe(1);
    await expectAccessible(page, 'close refused');
    await screenshot(page, 'treasurer-close-discrepancy');
    await page.getByRole('button', { name: 'Clôturer le mois' }).click();
    await page.getByRole('alert').filter({ hasText: 'Clôture refusée' }).waitFor();
    await page.getByLabel('Forcer la clôture malgré les écarts').check();
    await page.getByRole('button', { name: 'Clôturer le mois' }).click();
    await page.getByRole('alert').filter({ hasText: 'indiquez une raison' }).waitFor();
    await page.getByLabel('Forcer la clôture malgré les écarts').check();
    await page.getByLabel('Raison de la clôture forcée').fill('Écart de 1 centime expliqué au bureau');
    await page.getByRole('button', { name: 'Clôturer le mois' }).click();
    await page.getByRole('status').filter({ hasText: 'est clôturé' }).waitFor();
    expect(await page.getByRole('table', { name: 'Mois clôturés' }).textContent()).toContain(
      'Écart de 1 centime expliqué au bureau',
    );
    await db.update(members).set({ balanceCents: before!.balanceCents }).where(eq(members.id, payer));
    const forced = (await sys.api('GET', '/periods')).body.items.find(
      (p: { period: string }) => p.period === b.period,
    );
    expect(forced).toMatchObject({ forced: true, reason: 'Écart de 1 centime expliqué au bureau' });
    await context.close();
  });

  it('lets the treasurer assign a HelloAsso payment no member matched', async () => {
    const db = sys.database.db;
    const member = await insertMember(db, 'Claude Sans-Mail');
    await db.insert(helloassoPayments).values({
      paymentId: '987654',
      state: 'Authorized',
      amountCents: 3000,
      cardCents: 3000,
      paidAt: new Date(),
      payerEmail: 'autre-adresse@example.net',
      payerName: 'Claude Sans-Mail',
      status: 'unmatched',
    });
    const { context, page } = await signedIn(['treasurer']);
    await page.goto(`${sys.baseUrl}/treasurer/helloasso`);
    await expectAccessible(page, 'helloasso queue');
    await screenshot(page, 'treasurer-helloasso');
    await page.getByRole('link', { name: 'Attribuer le paiement 987654' }).click();
    await page.getByRole('button', { name: 'Créditer Claude Sans-Mail' }).click();
    await page.getByRole('status').filter({ hasText: 'crédités sur la carte de Claude Sans-Mail' }).waitFor();
    expect(await page.getByText('Aucun paiement en attente.').count()).toBe(1);
    expect((await sys.api('GET', `/members/${member}`)).body.balanceCents).toBe(3000);
    await context.close();
  });

  it('imports members: a row error writes nothing, a valid file writes every row', async () => {
    const { context, page } = await signedIn(['admin']);
    const count = async () => (await sys.api('GET', '/members?limit=1')).body.total as number;
    const before = await count();
    const bad =
      'Nom;Prénom;Email;Catégorie\nDurand;Alix;alix@example.org;Étudiant\nPetit;Yann;pas-une-adresse;Retraité\n';
    await page.goto(`${sys.baseUrl}/admin/import`);
    await expectAccessible(page, 'import form');
    await page.getByLabel('Ou collez le contenu du fichier').fill(bad);
    await page.getByRole('button', { name: 'Prévisualiser' }).click();
    const errors = page.getByRole('table', { name: 'Erreurs à corriger' });
    await errors.waitFor();
    expect(await errors.getByRole('row').count()).toBe(2);
    expect(await errors.getByRole('cell').first().textContent()).toBe('3');
    expect(await page.getByRole('button', { name: /^Importer/ }).count()).toBe(0);
    await expectAccessible(page, 'import preview with an error');
    await screenshot(page, 'import-preview-error');
    // Posting the file to commit anyway: refused, nothing written.
    const refused = await page.request.post(`${sys.baseUrl}/admin/import/commit`, {
      form: { csv: bad },
      headers: { origin: sys.baseUrl },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(422);
    expect(await count()).toBe(before);

    const good =
      'Nom;Prénom;Email;Catégorie;Année de naissance\nDurand;Alix;alix@example.org;Étudiant;2004\nPetit;Yann;yann@example.org;Retraité;1955\n';
    await page.goto(`${sys.baseUrl}/admin/import`);
    await page.locator('#import-file').setInputFiles({
      name: 'adherents.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(good, 'utf8'),
    });
    await page.getByRole('button', { name: 'Prévisualiser' }).click();
    expect(await page.getByRole('table', { name: 'Ce que fera l’import' }).getByRole('row').count()).toBe(3);
    await screenshot(page, 'import-preview-ok');
    await page.getByRole('button', { name: 'Importer : 2 création(s), 0 mise(s) à jour' }).click();
    await page.getByRole('status').filter({ hasText: '2 membre(s) créé(s)' }).waitFor();
    expect(await count()).toBe(before + 2);
    await context.close();
  });

  it('exports a member’s data as JSON and erases them after a confirmation', async () => {
    const res = await sys.api('POST', '/members', { name: 'Robin Oubli', email: 'robin@example.org' });
    const id = res.body.id as string;
    const { context, page } = await signedIn(['admin']);
    await page.goto(`${sys.baseUrl}/members/${id}`);
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Exporter les données (JSON)' }).click(),
    ]);
    expect(json.suggestedFilename()).toBe(`member-${id}.json`);
    const data = JSON.parse(await readFile((await json.path())!, 'utf8'));
    expect(JSON.stringify(data)).toContain('robin@example.org');

    await page.getByRole('link', { name: 'Effacer (pseudonymiser)' }).click();
    await expectAccessible(page, 'erase confirmation');
    await screenshot(page, 'gdpr-erase-confirm');
    await page.getByLabel(/recopiez l’identifiant/).fill('pas le bon');
    await page.getByRole('button', { name: 'Effacer définitivement' }).click();
    await page.getByRole('alert').filter({ hasText: 'rien n’a été effacé' }).waitFor();
    expect((await sys.api('GET', `/members/${id}`)).body.name).toBe('Robin Oubli');
    await page.getByLabel(/recopiez l’identifiant/).fill(id);
    await page.getByRole('button', { name: 'Effacer définitivement' }).click();
    await page.getByRole('status').filter({ hasText: 'Membre effacé' }).waitFor();
    const exported = await sys.api('GET', `/members/${id}/data-export`);
    expect(exported.body.profile).toMatchObject({ name: expect.stringMatching(/^Membre effacé/) });
    expect(exported.body.profile.email).not.toContain('robin');
    await context.close();
  });
});
