/**
 * Test data written straight through the schema (the API has its own tests): a lab with
 * qualifications, machines, members, badges and credit.
 */

import { postTransaction } from '../../application/ledger.ts';
import { badgeHashes, newId } from '../../application/security.ts';
import { topupPostings } from '../../core/ledger.ts';
import type { Db } from '../../db/client.ts';
import {
  badges,
  certifications,
  machineQualifications,
  machines,
  members,
  qualifications,
} from '../../db/schema.ts';

export const TEST_BADGE_KEY = Buffer.alloc(32, 7);

export async function addQualification(db: Db, id: string, validityDays = 365) {
  await db.insert(qualifications).values({ id, name: id, validityDays });
}

export async function addMachine(
  db: Db,
  id: string,
  opts: Partial<typeof machines.$inferInsert> & { qualifications?: string[] } = {},
) {
  const { qualifications: quals = [], ...rest } = opts;
  await db.insert(machines).values({
    id,
    name: id,
    kind: 'laser',
    pricePerMinuteCents: 50,
    minimumChargeCents: 100,
    ...rest,
  });
  for (const q of quals) await db.insert(machineQualifications).values({ machineId: id, qualificationId: q });
}

export async function addMember(
  db: Db,
  opts: {
    name?: string;
    uid?: string;
    creditCents?: number;
    certify?: string[];
    status?: 'active' | 'suspended' | 'expired';
  } = {},
) {
  const id = newId();
  await db.insert(members).values({
    id,
    name: opts.name ?? 'Camille Martin',
    email: `${id}@example.org`,
    status: opts.status ?? 'active',
  });
  if (opts.uid) {
    const h = badgeHashes(TEST_BADGE_KEY, opts.uid);
    await db.insert(badges).values({ id: newId(), memberId: id, uidLast4: opts.uid.slice(-4), ...h });
  }
  for (const q of opts.certify ?? []) {
    await db.insert(certifications).values({
      id: newId(),
      memberId: id,
      qualificationId: q,
      expiresAt: new Date(Date.now() + 365 * 86400_000),
    });
  }
  if (opts.creditCents) {
    const amount = opts.creditCents;
    await db.transaction((tx) =>
      postTransaction(tx, { kind: 'topup', memberId: id, method: 'cash' }, topupPostings(id, amount, 'cash')),
    );
  }
  return id;
}
