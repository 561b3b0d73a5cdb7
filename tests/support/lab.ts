/** Sets up a small lab through the public HTTP API (SPEC §3), as a user would. */
import { expect } from 'vitest';
import type { TestSystem } from './system.ts';

let seq = 0;
export function uniqueUid(): string {
  seq++;
  return (0x04000000 + Math.floor(Math.random() * 0xffffff) * 16 + (seq % 16))
    .toString(16)
    .toUpperCase()
    .padStart(8, '0');
}

export interface LabMember {
  id: string;
  uid: string;
}

export async function createMachine(
  sys: TestSystem,
  id: string,
  body: Partial<{
    kind: string;
    pricePerMinuteCents: number;
    minimumChargeCents: number;
    qualifications: string[];
    overdraftLimitCents: number;
    creditPolicy: string;
    maxSessionSeconds: number;
  }> = {},
) {
  const res = await sys.api('POST', '/machines', {
    id,
    name: id,
    kind: 'laser',
    pricePerMinuteCents: 50,
    minimumChargeCents: 100,
    qualifications: [],
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const dev = await sys.api('POST', `/machines/${id}/devices`, {});
  expect(dev.status).toBe(201);
  return dev.body as { deviceId: string; secret: string };
}

export async function createMember(
  sys: TestSystem,
  opts: { name?: string; creditCents?: number; certify?: string[]; uid?: string } = {},
): Promise<LabMember> {
  const uid = opts.uid ?? uniqueUid();
  const name = opts.name ?? 'Camille Martin';
  const res = await sys.api('POST', '/members', { name, email: `${crypto.randomUUID()}@example.org` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id as string;
  expect((await sys.api('POST', `/members/${id}/badges`, { uid })).status).toBe(201);
  for (const q of opts.certify ?? []) {
    expect((await sys.api('POST', `/members/${id}/certifications`, { qualificationId: q })).status).toBe(201);
  }
  if (opts.creditCents) {
    const t = await sys.api(
      'POST',
      `/members/${id}/topups`,
      { amountCents: opts.creditCents, method: 'cash', reference: 'test' },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(t.status, JSON.stringify(t.body)).toBe(201);
  }
  return { id, uid };
}

export async function createQualification(sys: TestSystem, id: string) {
  const res = await sys.api('POST', '/qualifications', { id, name: id, validityDays: 365 });
  expect([201, 409]).toContain(res.status);
}
