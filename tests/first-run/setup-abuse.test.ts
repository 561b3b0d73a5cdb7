/**
 * Issue #12: the one-time setup link and the guided setup under abuse — a link reused,
 * expired, guessed, used after an admin exists, posted from another site, oversized or
 * malformed fields — change nothing (no staff account, no setting, no audit entry). Real
 * database from the committed migrations, real HTTP through app.request, a test clock.
 */
import { count, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueToken } from '../../application/auth.ts';
import { ensureBootstrapAdmin } from '../../application/bootstrap.ts';
import { labProfile } from '../../application/lab-profile.ts';
import { createMember } from '../../application/member-use-cases.ts';
import { issueSetupLink } from '../../application/setup-link.ts';
import { loadSiteKeys } from '../../application/site-keys.ts';
import { createStaff } from '../../application/staff.ts';
import { accountingSettings } from '../../application/treasury-settings.ts';
import { cliContext } from '../../application/use-case.ts';
import { auditLog, settings, staff } from '../../db/schema.ts';
import { createApp } from '../../server/http-app.ts';
import { testDatabase } from '../support/db.ts';

type TestDb = Awaited<ReturnType<typeof testDatabase>>;

let database: TestDb;
let app: ReturnType<typeof createApp>;
let clock: Date;

const ORIGIN = 'http://localhost';
const GOOD = {
  name: 'Marie Curie',
  email: 'marie@exemple.fr',
  password: 'a long passphrase',
  labName: 'La Machinerie',
  timeZone: 'Europe/Paris',
  siren: '123 456 789',
};

// One database for the file (a fresh one per test costs seconds on a busy machine); each test
// starts from no staff, no settings but the site keys, no lab data.
beforeAll(async () => {
  database = await testDatabase();
  const keys = await loadSiteKeys(database.db);
  app = createApp({
    db: database.db,
    keys,
    loop: { changed: () => {}, lock: async () => {} },
    now: () => clock,
  });
});
beforeEach(async () => {
  clock = new Date('2026-11-30T20:00:00Z');
  await database.db.execute(
    sql`truncate staff, api_tokens, audit_log, qualifications, machines, devices, members cascade`,
  );
  await database.db.execute(
    sql`delete from settings where key not in ('badge_hmac_key', 'allowlist_signing_key')`,
  );
});
afterAll(async () => {
  await database.drop();
});

async function post(
  path: string,
  fields: Record<string, string> | string,
  o: { origin?: string | null; cookie?: string } = {},
) {
  const body = typeof fields === 'string' ? fields : new URLSearchParams(fields).toString();
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(body)),
  };
  if (o.origin !== null) headers.origin = o.origin ?? ORIGIN;
  if (o.cookie) headers.cookie = o.cookie;
  return app.request(`${ORIGIN}${path}`, { method: 'POST', headers, body });
}

/** What a refused attempt must leave untouched. */
async function state() {
  const db = database.db;
  const [s] = await db.select({ n: count() }).from(staff);
  const [a] = await db.select({ n: count() }).from(auditLog);
  const links = await db
    .select({ n: count() })
    .from(settings)
    .where(sql`${settings.key} like 'setup-link:%'`);
  return {
    staff: s!.n,
    audit: a!.n,
    links: links[0]!.n,
    lab: await labProfile(db),
    siren: (await accountingSettings(db)).siren ?? null,
  };
}

async function link(): Promise<string> {
  const issued = await issueSetupLink(database.db, clock);
  if (issued === null) throw new Error('no link: an admin exists');
  return issued.token;
}

describe('the setup link (issue #12)', () => {
  it('works once: creates the admin, the lab profile and the SIREN, signs in, then is dead', async () => {
    const token = await link();
    expect((await app.request(`/first-run/${token}`)).status).toBe(200);
    const res = await post(`/first-run/${token}`, GOOD);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/setup');
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    expect((await app.request('/setup', { headers: { cookie } })).status).toBe(200);
    const after = await state();
    expect(after).toMatchObject({ staff: 1, links: 0, siren: '123456789' });
    expect(after.lab).toEqual({ name: 'La Machinerie', timeZone: 'Europe/Paris' });

    // Reused: the same link, and its form, are gone; nothing more is created.
    expect((await app.request(`/first-run/${token}`)).status).toBe(410);
    const again = await post(`/first-run/${token}`, { ...GOOD, email: 'other@exemple.fr' });
    expect(again.status).toBe(410);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await state()).toEqual(after);
  });

  it('an expired link is refused and changes nothing', async () => {
    const token = await link();
    clock = new Date(clock.getTime() + 24 * 3600_000 + 1000);
    const before = await state();
    expect((await app.request(`/first-run/${token}`)).status).toBe(404);
    expect((await post(`/first-run/${token}`, GOOD)).status).toBe(404);
    expect(await state()).toEqual(before);
  });

  it('a guessed link is refused and changes nothing', async () => {
    await link();
    const before = await state();
    for (const guess of ['setup_x', 'setup_' + 'A'.repeat(43), 'a'.repeat(300)]) {
      expect((await app.request(`/first-run/${guess}`)).status).toBe(404);
      expect((await post(`/first-run/${guess}`, GOOD)).status).toBe(404);
    }
    expect(await state()).toEqual(before);
  });

  it('once an admin exists (BOOTSTRAP_ADMIN_TOKEN), an earlier link is dead and no new one is issued', async () => {
    const token = await link();
    await ensureBootstrapAdmin(database.db, 'boot-token-0123456789');
    expect(await issueSetupLink(database.db, clock)).toBeNull();
    const before = await state();
    expect((await app.request(`/first-run/${token}`)).status).toBe(410);
    expect((await post(`/first-run/${token}`, GOOD)).status).toBe(410);
    expect(await state()).toEqual(before);
    // And the sign-in page is the ordinary one again.
    expect(await (await app.request('/sign-in')).text()).toContain('name="password"');
  });

  it('the sign-in page says how to finish the setup while no admin exists (no dead form)', async () => {
    const html = await (await app.request('/sign-in')).text();
    expect(html).toContain('pas encore configuré');
    expect(html).toContain('npm start');
    expect(html).not.toContain('name="password"');
  });

  it('a cross-origin or origin-less post is refused and changes nothing', async () => {
    const token = await link();
    const before = await state();
    expect((await post(`/first-run/${token}`, GOOD, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await state()).staff).toBe(0);
    expect(await state()).toEqual(before);
  });

  it('oversized and malformed fields are refused with the reasons, and change nothing', async () => {
    const token = await link();
    const before = await state();
    const cases: [Record<string, string> | string, number, string?][] = [
      [{ ...GOOD, password: 'short' }, 400, '10 à 200 caractères'],
      [{ ...GOOD, email: 'not-an-email' }, 400, 'adresse e-mail valide'],
      [{ ...GOOD, siren: '12345' }, 400, '9 chiffres'],
      [{ ...GOOD, timeZone: 'Mars/Olympus_Mons' }, 400, 'fuseau horaire'],
      [{ ...GOOD, name: '' }, 400, 'votre nom'],
      [{ ...GOOD, name: 'x'.repeat(121) }, 400],
      [{ ...GOOD, labName: 'La\u0000Machinerie' }, 400],
      [{ ...GOOD, password: 'p'.repeat(201) }, 400],
      [`name=${'x'.repeat(70_000)}`, 413],
    ];
    for (const [fields, status, text] of cases) {
      const res = await post(`/first-run/${token}`, fields);
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(status);
      expect(res.headers.get('set-cookie') ?? '').not.toContain('sesame_session');
      if (text) expect(await res.text()).toContain(text);
    }
    expect(await state()).toEqual(before);
    // The form keeps what was typed, never the password.
    const html = await (await post(`/first-run/${token}`, { ...GOOD, siren: '1' })).text();
    expect(html).toContain('value="Marie Curie"');
    expect(html).not.toContain(GOOD.password);
  });

  it('two posts of one link at once make one admin', async () => {
    const token = await link();
    const results = await Promise.all([
      post(`/first-run/${token}`, GOOD),
      post(`/first-run/${token}`, { ...GOOD, email: 'second@exemple.fr' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 410]);
    expect((await state()).staff).toBe(1);
  });
});

describe('the guided setup and retention pages (issue #12)', () => {
  async function admin(): Promise<string> {
    const res = await post(`/first-run/${await link()}`, GOOD);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  }

  it('are closed to anyone not signed in, and to members', async () => {
    await admin();
    for (const path of [
      '/setup',
      '/setup/qualifications',
      '/setup/machines',
      '/setup/boards',
      '/setup/members',
      '/admin/retention',
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toContain('/sign-in');
    }
    // A member and a trainer, signed in (web sessions as the sign-in form makes them).
    const ctx = cliContext({
      db: database.db,
      keys: await loadSiteKeys(database.db),
      now: new Date(),
      labTimeZone: 'Europe/Paris',
    });
    const member = await createMember(ctx, { name: 'Léa', email: 'lea@exemple.fr' });
    const trainer = await createStaff(database.db, 'system', {
      name: 'Inès',
      email: 'ines@exemple.fr',
      roles: ['trainer', 'treasurer'],
    });
    const expires = new Date(clock.getTime() + 3600_000);
    const cookieOf = async (owner: { memberId: string } | { staffId: string }) =>
      `sesame_session=${(await issueToken(database.db, owner, 'web', expires)).token}`;
    const before = await state();
    const fields = {
      name: 'X',
      validityDays: '365',
      days: '5',
      kind: 'laser',
      price: '1',
      minimum: '0',
      email: 'x@exemple.fr',
    };
    for (const path of [
      '/setup/qualifications',
      '/setup/machines',
      '/setup/boards',
      '/setup/members',
      '/admin/retention',
    ]) {
      expect((await post(path, fields)).status, path).toBe(303);
      for (const cookie of [
        await cookieOf({ memberId: member.id }),
        await cookieOf({ staffId: trainer.id }),
      ]) {
        expect((await app.request(path, { headers: { cookie } })).status, path).toBe(403);
        expect((await post(path, fields, { cookie })).status, path).toBe(403);
      }
    }
    expect(await state()).toEqual(before);
  });

  it('refuse cross-origin posts with the admin cookie, and malformed ones, changing nothing', async () => {
    const cookie = await admin();
    const before = await state();
    const evil = { origin: 'https://evil.example', cookie };
    expect((await post('/setup/qualifications', { name: 'Laser', validityDays: '365' }, evil)).status).toBe(
      403,
    );
    expect(
      (await post('/setup/machines', { name: 'Laser', kind: 'laser', price: '1', minimum: '0' }, evil))
        .status,
    ).toBe(403);
    expect((await post('/setup/members', { name: 'A', email: 'a@exemple.fr' }, evil)).status).toBe(403);
    expect((await post('/admin/retention', { days: '5' }, evil)).status).toBe(403);
    const ok = { cookie };
    for (const [path, fields] of [
      ['/setup/qualifications', { name: '', validityDays: '365' }],
      ['/setup/qualifications', { name: 'Laser', validityDays: '-1' }],
      ['/setup/machines', { name: 'Laser', kind: 'spaceship', price: '1', minimum: '0' }],
      ['/setup/machines', { name: 'Laser', kind: 'laser', price: 'beaucoup', minimum: '0' }],
      ['/setup/machines', { name: 'Laser', kind: 'laser', price: '1', minimum: '0', qualifications: 'nope' }],
      ['/setup/boards', { machineId: 'no-such-machine' }],
      ['/setup/members', { name: 'A', email: 'nope' }],
      ['/admin/retention', { days: '0' }],
      ['/admin/retention', { days: '3651' }],
      ['/admin/retention', { days: '12.5' }],
    ] as const) {
      const res = await post(path, fields, ok);
      expect(res.status, `${path} ${JSON.stringify(fields)}`).toBe(303);
      expect(res.headers.get('location')).toBe(path);
    }
    expect(await state()).toEqual(before);
  });

  it('create what they say through the services, with the ids derived from names', async () => {
    const cookie = await admin();
    const o = { cookie };
    expect(
      (await post('/setup/qualifications', { name: 'Découpe laser', validityDays: '365' }, o)).status,
    ).toBe(303);
    expect(
      (await post('/setup/qualifications', { name: 'Découpe laser', validityDays: '30' }, o)).status,
    ).toBe(303);
    const m = await post(
      '/setup/machines',
      { name: 'Trotec', kind: 'laser', price: '0,50', minimum: '1', qualifications: 'decoupe-laser' },
      o,
    );
    expect(m.status).toBe(303);
    const machines = await (await app.request('/setup/machines', { headers: o })).text();
    expect(machines).toContain('Trotec — Découpe laser');
    const board = await post('/setup/boards', { machineId: 'trotec', label: 'près de la fenêtre' }, o);
    expect(board.status).toBe(200);
    const html = await board.text();
    expect(html).toMatch(
      /SESAME_MQTT_URL=&#39;mqtt:\/\/localhost:1883&#39; SESAME_MACHINE_ID=&#39;trotec&#39;/,
    );
    expect(html).toContain('npm run controller -- --simulate');
    expect((await post('/admin/retention', { days: '30' }, o)).status).toBe(303);
    const retention = await (await app.request('/admin/retention', { headers: o })).text();
    expect(retention).toContain('30 jours');
    const quals = await (await app.request('/setup/qualifications', { headers: o })).text();
    expect(quals.match(/Découpe laser/g)?.length).toBeGreaterThanOrEqual(2);
  });
});
