import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.ts';
import { members } from '../db/schema.ts';
import { createLogger } from '../logging/logger.ts';
import { testDatabase } from '../tests/support/db.ts';
import { noDeviceConnections } from './devices.ts';
import { commitImport, ImportRejectedError, previewImport } from './member-import.ts';
import { parseLastDay } from './membership-dates.ts';
import type { MachineLoopPort } from './ports/machine-loop.ts';
import { loadSiteKeys } from './site-keys.ts';
import type { UseCaseContext } from './use-case.ts';

const opts = { timeZone: 'Europe/Paris', now: new Date('2026-03-01T10:00:00Z') };

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
let ctx: UseCaseContext;
const changes: Parameters<MachineLoopPort['changed']>[0][] = [];
beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  await db.insert(members).values({ id: 'existing', name: 'Déjà Là', email: 'deja@example.org' });
  ctx = {
    db,
    keys: await loadSiteKeys(db),
    loop: { changed: (s) => void changes.push(s), lock: async () => {} },
    now: () => opts.now,
    log: createLogger('error'),
    labTimeZone: opts.timeZone,
    devices: noDeviceConnections,
    actor: {
      kind: 'staff',
      id: 'a',
      name: 'Admin',
      email: 'a@example.org',
      roles: ['admin'],
      trainerOf: [],
      memberId: null,
      tokenId: 't',
    },
    by: 'staff:a',
  };
});
afterAll(async () => {
  await database.drop();
});

const GOOD =
  "\uFEFFNom;Prénom;Email;Catégorie;Année de naissance;Adhésion jusqu'au;Téléphone\r\n" +
  'Martin;Camille;Camille.Martin@example.org;Étudiante;2004;31/12/2026;0600000000\r\n' +
  'Durand;Léa;lea@example.org;Retraité;1950;;\r\n' +
  '"Le Gall, dit ""Yann""";;yann@example.org;;;2026-09-30;\r\n';

describe('member import', () => {
  it('previews a clean file (BOM, ;, accents, quoted commas) without writing', async () => {
    const preview = await previewImport(db, GOOD, opts);
    expect(preview).toMatchObject({ rows: 3, valid: 3, errors: [], ignoredColumns: ['Téléphone'] });
    expect(preview.members[0]).toMatchObject({
      line: 2,
      name: 'Camille Martin',
      email: 'camille.martin@example.org',
      category: 'student',
      birthYear: 2004,
      membershipValidUntil: '2026-12-31T23:00:00.000Z',
    });
    expect(preview.members[2]).toMatchObject({ name: 'Le Gall, dit "Yann"', category: null });
    const [n] = await db.select({ n: count() }).from(members);
    expect(n?.n).toBe(1);
  });

  it('reads comma-separated files too', async () => {
    const csv = 'nom,prenom,e-mail,categorie\nDupont,Jean,jean@example.org,salarie\n';
    const preview = await previewImport(db, csv, opts);
    expect(preview.members[0]).toMatchObject({ name: 'Jean Dupont', category: 'employee' });
  });

  it('reports every bad row with its line, field and code, and repeated e-mails', async () => {
    const csv =
      "Nom;Email;Catégorie;Année de naissance;Adhésion jusqu'au\n" +
      ';a@example.org;;;\n' +
      'B;not-an-email;astronaute;19x5;31/02/2026\n' +
      'C;not@;;;\n' +
      'D;d@example.org;;;\n' +
      'E;D@example.org;;;\n';
    const preview = await previewImport(db, csv, opts);
    expect(preview.valid).toBe(1);
    expect(preview.errors.map((e) => [e.line, e.field])).toEqual([
      [2, 'Nom'],
      [3, 'Email'],
      [3, 'Catégorie'],
      [3, 'Année de naissance'],
      [3, "Adhésion jusqu'au"],
      [4, 'Email'],
      [6, 'Email'],
    ]);
    expect(preview.errors.map((e) => e.code)).toEqual([
      'name_empty',
      'email_invalid',
      'category_invalid',
      'birth_year_invalid',
      'date_invalid',
      'email_invalid',
      'email_repeated',
    ]);
    expect(preview.errors.find((e) => e.line === 6)).toMatchObject({
      params: { value: 'd@example.org', other: 5 },
      detail: expect.stringMatching(/line 5/),
    });
    await expect(commitImport(ctx, { csv })).rejects.toBeInstanceOf(ImportRejectedError);
    const [n] = await db.select({ n: count() }).from(members);
    expect(n?.n).toBe(1);
  });

  it('refuses a file without the required columns', async () => {
    const preview = await previewImport(db, 'Prénom;Téléphone\nA;1\n', opts);
    expect(preview.errors.map((e) => e.field)).toEqual(['lastName', 'email']);
  });

  it('commits all rows in one transaction, then sees them as existing members, unchanged', async () => {
    const result = await commitImport(ctx, { csv: GOOD });
    expect(result).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
    expect(changes.at(-1)).toEqual({ memberIds: result.ids });
    const [lea] = await db.select().from(members).where(eq(members.email, 'lea@example.org'));
    expect(lea).toMatchObject({
      name: 'Léa Durand',
      category: 'retiree',
      birthYear: 1950,
      membershipValidUntil: null,
    });
    const again = await previewImport(db, GOOD, opts);
    expect(again).toMatchObject({ errors: [], created: 0, updated: 0, unchanged: 3 });
  });

  it('updates existing members by e-mail: renews, fills cells, never shortens nor clears', async () => {
    await db.insert(members).values([
      {
        id: 'renew-me',
        name: 'Inès Petit',
        email: 'ines@example.org',
        status: 'expired',
        membershipValidUntil: parseLastDay('31/08/2026', opts.timeZone),
        birthYear: 1990,
      },
      {
        id: 'longer',
        name: 'Hugo Roux',
        email: 'hugo@example.org',
        membershipValidUntil: parseLastDay('31/08/2028', opts.timeZone),
        category: 'teacher',
      },
    ]);
    const csv =
      "Nom;Prénom;Email;Catégorie;Année de naissance;Adhésion jusqu'au\n" +
      'Petit;Inès;INES@example.org;Salariée;;31/08/2027\n' +
      'Roux;Hugo;hugo@example.org;;;31/08/2027\n' +
      'Neuf;Noé;noe@example.org;;;31/08/2027\n';
    const preview = await previewImport(db, csv, opts);
    expect(preview).toMatchObject({ created: 1, updated: 1, unchanged: 1, errors: [] });
    expect(preview.members.map((m) => [m.email, m.action, m.changes])).toEqual([
      ['ines@example.org', 'update', ['category', 'membershipValidUntil']],
      ['hugo@example.org', 'unchanged', []],
      ['noe@example.org', 'create', []],
    ]);
    const r = await commitImport(ctx, { csv });
    expect(r).toMatchObject({ created: 1, updated: 1, unchanged: 1, updatedIds: ['renew-me'] });
    const [ines] = await db.select().from(members).where(eq(members.id, 'renew-me'));
    expect(ines).toMatchObject({
      status: 'active',
      category: 'employee',
      birthYear: 1990,
      membershipValidUntil: parseLastDay('31/08/2027', opts.timeZone),
    });
    const [hugo] = await db.select().from(members).where(eq(members.id, 'longer'));
    expect(hugo?.membershipValidUntil).toEqual(parseLastDay('31/08/2028', opts.timeZone));
    expect(hugo?.category).toBe('teacher');
    expect(changes.at(-1)).toEqual({ memberIds: [...r.ids, 'renew-me'] });
  });

  it('refuses a commit by someone who is not an admin, writing nothing', async () => {
    const trainer = { ...ctx, actor: { ...ctx.actor, roles: ['trainer'] as ('trainer' | 'admin')[] } };
    const csv = 'Nom;Email\nX;x-not-admin@example.org\n';
    await expect(commitImport(trainer as UseCaseContext, { csv })).rejects.toMatchObject({
      kind: 'forbidden',
    });
    expect((await previewImport(db, csv, opts)).created).toBe(1);
  });

  it('parses French dates strictly', () => {
    expect(parseLastDay('31/12/26', 'Europe/Paris')?.toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect(parseLastDay('30/02/2026', 'Europe/Paris')).toBeNull();
    expect(parseLastDay('demain', 'Europe/Paris')).toBeNull();
  });
});
