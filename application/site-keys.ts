/**
 * Per-site keys kept in the database so that every server process on one database shares
 * them: the badge HMAC key and the allow-list signing key pair (Ed25519).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { settings } from '../db/schema.ts';

export interface SiteKeys {
  badgeKey: Buffer;
  signingPrivateKeyPem: string;
  signingPublicKeyPem: string;
}

async function getOrCreate(db: Db, key: string, make: () => string): Promise<string> {
  await db.insert(settings).values({ key, value: make() }).onConflictDoNothing();
  const rows = await db.select().from(settings).where(eq(settings.key, key));
  return rows[0]!.value;
}

export async function loadSiteKeys(db: Db): Promise<SiteKeys> {
  const badgeKey = Buffer.from(
    await getOrCreate(db, 'badge_hmac_key', () => randomBytes(32).toString('hex')),
    'hex',
  );
  const pair = JSON.parse(
    await getOrCreate(db, 'allowlist_signing_key', () => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      return JSON.stringify({
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        publicKey: publicKey.export({ type: 'spki', format: 'pem' }),
      });
    }),
  ) as { privateKey: string; publicKey: string };
  return { badgeKey, signingPrivateKeyPem: pair.privateKey, signingPublicKeyPem: pair.publicKey };
}
