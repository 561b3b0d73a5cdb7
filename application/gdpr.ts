/**
 * Member data rights (issue #5, GDPR art. 15 and 17).
 *
 * Export: everything held about a member, as JSON: profile, badges (last 4 hex digits only:
 * the UID itself is never stored), certifications, sessions, ledger lines, HelloAsso payments,
 * raw badge events still held, and audit entries about them.
 *
 * Erasure pseudonymises instead of deleting, because the association must keep its accounts
 * (10 years, art. L123-22 Code de commerce): the name becomes "Membre effacé #xxxx", the e-mail
 * a unique placeholder, category, birth year, gender and residence (issue #11) are cleared, badges revoked (their hashes
 * removed), tokens revoked, password removed, `erased_at` set, HelloAsso payer details cleared
 * and raw badge events made anonymous. Ledger entries, sessions and the audit trail stay (the audit keeps
 * who did what to which id; the erasure itself is audited without the old identity).
 */
import { and, asc, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx, Tx } from '../db/client.ts';
import {
  apiTokens,
  auditLog,
  badges,
  certifications,
  helloassoPayments,
  ledgerEntries,
  ledgerTransactions,
  machineEvents,
  machineSessions,
  members,
  offlineReviews,
  staff,
} from '../db/schema.ts';
import { type Actor, audit, redact } from './audit.ts';
import { conflict, notFound } from './errors.ts';
import { runUseCase, type UseCaseContext, validate } from './use-case.ts';

async function member(db: DbOrTx, id: string) {
  const [row] = await db.select().from(members).where(eq(members.id, id));
  if (row === undefined) throw notFound('member', id);
  return row;
}

export async function exportMemberData(db: DbOrTx, memberId: string, now: Date) {
  const m = await member(db, memberId);
  const badgeRows = await db
    .select()
    .from(badges)
    .where(eq(badges.memberId, memberId))
    .orderBy(asc(badges.issuedAt));
  const certs = await db
    .select()
    .from(certifications)
    .where(eq(certifications.memberId, memberId))
    .orderBy(asc(certifications.certifiedAt));
  const sessions = await db
    .select()
    .from(machineSessions)
    .where(eq(machineSessions.memberId, memberId))
    .orderBy(asc(machineSessions.startedAt));
  const ledger = await db
    .select({
      transactionId: ledgerTransactions.id,
      kind: ledgerTransactions.kind,
      createdAt: ledgerTransactions.createdAt,
      method: ledgerTransactions.method,
      reference: ledgerTransactions.reference,
      reason: ledgerTransactions.reason,
      sessionId: ledgerTransactions.sessionId,
      account: ledgerEntries.account,
      amountCents: ledgerEntries.amountCents,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, ledgerEntries.transactionId))
    .where(eq(ledgerEntries.memberId, memberId))
    .orderBy(asc(ledgerTransactions.createdAt), asc(ledgerEntries.id));
  const payments = await db.select().from(helloassoPayments).where(eq(helloassoPayments.memberId, memberId));
  const events = await db
    .select({
      id: machineEvents.id,
      machineId: machineEvents.machineId,
      granted: machineEvents.granted,
      reason: machineEvents.reason,
      receivedAt: machineEvents.receivedAt,
    })
    .from(machineEvents)
    .where(and(eq(machineEvents.memberId, memberId), eq(machineEvents.kind, 'badge')))
    .orderBy(asc(machineEvents.receivedAt));
  const sessionIds = sessions.map((s) => s.id);
  const staffRows = await db.select({ id: staff.id }).from(staff).where(eq(staff.memberId, memberId));
  const auditRows = await db
    .select()
    .from(auditLog)
    .where(
      or(
        and(eq(auditLog.entity, 'member'), eq(auditLog.entityId, memberId)),
        eq(auditLog.actor, `member:${memberId}`),
        ...(sessionIds.length > 0
          ? [and(eq(auditLog.entity, 'session'), inArray(auditLog.entityId, sessionIds))]
          : []),
        ...(staffRows.length > 0
          ? [
              and(
                eq(auditLog.entity, 'staff'),
                inArray(
                  auditLog.entityId,
                  staffRows.map((s) => s.id),
                ),
              ),
            ]
          : []),
      ),
    )
    .orderBy(desc(auditLog.id));
  return {
    exportedAt: now.toISOString(),
    profile: redact({
      id: m.id,
      name: m.name,
      email: m.email,
      status: m.status,
      membershipValidUntil: m.membershipValidUntil,
      category: m.category,
      birthYear: m.birthYear,
      gender: m.gender,
      residenceCommune: m.residenceCommune,
      residenceArea: m.residenceArea,
      balanceCents: m.balanceCents,
      hasPassword: m.passwordHash !== null,
      erasedAt: m.erasedAt,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    }),
    badges: badgeRows.map((b) => ({
      id: b.id,
      last4: b.uidLast4,
      status: b.status,
      issuedAt: b.issuedAt,
      revokedAt: b.revokedAt,
    })),
    certifications: certs.map((c) => redact(c)),
    sessions: sessions.map((s) => redact({ ...s, requestId: undefined })),
    ledger: ledger.map((l) => ({ ...l, transactionId: String(l.transactionId) })),
    helloassoPayments: payments.map((p) => redact(p)),
    badgeEvents: events,
    audit: auditRows.map((a) => ({ ...a, id: String(a.id) })),
  };
}

const eraseInput = z.object({ memberId: z.string().min(1).max(200) }).strict();

/**
 * The right to erasure as one use case (issue #12): pseudonymise the member in one transaction,
 * audited, and tell the machine loop (the outbox row commits with the erasure), whether the
 * API, the dashboard or the CLI asks.
 */
export async function eraseMemberData(ctx: UseCaseContext, input: z.input<typeof eraseInput>) {
  const { memberId } = validate(eraseInput, input);
  const now = ctx.now();
  return runUseCase(ctx, async (tx) => ({
    result: await eraseMemberIn(tx, ctx.by, memberId, now),
    changed: { memberIds: [memberId] },
  }));
}

/** The erasure's work in its own transaction, without the machine loop (unit tests). */
export async function eraseMember(db: Db, actor: Actor, memberId: string, now: Date) {
  return db.transaction((tx) => eraseMemberIn(tx, actor, memberId, now));
}

async function eraseMemberIn(tx: Tx, actor: Actor, memberId: string, now: Date) {
  {
    const [m] = await tx.select().from(members).where(eq(members.id, memberId)).for('update');
    if (m === undefined) throw notFound('member', memberId);
    if (m.erasedAt !== null) throw conflict(`This member was already erased on ${m.erasedAt.toISOString()}.`);
    const [open] = await tx
      .select({ id: machineSessions.id })
      .from(machineSessions)
      .where(and(eq(machineSessions.memberId, memberId), isNull(machineSessions.endedAt)));
    if (open !== undefined)
      throw conflict(`This member has a session open (${open.id}); end it before erasing.`);
    const tag = memberId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8);
    await tx
      .update(members)
      .set({
        name: `Membre effacé #${tag}`,
        email: `erased-${memberId}@erased.invalid`,
        status: 'expired',
        category: null,
        birthYear: null,
        // Issue #11: gender and residence are personal data like the birth year.
        gender: null,
        residenceCommune: null,
        residenceArea: null,
        passwordHash: null,
        erasedAt: now,
        updatedAt: now,
      })
      .where(eq(members.id, memberId));
    const revoked = await tx
      .update(badges)
      .set({
        status: 'revoked',
        revokedAt: sql`coalesce(${badges.revokedAt}, ${now.toISOString()}::timestamptz)`,
        uidHash: sql`'erased:' || ${badges.id}`,
        offlineHash: null,
      })
      .where(eq(badges.memberId, memberId))
      .returning({ id: badges.id });
    await tx
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.memberId, memberId), isNull(apiTokens.revokedAt)));
    await tx
      .update(helloassoPayments)
      .set({ payerEmail: null, payerName: null, matchValue: null, updatedAt: now })
      .where(eq(helloassoPayments.memberId, memberId));
    // Offline sessions held for review keep the member (the treasurer may still decide on
    // them) but not the badge's last digits.
    await tx
      .update(offlineReviews)
      .set({ badgeLast4: '····', updatedAt: now })
      .where(eq(offlineReviews.memberId, memberId));
    // Raw badge events stay as the exactly-once guard of their MQTT requests, but anonymous:
    // neither the member id nor the decision (which carried the name) is kept.
    const events = await tx
      .update(machineEvents)
      .set({ memberId: null, response: null })
      .where(eq(machineEvents.memberId, memberId))
      .returning({ id: machineEvents.id });
    // The audit trail keeps who did what and when, not the identity it recorded.
    await tx
      .update(auditLog)
      .set({
        before: sql`case when ${auditLog.before} is null then null else '{"erased":true}'::jsonb end`,
        after: sql`case when ${auditLog.after} is null then null else '{"erased":true}'::jsonb end`,
      })
      .where(and(eq(auditLog.entity, 'member'), eq(auditLog.entityId, memberId)));
    const result = {
      id: memberId,
      erasedAt: now.toISOString(),
      badgesRevoked: revoked.length,
      badgeEventsAnonymised: events.length,
    };
    await audit(tx, { actor, action: 'erase', entity: 'member', entityId: memberId, after: result });
    return result;
  }
}
