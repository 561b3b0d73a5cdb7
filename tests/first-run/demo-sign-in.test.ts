/**
 * Issue #12 (major 1): `npm run demo`'s accounts sign in to the dashboard. The demo's own
 * builders (server/demo-lab.ts) set up the lab and the accounts on a real server; each account
 * then signs in through the real sign-in form in Chromium and lands on its page.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoAccount, httpApi, setUpDemoAccounts, setUpDemoLab } from '../../server/demo-lab.ts';
import { expectAccessible, launchBrowser, signIn } from '../dashboard/support.ts';
import { ADMIN_TOKEN, startSystem, type TestSystem } from '../support/system.ts';

let browser: Browser;
let sys: TestSystem;
let accounts: DemoAccount[];

beforeAll(async () => {
  sys = await startSystem();
  const api = httpApi(sys.baseUrl, ADMIN_TOKEN);
  const lab = await setUpDemoLab(api);
  accounts = await setUpDemoAccounts(api, lab.people, 'demo-0123456789ab');
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

describe('npm run demo prints accounts that sign in (issue #12)', () => {
  it('has an admin, a trainer, a treasurer and a member, each with an e-mail and the password', () => {
    expect(accounts.map((a) => a.role)).toEqual(['admin', 'trainer', 'treasurer', 'member']);
    for (const a of accounts) {
      expect(a.email).toMatch(/@exemple\.fr$/);
      expect(a.password).toBe('demo-0123456789ab');
    }
  });

  it.each([
    ['admin', '/board', 'Administration'],
    ['trainer', '/board', 'Formations'],
    ['treasurer', '/board', 'Trésorerie'],
    ['member', '/me', 'Mon compte'],
  ] as const)(
    'the %s signs in through the form and lands on %s',
    async (role, landing, navItem) => {
      const account = accounts.find((a) => a.role === role)!;
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await signIn(page, sys.baseUrl, account.email, account.password);
      await page.waitForURL(`${sys.baseUrl}${landing}`);
      expect(await page.textContent('header')).toContain(account.name);
      expect(await page.getByRole('navigation', { name: /principale|main/i }).textContent()).toContain(
        navItem,
      );
      await expectAccessible(page, `demo ${role}`);
      await context.close();
    },
    60_000,
  );
});
