/**
 * Offline decisions from the server's signed allow-list (SPEC §2 offline mode; format in
 * core/mqtt-contract.ts and docs/mqtt.md). The list is trusted only if its Ed25519 signature
 * over `JSON.stringify(body)` verifies with the configured public key, it is for this machine
 * and it is not past `validUntil`. Badges are matched by HMAC-SHA256(salt, UID) so the list
 * holds no UID. Deny by default: no list, no entry, expired entry or too little credit -> no.
 * The decision itself is core/offline.ts's (the server's list builder uses the same rules).
 */
import { createHmac, verify } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type AllowList, type AllowListBody, allowListSchema } from '../core/mqtt-contract.ts';
import {
  decideOffline as decideOfflineCore,
  type OfflineDecision,
  type OfflineListBody,
} from '../core/offline.ts';
import { fsyncDir } from './outbox.ts';

export type ListRejection = 'malformed' | 'bad_signature' | 'other_machine' | 'expired';

/**
 * Checks a received list. `raw` is the parsed JSON as received: the signature is checked on
 * its body exactly as sent (zod's output would reorder and strip keys).
 */
export function verifyAllowList(
  raw: unknown,
  publicKeyPem: string,
  machineId: string,
  nowMs: number,
): { ok: true; list: AllowList } | { ok: false; reason: ListRejection } {
  const parsed = allowListSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const rawBody = (raw as { body: unknown }).body;
  let good = false;
  try {
    good = verify(
      null,
      Buffer.from(JSON.stringify(rawBody)),
      publicKeyPem,
      Buffer.from(parsed.data.signature, 'base64'),
    );
  } catch {
    good = false;
  }
  if (!good) return { ok: false, reason: 'bad_signature' };
  if (parsed.data.body.machineId !== machineId) return { ok: false, reason: 'other_machine' };
  if (Date.parse(parsed.data.body.validUntil) <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, list: { ...parsed.data, body: rawBody as AllowListBody } };
}

/** HMAC-SHA256(hex-decoded salt, uid), lowercase hex: core/offline.ts's badge hash rule. */
export function offlineBadgeHash(saltHex: string, uid: string): string {
  return createHmac('sha256', Buffer.from(saltHex, 'hex')).update(uid).digest('hex');
}

/** The offline decision (core/offline.ts, the one rule) with node:crypto's HMAC. */
export function decideOffline(list: OfflineListBody | null, uid: string, nowMs: number): OfflineDecision {
  return decideOfflineCore(list, uid, nowMs, offlineBadgeHash);
}

const FILE = 'allowlist.json';

/** Keeps the last valid list on disk so that a board restarted without network can still decide. */
export function saveAllowList(dir: string, list: AllowList): void {
  const file = path.join(dir, FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(list), { flush: true });
  renameSync(`${file}.tmp`, file);
  fsyncDir(dir);
}

/** The saved list if it still verifies (a key change or expiry makes it worthless). */
export function loadAllowList(
  dir: string,
  publicKeyPem: string,
  machineId: string,
  nowMs: number,
): AllowList | null {
  const file = path.join(dir, FILE);
  if (!existsSync(file)) return null;
  try {
    const result = verifyAllowList(JSON.parse(readFileSync(file, 'utf8')), publicKeyPem, machineId, nowMs);
    return result.ok ? result.list : null;
  } catch {
    return null;
  }
}
