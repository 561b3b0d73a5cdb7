/**
 * Boards pages after the outsider's check (issue #12): the one-time secret comes with
 * "Terminé" and no create button; a machine's second board needs an explicit tick (a resent
 * form adds nothing); the list names the machine, not the board id, which appears only
 * labelled as SESAME_DEVICE_ID. Abuse: wrong role, cross-origin, malformed input change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../application/auth.ts';
import { testApp } from '../support/test-app.ts';

let t: Awaited<ReturnType<typeof testApp>>;
let admin: string;
let trainer: string;
let machine: string;
const ORIGIN = 'http://localhost';

beforeAll(async () => {
  t = await testApp();
  const cookie = async (roles: string[]) =>
    `sesame_session=${(await issueToken(t.db, { staffId: (await t.staff(roles)).id }, 'web')).token}`;
  admin = await cookie(['admin']);
  trainer = await cookie(['trainer']);
  machine = await t.machine(undefined, { name: 'Trotec Speedy 300' });
});
afterAll(async () => {
  await t?.close?.();
});

async function post(
  path: string,
  fields: Record<string, string>,
  o: { cookie?: string; origin?: string } = {},
) {
  const body = new URLSearchParams(fields).toString();
  return t.app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      origin: o.origin ?? ORIGIN,
      cookie: o.cookie ?? admin,
    },
    body,
  });
}
const boards = async () =>
  (await t.call('GET', `/api/v1/machines/${machine}/devices`)).body.items as unknown[];
const flash = async (res: Response, cookie = admin) => {
  const set = res.headers.get('set-cookie')?.split(';')[0] ?? '';
  const page = await t.app.request(`${ORIGIN}${res.headers.get('location')}`, {
    headers: { cookie: `${cookie}; ${set}` },
  });
  return page.text();
};

describe('boards (issue #12, outsider’s check)', () => {
  it('creates the first board: the secret, "Terminé", no create button, the id labelled', async () => {
    for (const [path, fields] of [[`/admin/machines/${machine}/devices`, { label: 'lecteur' }]] as const) {
      const res = await post(path, fields);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('data-testid="device-secret"');
      expect(html).toMatch(/>\s*Terminé\s*</);
      expect(html).not.toContain('Ajouter un boîtier');
      expect(html).toContain('Identifiant du boîtier (SESAME_DEVICE_ID)');
      expect(html).toContain('Trotec Speedy 300');
    }
    expect(await boards()).toHaveLength(1);
  });

  it('refuses a second board without the tick, on both pages, and says why', async () => {
    const admin1 = await post(`/admin/machines/${machine}/devices`, { label: 'lecteur' });
    expect(admin1.status).toBe(303);
    expect(await flash(admin1)).toContain('Trotec Speedy 300 a déjà un boîtier : rien n’a été créé');
    const setup = await post('/setup/boards', { machineId: machine });
    expect(setup.status).toBe(303);
    expect(await flash(setup)).toContain('rien n’a été créé');
    expect(await boards()).toHaveLength(1);
  });

  it('warns on the list and adds a second board when ticked', async () => {
    const list = await (
      await t.app.request(`${ORIGIN}/admin/devices`, { headers: { cookie: admin } })
    ).text();
    expect(list).toContain('Trotec Speedy 300 a déjà un boîtier actif');
    expect(list).toContain('Oui, ajouter un autre boîtier à cette machine');
    const res = await post(`/admin/machines/${machine}/devices`, { label: 'relais', another: 'yes' });
    expect(res.status).toBe(200);
    expect(await boards()).toHaveLength(2);
  });

  it('shows names, not board ids, in the list (and in English)', async () => {
    const ids = ((await boards()) as { id: string }[]).map((d) => d.id);
    for (const q of ['', '?lang=en']) {
      const html = await (
        await t.app.request(`${ORIGIN}/admin/devices${q}`, { headers: { cookie: admin } })
      ).text();
      for (const id of ids) expect(html).not.toContain(`>${id}<`);
      expect(html).not.toContain('<code>dev');
      expect(html).toContain('lecteur (Trotec Speedy 300)');
    }
    const en = await (
      await t.app.request(`${ORIGIN}/admin/devices?lang=en`, { headers: { cookie: admin } })
    ).text();
    expect(en).toContain('Yes, add another board to this machine');
  });

  it('changes nothing for a trainer, a cross-origin post, a malformed form or an unknown machine', async () => {
    const before = await boards();
    expect(
      (await post(`/admin/machines/${machine}/devices`, { another: 'yes' }, { cookie: trainer })).status,
    ).toBe(403);
    expect(
      (
        await post(
          `/admin/machines/${machine}/devices`,
          { another: 'yes' },
          { origin: 'https://evil.example' },
        )
      ).status,
    ).toBe(403);
    expect((await post(`/admin/machines/${machine}/devices`, { another: 'maybe' })).status).toBe(303);
    expect(
      (await post(`/admin/machines/${machine}/devices`, { label: 'x'.repeat(500), another: 'yes' })).status,
    ).toBe(303);
    expect((await post('/admin/machines/no-such-machine/devices', { another: 'yes' })).status).toBe(404);
    expect(
      (await post('/setup/boards', { machineId: machine, another: 'yes' }, { cookie: trainer })).status,
    ).toBe(403);
    expect(await boards()).toEqual(before);
  });
});
