/**
 * Signed offline allow-lists (SPEC §2: "decide alone from the last allow-list, within the
 * limits the list carries"). One list per machine: who may unlock it while the server is
 * unreachable, until when, and with how much credit. Signed with the site's Ed25519 key;
 * badges appear only as HMACs under the offline key.
 */
import { createHash, sign } from 'node:crypto';
import { and, eq, isNotNull, lt, notExists, sql } from 'drizzle-orm';
import { effectiveExpiry, isCertificationValid, lapseDate } from '../../core/domain.ts';
import type { AllowList, AllowListBody } from '../../core/mqtt-contract.ts';
import { offlineEligibility } from '../../core/offline.ts';
import type { DbOrTx } from '../../db/client.ts';
import {
  allowlistEntrySets,
  allowlistIssues,
  badges,
  certifications,
  machineQualifications,
  machines,
  members,
  qualifications,
} from '../../db/schema.ts';
import { offlineBadgeKey } from '../security.ts';
import type { SiteKeys } from '../site-keys.ts';

/** How long a board may keep deciding alone on one list. */
export const ALLOWLIST_VALIDITY_MS = 72 * 3600 * 1000;
/** Longest offline session when the machine sets no maximum. */
export const DEFAULT_OFFLINE_SESSION_SECONDS = 4 * 3600;

/** How long a published list is remembered for offline sessions replayed late (issue #9). */
export const ALLOWLIST_RECORD_RETENTION_MS = 90 * 86_400_000;
/** Entries are remembered by this many hex digits of their hash (128 bits). */
export const RECORDED_HASH_HEX = 32;

export function keyId(publicKeyPem: string): string {
  return createHash('sha256').update(publicKeyPem).digest('hex').slice(0, 16);
}

export function signAllowList(body: AllowListBody, keys: SiteKeys): AllowList {
  const signature = sign(null, Buffer.from(JSON.stringify(body)), keys.signingPrivateKeyPem).toString(
    'base64',
  );
  return { body, signature, keyId: keyId(keys.signingPublicKeyPem) };
}

/** Builds the lists of the given machines (all when omitted) in a handful of queries. */
export async function buildAllowLists(
  db: DbOrTx,
  keys: SiteKeys,
  now: Date,
  machineIds?: readonly string[],
): Promise<AllowListBody[]> {
  const allMachines = await db.select().from(machines);
  const wanted = machineIds ? allMachines.filter((m) => machineIds.includes(m.id)) : allMachines;
  if (wanted.length === 0) return [];
  const required = await db.select().from(machineQualifications);
  const holders = await db
    .select({
      memberId: members.id,
      name: members.name,
      status: members.status,
      membershipValidUntil: members.membershipValidUntil,
      balanceCents: members.balanceCents,
      offlineHash: badges.offlineHash,
    })
    .from(badges)
    .innerJoin(members, eq(members.id, badges.memberId))
    .where(and(eq(badges.status, 'active'), isNotNull(badges.offlineHash)));
  const lapse = new Map((await db.select().from(qualifications)).map((q) => [q.id, q.lapseAfterUnusedDays]));
  const certs = (await db.select().from(certifications)).map((c) => ({
    ...c,
    lapsesAt: lapseDate(c, lapse.get(c.qualificationId) ?? null),
  }));
  const certsByMember = new Map<string, (typeof certs)[number][]>();
  for (const c of certs) {
    if (!isCertificationValid(c, now)) continue;
    const list = certsByMember.get(c.memberId) ?? [];
    list.push(c);
    certsByMember.set(c.memberId, list);
  }
  const salt = offlineBadgeKey(keys.badgeKey).toString('hex');
  const validUntil = new Date(now.getTime() + ALLOWLIST_VALIDITY_MS);

  return wanted.map((machine) => {
    const quals = required.filter((r) => r.machineId === machine.id).map((r) => r.qualificationId);
    const entries: AllowListBody['entries'] = [];
    // Eligibility (machine state, supervisor, pending check, member, certification, credit
    // with the session fee) is core/offline.ts's, the rule the board applies too (issue #10).
    for (const h of holders) {
      if (h.offlineHash === null) continue;
      let until = validUntil.getTime();
      if (h.membershipValidUntil) until = Math.min(until, h.membershipValidUntil.getTime());
      const held = certsByMember.get(h.memberId) ?? [];
      let certified = true;
      for (const q of quals) {
        const best = Math.max(
          0,
          ...held.filter((c) => c.qualificationId === q).map((c) => effectiveExpiry(c).getTime()),
        );
        if (best === 0) certified = false;
        until = Math.min(until, best);
      }
      const member = { ...h, id: h.memberId };
      const e = offlineEligibility({ now, machine, member, certified, balanceCents: h.balanceCents });
      if (!e.eligible) continue;
      entries.push({
        badge: h.offlineHash,
        name: h.name,
        until: new Date(until).toISOString(),
        creditCents: e.creditCents,
      });
    }
    entries.sort((a, b) => a.badge.localeCompare(b.badge));
    return {
      version: 1 as const,
      machineId: machine.id,
      issuedAt: now.toISOString(),
      validUntil: validUntil.toISOString(),
      maxOfflineSessionSeconds: machine.maxSessionSeconds ?? DEFAULT_OFFLINE_SESSION_SECONDS,
      pricePerMinuteCents: machine.pricePerMinuteCents,
      minimumChargeCents: machine.minimumChargeCents,
      salt,
      entries,
    };
  });
}

/**
 * Remembers a list before it is published (issue #9): an offline session is billed only for a
 * badge on a list the server published for that machine. Called by the authorizer's
 * publishAllowLists for each list it sends. Entries are stored once per distinct content;
 * lists expired for 90 days are pruned, with the entry sets no list uses any more.
 */
export async function recordAllowList(db: DbOrTx, body: AllowListBody): Promise<void> {
  const issuedAt = new Date(body.issuedAt);
  const validUntil = Date.parse(body.validUntil);
  const entries: [string, number | null][] = body.entries.map((e) => {
    const until = Date.parse(e.until);
    return [
      e.badge.slice(0, RECORDED_HASH_HEX).toLowerCase(),
      until >= validUntil ? null : Math.floor(until / 1000),
    ];
  });
  const digest = createHash('sha256')
    .update(JSON.stringify([body.salt, entries]))
    .digest('hex');
  await db.insert(allowlistEntrySets).values({ digest, salt: body.salt, entries }).onConflictDoNothing();
  await db
    .insert(allowlistIssues)
    .values({ machineId: body.machineId, issuedAt, validUntil: new Date(validUntil), entriesDigest: digest })
    .onConflictDoNothing();
  const pruned = await db
    .delete(allowlistIssues)
    .where(lt(allowlistIssues.validUntil, new Date(issuedAt.getTime() - ALLOWLIST_RECORD_RETENTION_MS)))
    .returning({ id: allowlistIssues.id });
  if (pruned.length > 0) {
    await db
      .delete(allowlistEntrySets)
      .where(
        notExists(
          db
            .select({ one: sql`1` })
            .from(allowlistIssues)
            .where(eq(allowlistIssues.entriesDigest, allowlistEntrySets.digest)),
        ),
      );
  }
}
