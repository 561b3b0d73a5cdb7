import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.ts';
import { members } from '../db/schema.ts';
import { testDatabase } from '../tests/support/db.ts';
import { commitImport, ImportRejectedError, parseFrenchDate, previewImport } from './member-import.ts';

const opts = { timeZone: 'Europe/Paris', now: new Date('2026-03-01T10:00:00Z') };

let database: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  await db.insert(members).values({ id: 'existing', name: 'Déjà Là', email: 'deja@example.org' });
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

  it('reports every bad row with its line and field, and duplicates by e-mail', async () => {
    const csv =
      "Nom;Email;Catégorie;Année de naissance;Adhésion jusqu'au\n" +
      ';a@example.org;;;\n' +
      'B;not-an-email;astronaute;19x5;31/02/2026\n' +
      'C;deja@EXAMPLE.org;;;\n' +
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
    expect(preview.errors.find((e) => e.line === 4)?.detail).toMatch(/already a member/);
    expect(preview.errors.find((e) => e.line === 6)?.detail).toMatch(/line 5/);
    await expect(commitImport(db, 'staff:a', csv, opts)).rejects.toBeInstanceOf(ImportRejectedError);
    const [n] = await db.select({ n: count() }).from(members);
    expect(n?.n).toBe(1);
  });

  it('refuses a file without the required columns', async () => {
    const preview = await previewImport(db, 'Prénom;Téléphone\nA;1\n', opts);
    expect(preview.errors.map((e) => e.field)).toEqual(['lastName', 'email']);
  });

  it('commits all rows in one transaction, then sees them as duplicates', async () => {
    const result = await commitImport(db, 'staff:a', GOOD, opts);
    expect(result.created).toBe(3);
    const [lea] = await db.select().from(members).where(eq(members.email, 'lea@example.org'));
    expect(lea).toMatchObject({
      name: 'Léa Durand',
      category: 'retiree',
      birthYear: 1950,
      membershipValidUntil: null,
    });
    const again = await previewImport(db, GOOD, opts);
    expect(again.errors).toHaveLength(3);
  });

  it('parses French dates strictly', () => {
    expect(parseFrenchDate('31/12/26', 'Europe/Paris')?.toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect(parseFrenchDate('30/02/2026', 'Europe/Paris')).toBeNull();
    expect(parseFrenchDate('demain', 'Europe/Paris')).toBeNull();
  });
});
