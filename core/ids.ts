import { z } from 'zod';

/** Machine and qualification ids are chosen by clients (SPEC §2, §3). */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const slugSchema = z.string().regex(SLUG_PATTERN, 'must match [a-z0-9][a-z0-9-]{0,63}');

/** A badge UID: hex, 4 to 10 bytes; lower case is accepted and normalised (SPEC §2). */
export const UID_PATTERN = /^(?:[0-9A-F]{2}){4,10}$/;

export function normaliseUid(raw: string): string | null {
  const uid = raw.trim().toUpperCase();
  return UID_PATTERN.test(uid) ? uid : null;
}

export const uidSchema = z.string().transform((raw, ctx) => {
  const uid = normaliseUid(raw);
  if (uid === null) {
    ctx.addIssue({ code: 'custom', message: 'a badge UID is 4 to 10 bytes of hex (8 to 20 hex digits)' });
    return z.NEVER;
  }
  return uid;
});

/** The last 4 hex digits, shown to staff instead of the full UID. */
export function uidHint(uid: string): string {
  return uid.slice(-4);
}
