/**
 * Issue #9 item 1, in a real Chromium: an admin signed in to the dashboard visits a page
 * served from another origin (another port of 127.0.0.1, and a sibling sub-domain mapped to
 * loopback). That page tries, with the admin's cookie, to attach its own badge to a member,
 * create an admin and put a machine into maintenance: `fetch(…, {mode: 'no-cors',
 * credentials: 'include'})` with text/plain JSON bodies, and plain HTML forms with
 * enctype=text/plain. Nothing may change (read back with a bearer token), while the
 * dashboard's own forms and its same-origin JSON calls keep working.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, staffWithPassword } from '../dashboard/support.ts';
import { createMachine, createMember, uniqueUid } from '../support/lab.ts';
import { startSystem, type TestSystem } from '../support/system.ts';

const M = 'laser-csrf';
let sys: TestSystem;
let browser: Browser;
let evil: Server;
let evilPort: number;
let memberId: string;
let admin: { id: string; email: string };

/** The attacker's page: every request it makes, awaited, then `document.title = 'done'`. */
function attackPage(target: string, member: string, attackerUid: string): string {
  const attacks = [
    { path: `/api/v1/members/${member}/badges`, body: { uid: attackerUid } },
    {
      path: '/api/v1/staff',
      body: { name: 'Evil Admin', email: 'evil@attacker.example', roles: ['admin'], trainerOf: [] },
    },
    { path: `/api/v1/machines/${M}/report`, body: { note: 'pwned' } },
  ];
  // enctype=text/plain sends `name=value`: split the JSON so that the `=` lands in a string.
  const forms = [
    {
      path: '/api/v1/staff',
      name: '{"email":"evil2@attacker.example","roles":["admin"],"name":"Evil',
      value: 'Form"}',
    },
    { path: `/api/v1/machines/${M}/report`, name: '{"note":"pwned', value: 'form"}' },
  ];
  return `<!doctype html><html><head><title>cute cats</title></head><body>
${forms
  .map(
    (f, i) => `<iframe name="sink${i}"></iframe>
<form id="f${i}" method="post" enctype="text/plain" action="${target}${f.path}" target="sink${i}">
<input type="hidden" name='${f.name}' value='${f.value}'></form>`,
  )
  .join('\n')}
<script>
const attacks = ${JSON.stringify(attacks)};
async function run() {
  const results = [];
  for (const a of attacks) {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', null]) {
      const init = { method: 'POST', mode: 'no-cors', credentials: 'include', body: JSON.stringify(a.body) };
      if (type) init.headers = { 'content-type': type };
      else init.body = new Blob([JSON.stringify(a.body)]);
      const r = await fetch('${target}' + a.path, init).then(() => 'sent', (e) => String(e));
      results.push(r);
    }
  }
  await Promise.all(${JSON.stringify(forms.map((_, i) => i))}.map((i) => new Promise((resolve) => {
    const frame = document.querySelector('iframe[name=sink' + i + ']');
    frame.addEventListener('load', resolve, { once: true });
    document.getElementById('f' + i).submit();
  })));
  window.results = results;
  document.title = 'done';
}
run();
</script></body></html>`;
}

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      // sibling sub-domains of one site, both on loopback
      '--host-resolver-rules=MAP *.lab.test 127.0.0.1',
    ],
  });
}

async function state() {
  const member = await sys.api('GET', `/members/${memberId}`);
  const staff = await sys.api('GET', '/staff');
  const machine = await sys.api('GET', `/machines/${M}`);
  return {
    badges: (member.body.badges as unknown[]).length,
    admins: (staff.body.items as { email: string }[]).map((s) => s.email).sort(),
    machine: machine.body.state as string,
  };
}

async function attackFrom(page: Page, attackerOrigin: string, target: string) {
  await page.goto(`${attackerOrigin}/?target=${encodeURIComponent(target)}`);
  await page.waitForFunction(() => document.title === 'done', undefined, { timeout: 30_000 });
  const results = (await page.evaluate(() => (window as unknown as { results: string[] }).results)) ?? [];
  // Every request was sent and answered (an opaque response): the barrier before reading state.
  expect(
    results.every((r) => r === 'sent'),
    JSON.stringify(results),
  ).toBe(true);
}

beforeAll(async () => {
  [sys, browser] = await Promise.all([startSystem(), launch()]);
  await createMachine(sys, M);
  memberId = (await createMember(sys, { name: 'Camille Martin' })).id;
  admin = await staffWithPassword(sys, ['admin'], { name: 'Alex Admin' });
  const serverPort = sys.server.httpPort;
  evil = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const target = url.searchParams.get('target') ?? `http://127.0.0.1:${serverPort}`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(attackPage(target, memberId, uniqueUid()));
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilPort = (evil.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await sys?.stop();
});

describe('cross-site writes with the dashboard cookie (issue #9)', () => {
  for (const scenario of [
    { name: 'another port of the same host', dash: () => '127.0.0.1', attacker: () => '127.0.0.1' },
    { name: 'a sibling sub-domain', dash: () => 'dash.lab.test', attacker: () => 'evil.lab.test' },
  ]) {
    it(`changes nothing from ${scenario.name}`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const dashOrigin = `http://${scenario.dash()}:${sys.server.httpPort}`;
      await signIn(page, dashOrigin, admin.email);
      expect(new URL(page.url()).pathname).toBe('/board');
      const cookies = await context.cookies(dashOrigin);
      expect(cookies.map((c) => c.name)).toContain('sesame_session');

      const before = await state();
      expect(before.machine).toBe('available');
      await attackFrom(page, `http://${scenario.attacker()}:${evilPort}`, dashOrigin);
      expect(await state()).toEqual(before);
      await context.close();
    }, 120_000);
  }

  it("keeps the dashboard's own forms and same-origin JSON calls working", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, sys.baseUrl, admin.email);
    await page.goto(`${sys.baseUrl}/board`);
    await page.locator(`#machine-${M}`).getByRole('button', { name: 'Mettre en maintenance' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect((await sys.api('GET', `/machines/${M}`)).body.state).toBe('maintenance');

    // The page's own scripts may call the API with the cookie, as JSON.
    const uid = uniqueUid();
    const calls = await page.evaluate(
      async ({ member, uid }) => {
        const post = (type: string) =>
          fetch(`/api/v1/members/${member}/badges`, {
            method: 'POST',
            headers: { 'content-type': type },
            body: JSON.stringify({ uid }),
          }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type') }));
        return { plain: await post('text/plain'), json: await post('application/json') };
      },
      { member: memberId, uid },
    );
    expect(calls.plain).toEqual({ status: 415, type: 'application/problem+json' });
    expect(calls.json.status).toBe(201);
    await context.close();
  }, 120_000);
});
