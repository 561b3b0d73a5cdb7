import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideOffline, loadAllowList, saveAllowList, verifyAllowList } from './allow-list.ts';
import { makeKeys, signedList } from './test-helpers.ts';

const keys = makeKeys();
const NOW = Date.now();
const UID = '04A3B2C1';

describe('verifyAllowList', () => {
  const good = signedList(keys.privateKey, { machineId: 'laser-1' }, [
    { uid: UID, name: 'Camille', creditCents: 900 },
  ]);

  it('accepts a list signed by the configured key for this machine', () => {
    const r = verifyAllowList(JSON.parse(JSON.stringify(good)), keys.publicKeyPem, 'laser-1', NOW);
    expect(r.ok).toBe(true);
  });

  it.each([
    [
      'signed by another key',
      signedList(makeKeys().privateKey, { machineId: 'laser-1' }, []),
      'bad_signature',
    ],
    [
      'tampered with',
      { ...good, body: { ...good.body, maxOfflineSessionSeconds: 999_999 } },
      'bad_signature',
    ],
    ['unsigned', { ...good, signature: '' }, 'bad_signature'],
    ['for another machine', signedList(keys.privateKey, { machineId: 'cnc-1' }, []), 'other_machine'],
    [
      'past validUntil',
      signedList(
        keys.privateKey,
        { machineId: 'laser-1', validUntil: new Date(NOW - 1000).toISOString() },
        [],
      ),
      'expired',
    ],
    ['malformed', { body: { version: 2 } }, 'malformed'],
  ])('refuses a list %s', (_name, list, reason) => {
    expect(verifyAllowList(list, keys.publicKeyPem, 'laser-1', NOW)).toEqual({ ok: false, reason });
  });

  it('verifies the body as received, not as re-ordered by parsing', () => {
    const reordered = { ...good, body: Object.fromEntries(Object.entries(good.body).reverse()) };
    expect(verifyAllowList(reordered, keys.publicKeyPem, 'laser-1', NOW).ok).toBe(false);
    expect(verifyAllowList(JSON.parse(JSON.stringify(good)), keys.publicKeyPem, 'laser-1', NOW).ok).toBe(
      true,
    );
  });

  it('is kept on disk and reloaded only while it still verifies', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sesame-allowlist-'));
    saveAllowList(dir, good);
    expect(loadAllowList(dir, keys.publicKeyPem, 'laser-1', NOW)?.signature).toBe(good.signature);
    expect(loadAllowList(dir, makeKeys().publicKeyPem, 'laser-1', NOW)).toBeNull();
    expect(loadAllowList(dir, keys.publicKeyPem, 'laser-1', NOW + 7200_000)).toBeNull();
  });
});

describe('decideOffline', () => {
  const list = (
    members: Parameters<typeof signedList>[2],
    body: Partial<Parameters<typeof signedList>[1]> = {},
  ) => signedList(keys.privateKey, { machineId: 'laser-1', ...body }, members).body;

  it.each([
    ['no list', null, { granted: false, reason: 'no_list' }],
    [
      'unknown badge',
      list([{ uid: '11223344', name: 'X', creditCents: 900 }]),
      { granted: false, reason: 'unknown_badge' },
    ],
    [
      'entry expired',
      list([{ uid: UID, name: 'C', creditCents: 900, until: new Date(NOW - 1).toISOString() }]),
      { granted: false, reason: 'expired' },
    ],
    [
      'credit below the minimum charge',
      list([{ uid: UID, name: 'C', creditCents: 99 }], { minimumChargeCents: 100, pricePerMinuteCents: 50 }),
      { granted: false, reason: 'insufficient_balance' },
    ],
    [
      'credit below one minute',
      list([{ uid: UID, name: 'C', creditCents: 40 }], { minimumChargeCents: 0, pricePerMinuteCents: 50 }),
      { granted: false, reason: 'insufficient_balance' },
    ],
    [
      'credit limits the session',
      list([{ uid: UID, name: 'C', creditCents: 275 }], {
        pricePerMinuteCents: 50,
        maxOfflineSessionSeconds: 3600,
      }),
      { granted: true, name: 'C', maxRunningSeconds: 300, maxWallSeconds: 3600 },
    ],
    [
      'the list caps the session',
      list([{ uid: UID, name: 'C', creditCents: 100_000 }], {
        pricePerMinuteCents: 50,
        maxOfflineSessionSeconds: 600,
      }),
      { granted: true, name: 'C', maxRunningSeconds: 600, maxWallSeconds: 600 },
    ],
    [
      'a free machine (creditCents null)',
      list([{ uid: UID, name: 'C', creditCents: null }], { pricePerMinuteCents: 0, minimumChargeCents: 0 }),
      { granted: true, name: 'C', maxRunningSeconds: null, maxWallSeconds: 3600 },
    ],
  ])('%s', (_name, body, expected) => {
    expect(decideOffline(body, UID, NOW)).toMatchObject(expected);
  });

  it('refuses everything once the list is past validUntil', () => {
    const body = list([{ uid: UID, name: 'C', creditCents: null }], {
      validUntil: new Date(NOW + 1000).toISOString(),
    });
    expect(decideOffline(body, UID, NOW + 2000)).toEqual({ granted: false, reason: 'list_expired' });
  });
});
