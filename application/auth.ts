/**
 * Who is calling (SPEC §3 roles): API tokens and dashboard sessions, both random 256-bit
 * values stored as SHA-256 in api_tokens. A token belongs to a staff account (its roles)
 * or to one member (role `member`, their own data only).
 */
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { StaffRole } from '../core/domain.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { apiTokens, members, staff, trainerQualifications } from '../db/schema.ts';
import { metrics } from '../logging/metrics.ts';
import { hashPassword, newId, newSecret, sha256, verifyPassword } from './security.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';

/** The dashboard's session cookie, read by the API for cookie-authenticated calls. */
export const SESSION_COOKIE = 'sesame_session';

export { SignInThrottled } from './sign-in-throttle.ts';

const passwordChecks = metrics.counter(
  'sign_in_password_checks_total',
  'Passwords checked (argon2) by sign-in; a throttled attempt checks none',
);

export type Principal =
  | {
      kind: 'staff';
      id: string;
      name: string;
      email: string;
      roles: StaffRole[];
      trainerOf: string[];
      /** the member record holding this person's badges, if any */
      memberId: string | null;
      tokenId: string;
    }
  | { kind: 'member'; id: string; name: string; email: string; memberId: string; tokenId: string };

export function actorOf(p: Principal): string {
  return `${p.kind}:${p.id}`;
}

export const WEB_SESSION_HOURS = 12;

export async function trainerOf(db: DbOrTx, staffId: string): Promise<string[]> {
  const rows = await db
    .select({ q: trainerQualifications.qualificationId })
    .from(trainerQualifications)
    .where(eq(trainerQualifications.staffId, staffId));
  return rows.map((r) => r.q).sort();
}

/** The principal a presented token stands for, or null (unknown, revoked, expired, disabled). */
export async function authenticateToken(db: Db, token: string, now: Date): Promise<Principal | null> {
  const rows = await db
    .select()
    .from(apiTokens)
    .where(
      and(
        eq(apiTokens.tokenHash, sha256(token)),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
      ),
    );
  const row = rows[0];
  if (row === undefined) return null;
  if (row.staffId !== null) {
    const [s] = await db.select().from(staff).where(eq(staff.id, row.staffId));
    if (s === undefined || s.disabledAt !== null) return null;
    return {
      kind: 'staff',
      id: s.id,
      name: s.name,
      email: s.email,
      roles: s.roles as StaffRole[],
      trainerOf: await trainerOf(db, s.id),
      memberId: s.memberId,
      tokenId: row.id,
    };
  }
  if (row.memberId !== null) {
    const [m] = await db.select().from(members).where(eq(members.id, row.memberId));
    if (m === undefined || m.erasedAt !== null) return null;
    return { kind: 'member', id: m.id, name: m.name, email: m.email, memberId: m.id, tokenId: row.id };
  }
  return null;
}

export type TokenOwner = { staffId: string } | { memberId: string };

/** Creates a token and returns it: the only time it is ever visible. */
export async function issueToken(
  db: DbOrTx,
  owner: TokenOwner,
  kind: 'api' | 'web' = 'api',
  expiresAt: Date | null = null,
): Promise<{ id: string; token: string }> {
  const token = newSecret(kind === 'web' ? 'ses' : 'tok');
  const id = newId();
  await db.insert(apiTokens).values({
    id,
    tokenHash: sha256(token),
    kind,
    staffId: 'staffId' in owner ? owner.staffId : null,
    memberId: 'memberId' in owner ? owner.memberId : null,
    expiresAt,
  });
  return { id, token };
}

export async function revokeToken(db: DbOrTx, tokenId: string, now: Date): Promise<void> {
  await db.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, tokenId));
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(newSecret('dummy'));
  return dummy;
}

/** Password login for the dashboard: staff accounts first, then members. */
export async function login(
  db: Db,
  email: string,
  password: string,
  now: Date,
): Promise<{ token: string; expiresAt: Date; principal: Principal } | null> {
  const lower = email.trim().toLowerCase();
  const [s] = await db
    .select()
    .from(staff)
    .where(and(sql`lower(${staff.email}) = ${lower}`, isNull(staff.disabledAt)));
  let owner: TokenOwner | null = null;
  let hash: string | null = null;
  if (s !== undefined) {
    hash = s.passwordHash;
    owner = { staffId: s.id };
  } else {
    const [m] = await db
      .select()
      .from(members)
      .where(and(sql`lower(${members.email}) = ${lower}`, isNull(members.erasedAt)));
    if (m !== undefined) {
      hash = m.passwordHash;
      owner = { memberId: m.id };
    }
  }
  // Same work whether or not the account exists: timing does not reveal who has one.
  passwordChecks.inc();
  const ok = await verifyPassword(hash ?? (await dummyHash()), password);
  if (!ok || hash === null) owner = null;
  if (owner === null) return null;
  const expiresAt = new Date(now.getTime() + WEB_SESSION_HOURS * 3600_000);
  const { token } = await issueToken(db, owner, 'web', expiresAt);
  const principal = await authenticateToken(db, token, now);
  return principal === null ? null : { token, expiresAt, principal };
}

/**
 * Password sign-in behind the brute-force throttle (issue #9), for the API and the dashboard:
 * a throttled attempt throws SignInThrottled before any password is checked.
 */
export async function signIn(
  db: Db,
  throttle: SignInThrottle,
  email: string,
  password: string,
  address: string,
  now: Date,
): ReturnType<typeof login> {
  const ticket = await throttle.attempt(email, address);
  const session = await login(db, email, password, now);
  if (session !== null) await throttle.succeeded(ticket);
  return session;
}

/** The sign-in email of an account, for an admin's throttle reset; null when unknown. */
export async function signInEmailOf(db: Db, owner: TokenOwner): Promise<string | null> {
  if ('staffId' in owner) {
    const [s] = await db.select({ email: staff.email }).from(staff).where(eq(staff.id, owner.staffId));
    return s?.email ?? null;
  }
  const [m] = await db.select({ email: members.email }).from(members).where(eq(members.id, owner.memberId));
  return m?.email ?? null;
}
