/**
 * Secrets: API tokens and device secrets are 256-bit random values stored as SHA-256
 * (a slow hash adds nothing to such entropy and would slow every MQTT connect); staff and
 * member passwords use argon2id. Badge UIDs are stored as an HMAC with the site's key.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The keyed hash under which a normalised UID is stored. */
export function badgeHash(siteKey: Buffer, uid: string): string {
  return createHmac('sha256', siteKey).update(uid).digest('hex');
}

/**
 * The key boards use to match badges in offline allow-lists. Derived from the site key so
 * that a board that leaks it reveals nothing about the hashes stored in the database.
 */
export function offlineBadgeKey(siteKey: Buffer): Buffer {
  return createHmac('sha256', siteKey).update('sesame/offline-allowlist/v1').digest();
}

/** Both hashes a badge is stored under: the database lookup hash and the offline one. */
export function badgeHashes(siteKey: Buffer, uid: string): { uidHash: string; offlineHash: string } {
  return {
    uidHash: badgeHash(siteKey, uid),
    offlineHash: createHmac('sha256', offlineBadgeKey(siteKey)).update(uid).digest('hex'),
  };
}

// argon2id, OWASP's minimum profile (19 MiB, t=2, p=1).
const ARGON = { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 } as const;

export function hashPassword(password: string): Promise<string> {
  return argonHash(password, ARGON);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argonVerify(hash, password);
  } catch {
    return false;
  }
}

export function newId(): string {
  return crypto.randomUUID();
}
