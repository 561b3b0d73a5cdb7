/**
 * Browser test support (issue #4): Debian's Chromium driven by playwright-core (no browser
 * download), axe-core injected from node_modules, screenshots into tests/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MqttClient } from 'mqtt';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { nextMessage, type TestSystem } from '../support/system.ts';

const require = createRequire(import.meta.url);
export const ARTIFACTS = new URL('../artifacts/', import.meta.url);
export const PASSWORD = 'correct horse battery staple';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export async function staffWithPassword(
  sys: TestSystem,
  roles: string[],
  opts: { name?: string; trainerOf?: string[] } = {},
): Promise<{ id: string; email: string }> {
  const email = `${crypto.randomUUID()}@example.org`;
  const res = await sys.api('POST', '/staff', {
    name: opts.name ?? 'Alex Staff',
    email,
    roles,
    trainerOf: opts.trainerOf ?? [],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const pw = await sys.api('PUT', `/staff/${res.body.id}/password`, { password: PASSWORD });
  expect(pw.status, JSON.stringify(pw.body)).toBe(204);
  return { id: res.body.id, email };
}

export async function setMemberPassword(sys: TestSystem, memberId: string): Promise<string> {
  const member = await sys.api('GET', `/members/${memberId}`);
  const pw = await sys.api('PUT', `/members/${memberId}/password`, { password: PASSWORD });
  expect(pw.status, JSON.stringify(pw.body)).toBe(204);
  return member.body.email as string;
}

export async function signIn(page: Page, baseUrl: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/sign-in?lang=fr`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForLoadState('domcontentloaded');
}

/** axe-core on the current page: no serious or critical violation (issue #4). */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected as a global
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    // biome-ignore lint/suspicious/noExplicitAny: axe's result shape
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      // biome-ignore lint/suspicious/noExplicitAny: axe's node shape
      targets: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')),
    }));
  });
  const bad = violations.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `${name}: ${JSON.stringify(bad, null, 2)}`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
}

// MQTT, as a machine's board would speak it (SPEC §2).
export const topic = (m: string, kind: string) => `fablab/v1/machines/${m}/${kind}`;

export interface Decision {
  requestId: string;
  granted: boolean;
  reason: string;
  sessionId: string;
}

export async function badgeIn(client: MqttClient, machineId: string, uid: string): Promise<Decision> {
  const requestId = crypto.randomUUID();
  const reply = nextMessage<Decision>(client, topic(machineId, 'decision'), (d) => d.requestId === requestId);
  await client.publishAsync(
    topic(machineId, 'badge'),
    JSON.stringify({ requestId, badge: uid, at: new Date().toISOString() }),
    { qos: 1 },
  );
  return reply;
}

export async function runtime(
  client: MqttClient,
  machineId: string,
  sessionId: string,
  runningSeconds: number,
) {
  await client.publishAsync(
    topic(machineId, 'runtime'),
    JSON.stringify({
      eventId: crypto.randomUUID(),
      sessionId,
      seq: 1,
      runningSeconds,
      at: new Date().toISOString(),
    }),
    { qos: 1 },
  );
}

export async function endSession(
  client: MqttClient,
  machineId: string,
  sessionId: string,
  runningSeconds: number,
) {
  await client.publishAsync(
    topic(machineId, 'end'),
    JSON.stringify({
      eventId: crypto.randomUUID(),
      sessionId,
      runningSeconds,
      reason: 'badge_out',
      at: new Date().toISOString(),
    }),
    { qos: 1 },
  );
}

export async function status(client: MqttClient, machineId: string, online: boolean) {
  await client.publishAsync(topic(machineId, 'status'), JSON.stringify({ online, relay: 'off' }), {
    qos: 1,
    retain: true,
  });
}
