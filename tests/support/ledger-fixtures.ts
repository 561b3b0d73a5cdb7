/**
 * Ledger test data for reports and exports, dated at will: members, machines and sessions
 * inserted straight through the schema, money through postTransaction (as the API does).
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { postTransaction, type TransactionMeta } from '../../application/ledger.ts';
import type { MachineKind, TopupMethod } from '../../core/domain.ts';
import {
  adjustmentPostings,
  type Posting,
  refundPostings,
  reversalPostings,
  topupPostings,
  usagePostings,
} from '../../core/ledger.ts';
import type { Db } from '../../db/client.ts';
import { ledgerEntries, ledgerTransactions, machineSessions, machines, members } from '../../db/schema.ts';

export async function insertMember(db: Db, name = 'Camille Martin'): Promise<string> {
  const id = `mem-${randomUUID()}`;
  await db.insert(members).values({ id, name, email: `${id}@example.org` });
  return id;
}

export async function insertMachine(db: Db, id: string, kind: MachineKind, name = id): Promise<string> {
  await db.insert(machines).values({ id, name, kind, pricePerMinuteCents: 50, minimumChargeCents: 100 });
  return id;
}

export async function insertSession(
  db: Db,
  s: {
    machineId: string;
    memberId: string;
    startedAt: Date;
    endedAt?: Date | null;
    runningSeconds?: number;
    chargedCents?: number;
  },
): Promise<string> {
  const id = `ses-${randomUUID()}`;
  await db.insert(machineSessions).values({
    id,
    machineId: s.machineId,
    memberId: s.memberId,
    requestId: randomUUID(),
    startedAt: s.startedAt,
    endedAt: s.endedAt ?? null,
    lastEventAt: s.endedAt ?? s.startedAt,
    runningSeconds: s.runningSeconds ?? 0,
    chargedCents: s.chargedCents ?? 0,
    endReason: s.endedAt ? 'badge_out' : null,
  });
  return id;
}

export async function post(db: Db, meta: TransactionMeta, postings: Posting[]): Promise<number> {
  const { transactionId } = await db.transaction((tx) => postTransaction(tx, meta, postings));
  return transactionId;
}

export function topup(
  db: Db,
  memberId: string,
  amountCents: number,
  method: TopupMethod,
  at: Date,
  reference?: string,
) {
  return post(
    db,
    { kind: 'topup', memberId, method, createdAt: at, reference: reference ?? null },
    topupPostings(memberId, amountCents, method),
  );
}

export function refund(db: Db, memberId: string, amountCents: number, method: TopupMethod, at: Date) {
  return post(
    db,
    { kind: 'refund', memberId, method, createdAt: at },
    refundPostings(memberId, amountCents, method),
  );
}

export function usage(
  db: Db,
  memberId: string,
  machine: { id: string; kind: MachineKind },
  amountCents: number,
  at: Date,
  sessionId?: string,
) {
  return post(
    db,
    { kind: 'usage', memberId, sessionId: sessionId ?? null, createdAt: at },
    usagePostings(memberId, machine.id, machine.kind, amountCents),
  );
}

export function adjustment(
  db: Db,
  memberId: string,
  creditDeltaCents: number,
  at: Date,
  reason = 'correction',
) {
  return post(
    db,
    { kind: 'adjustment', memberId, reason, createdAt: at },
    adjustmentPostings(memberId, creditDeltaCents),
  );
}

/** Like reverseTransaction, but dated. */
export async function reversal(
  db: Db,
  transactionId: number,
  at: Date,
  reason = 'erreur de saisie',
): Promise<number> {
  const [head] = await db.select().from(ledgerTransactions).where(eq(ledgerTransactions.id, transactionId));
  if (head === undefined) throw new Error(`no transaction ${transactionId}`);
  const entries = await db.select().from(ledgerEntries).where(eq(ledgerEntries.transactionId, transactionId));
  const postings: Posting[] = entries.map((e) => ({
    account: e.account,
    amountCents: e.amountCents,
    ...(e.memberId ? { memberId: e.memberId } : {}),
    ...(e.machineId ? { machineId: e.machineId } : {}),
    ...(e.machineKind ? { machineKind: e.machineKind as MachineKind } : {}),
  }));
  return post(
    db,
    {
      kind: 'reversal',
      memberId: head.memberId,
      sessionId: head.sessionId,
      reason,
      reversesId: transactionId,
      createdAt: at,
    },
    reversalPostings(postings),
  );
}
