/**
 * A small lab for the issue #12 page tests: two machines with their qualifications, a board
 * on the laser, two members (one certified, with one ended session), and a signed-in account
 * for each role. Everything goes through the API or MQTT, as in production.
 */
import { expect } from 'vitest';
import { createMember, type LabMember } from '../support/lab.ts';
import { connectDevice, eventually, type TestSystem } from '../support/system.ts';
import { badgeIn, endSession, PASSWORD, setMemberPassword, staffWithPassword, topic } from './support.ts';

export interface PagesLab {
  camille: LabMember & { email: string };
  sacha: LabMember;
  admin: { id: string; email: string };
  trainer: { id: string; email: string };
  treasurer: { id: string; email: string };
  device: { deviceId: string; secret: string };
  sessionId: string;
}

export async function setUpLab(sys: TestSystem): Promise<PagesLab> {
  for (const [id, name] of [
    ['laser', 'Découpe laser'],
    ['cnc', 'Fraiseuse CNC'],
  ]) {
    expect((await sys.api('POST', '/qualifications', { id, name, validityDays: 365 })).status).toBe(201);
  }
  for (const [id, name, kind, qual] of [
    ['laser-1', 'Trotec Speedy 300', 'laser', 'laser'],
    ['cnc-1', 'Shaper Origin', 'cnc', 'cnc'],
  ] as const) {
    const res = await sys.api('POST', '/machines', {
      id,
      name,
      kind,
      pricePerMinuteCents: 50,
      minimumChargeCents: 100,
      qualifications: [qual],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const camille = await createMember(sys, { name: 'Camille Martin', creditCents: 1000, certify: ['laser'] });
  const sacha = await createMember(sys, { name: 'Sacha Bernard' });
  const email = await setMemberPassword(sys, camille.id);
  const devRes = await sys.api('POST', '/machines/laser-1/devices', { label: 'lecteur' });
  expect(devRes.status).toBe(201);
  const device = devRes.body as { deviceId: string; secret: string };
  const client = await connectDevice(sys.server.mqttUrl, device.deviceId, device.secret);
  await client.subscribeAsync(topic('laser-1', 'decision'), { qos: 1 });
  const decision = await badgeIn(client, 'laser-1', camille.uid);
  expect(decision.granted).toBe(true);
  await endSession(client, 'laser-1', decision.sessionId, 125);
  await eventually(async () => (await sys.api('GET', `/sessions/${decision.sessionId}`)).body.endedAt);
  await client.endAsync();
  return {
    camille: { ...camille, email },
    sacha,
    admin: await staffWithPassword(sys, ['admin'], { name: 'Dominique Admin' }),
    trainer: await staffWithPassword(sys, ['trainer'], { name: 'Noa Formatrice', trainerOf: ['laser'] }),
    treasurer: await staffWithPassword(sys, ['treasurer'], { name: 'Marie Dupont' }),
    device,
    sessionId: decision.sessionId,
  };
}

/** A dashboard cookie, signed in by the form as a browser would (same-origin post). */
export async function cookieOf(baseUrl: string, email: string): Promise<string> {
  const res = await fetch(`${baseUrl}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
    body: new URLSearchParams({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(303);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

export async function get(baseUrl: string, cookie: string | null, path: string) {
  const res = await fetch(`${baseUrl}${path}`, {
    redirect: 'manual',
    headers: cookie ? { cookie } : {},
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
