/**
 * Importing members from the team's spreadsheet (issue #5): a CSV with French headers
 * (Nom;Prénom;Email;Catégorie;Année de naissance;Adhésion jusqu'au), ';' or ',' separated,
 * with or without a BOM. `previewImport` validates every row and writes nothing;
 * `commitImport` writes all rows in one transaction, or nothing if any row is invalid.
 * Duplicates (an e-mail twice in the file, or already a member) are errors of their row.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { CsvError, headerKey, parseCsv } from '../core/csv.ts';
import {
  type Gender,
  MEMBER_CATEGORIES,
  type MemberCategory,
  parseCategory,
  parseGender,
  parseResidenceArea,
  type ResidenceArea,
} from '../core/member-categories.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { members } from '../db/schema.ts';
import { type Actor, audit } from './audit.ts';
import { invalid } from './errors.ts';
import { rowsOf } from './ledger-sql.ts';
import { zonedWallTimeToInstant } from './report-range.ts';
import { newId } from './security.ts';

/** Header spellings accepted for each field (compared without accents, case or punctuation). */
const HEADERS: Record<string, readonly string[]> = {
  lastName: ['nom', 'nomdefamille', 'lastname', 'name'],
  firstName: ['prenom', 'firstname'],
  email: ['email', 'mail', 'courriel', 'adresseemail', 'adressemail', 'adressecourriel'],
  category: ['categorie', 'category', 'statut', 'situation'],
  birthYear: ['anneedenaissance', 'naissance', 'birthyear', 'anneenaissance'],
  // Issue #11 (attendance for funders): optional columns.
  gender: ['genre', 'sexe', 'gender', 'sex'],
  residenceCommune: ['commune', 'communederesidence', 'ville', 'codeinsee', 'insee', 'city', 'town'],
  residenceArea: ['agglomeration', 'danslagglomeration', 'agglo', 'residence', 'area', 'residencearea'],
  validUntil: [
    'adhesionjusquau',
    'adhesionjusqua',
    'finadhesion',
    'adhesion',
    'membershipvaliduntil',
    'validejusquau',
  ],
};

export const MAX_IMPORT_ROWS = 5000;

export interface ImportRowError {
  line: number;
  field: string;
  detail: string;
}

export interface ImportedMember {
  line: number;
  name: string;
  email: string;
  category: MemberCategory | null;
  birthYear: number | null;
  gender: Gender | null;
  residenceCommune: string | null;
  residenceArea: ResidenceArea | null;
  membershipValidUntil: string | null;
}

export interface ImportPreview {
  rows: number;
  valid: number;
  errors: ImportRowError[];
  members: ImportedMember[];
  /** columns of the file that were not used */
  ignoredColumns: string[];
}

const emailSchema = z.email().max(320);

/** `31/12/2026`, `31/12/26`, `2026-12-31`: the end of that day in the lab's time zone. */
export function parseFrenchDate(text: string, timeZone: string): Date | null {
  const t = text.trim();
  let y: number;
  let m: number;
  let d: number;
  const fr = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(t);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (fr) {
    d = Number(fr[1]);
    m = Number(fr[2]);
    y = Number(fr[3]);
    if (fr[3]!.length === 2) y += 2000;
  } else if (iso) {
    y = Number(iso[1]);
    m = Number(iso[2]);
    d = Number(iso[3]);
  } else return null;
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return null;
  // Valid through that whole day: until the next local midnight.
  return new Date(
    zonedWallTimeToInstant({ year: y, month: m, day: d + 1, hour: 0, minute: 0, second: 0, ms: 0 }, timeZone),
  );
}

export function parseMemberCsv(
  text: string,
  options: { timeZone: string; now: Date },
): { members: ImportedMember[]; errors: ImportRowError[]; rows: number; ignoredColumns: string[] } {
  let table: ReturnType<typeof parseCsv>;
  try {
    table = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError)
      return {
        members: [],
        errors: [{ line: e.line, field: 'file', detail: e.message }],
        rows: 0,
        ignoredColumns: [],
      };
    throw e;
  }
  const [header, ...body] = table;
  if (header === undefined)
    return {
      members: [],
      errors: [{ line: 1, field: 'file', detail: 'the file is empty' }],
      rows: 0,
      ignoredColumns: [],
    };
  const index: Partial<Record<keyof typeof HEADERS, number>> = {};
  const ignoredColumns: string[] = [];
  header.fields.forEach((cell, i) => {
    const key = headerKey(cell);
    const field = (Object.keys(HEADERS) as (keyof typeof HEADERS)[]).find((f) => HEADERS[f]!.includes(key));
    if (field !== undefined && index[field] === undefined) index[field] = i;
    else if (cell.trim() !== '') ignoredColumns.push(cell.trim());
  });
  const errors: ImportRowError[] = [];
  for (const needed of ['lastName', 'email'] as const) {
    if (index[needed] === undefined) {
      errors.push({
        line: header.line,
        field: needed,
        detail: `no "${needed === 'lastName' ? 'Nom' : 'Email'}" column in the header (${header.fields.join(' | ')})`,
      });
    }
  }
  if (errors.length > 0) return { members: [], errors, rows: body.length, ignoredColumns };
  if (body.length > MAX_IMPORT_ROWS) {
    return {
      members: [],
      errors: [{ line: header.line, field: 'file', detail: `at most ${MAX_IMPORT_ROWS} rows per import` }],
      rows: body.length,
      ignoredColumns,
    };
  }
  const cell = (fields: string[], f: keyof typeof HEADERS) => {
    const i = index[f];
    return i === undefined ? '' : (fields[i] ?? '').trim();
  };
  const year = new Date(options.now).getUTCFullYear();
  const out: ImportedMember[] = [];
  const seen = new Map<string, number>();
  for (const row of body) {
    const rowErrors: ImportRowError[] = [];
    const err = (field: string, detail: string) => rowErrors.push({ line: row.line, field, detail });
    const last = cell(row.fields, 'lastName');
    const first = cell(row.fields, 'firstName');
    const name = [first, last].filter(Boolean).join(' ');
    if (last === '') err('Nom', 'the name is empty');
    else if (name.length > 200) err('Nom', 'the name is longer than 200 characters');
    const email = cell(row.fields, 'email').toLowerCase();
    if (!emailSchema.safeParse(email).success) err('Email', `"${email}" is not an e-mail address`);
    else if (seen.has(email)) err('Email', `${email} is also on line ${seen.get(email)} of the file`);
    else seen.set(email, row.line);
    const rawCategory = cell(row.fields, 'category');
    const category = rawCategory === '' ? null : parseCategory(rawCategory);
    if (rawCategory !== '' && category === null) {
      err(
        'Catégorie',
        `"${rawCategory}" is not a category (${MEMBER_CATEGORIES.join(', ')}, or their French names)`,
      );
    }
    const rawYear = cell(row.fields, 'birthYear');
    let birthYear: number | null = null;
    if (rawYear !== '') {
      birthYear = /^\d{4}$/.test(rawYear) ? Number(rawYear) : Number.NaN;
      if (!(birthYear >= 1900 && birthYear <= year))
        err('Année de naissance', `"${rawYear}" is not a year between 1900 and ${year}`);
    }
    const rawGender = cell(row.fields, 'gender');
    const parsedGender = rawGender === '' ? 'unspecified' : parseGender(rawGender);
    if (parsedGender === null)
      err('Genre', `"${rawGender}" is not a gender (femme, homme, autre, non précisé, or empty)`);
    const gender = parsedGender === 'unspecified' || parsedGender === null ? null : parsedGender;
    const residenceCommune = cell(row.fields, 'residenceCommune') || null;
    if (residenceCommune !== null && residenceCommune.length > 100)
      err('Commune', 'the commune is longer than 100 characters');
    const rawArea = cell(row.fields, 'residenceArea');
    const residenceArea = rawArea === '' ? null : parseResidenceArea(rawArea);
    if (rawArea !== '' && residenceArea === null)
      err('Agglomération', `"${rawArea}" is not "dans l'agglomération" or "hors agglomération" (or oui/non)`);
    const rawUntil = cell(row.fields, 'validUntil');
    const until = rawUntil === '' ? null : parseFrenchDate(rawUntil, options.timeZone);
    if (rawUntil !== '' && until === null)
      err("Adhésion jusqu'au", `"${rawUntil}" is not a date such as 31/12/2026`);
    if (rowErrors.length > 0) errors.push(...rowErrors);
    else
      out.push({
        line: row.line,
        name,
        email,
        category,
        birthYear,
        gender,
        residenceCommune,
        residenceArea,
        membershipValidUntil: until?.toISOString() ?? null,
      });
  }
  return { members: out, errors, rows: body.length, ignoredColumns };
}

async function existingEmails(db: DbOrTx, emails: string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = await rowsOf<{ email: string }>(
    db,
    sql`select lower(email) as email from members where lower(email) in (${sql.join(
      emails.map((e) => sql`${e}`),
      sql`, `,
    )})`,
  );
  return new Set(rows.map((r) => r.email));
}

export async function previewImport(
  db: DbOrTx,
  text: string,
  options: { timeZone: string; now: Date },
): Promise<ImportPreview> {
  const parsed = parseMemberCsv(text, options);
  const taken = await existingEmails(
    db,
    parsed.members.map((m) => m.email),
  );
  const errors = [...parsed.errors];
  const valid: ImportedMember[] = [];
  for (const m of parsed.members) {
    if (taken.has(m.email))
      errors.push({ line: m.line, field: 'Email', detail: `${m.email} is already a member` });
    else valid.push(m);
  }
  errors.sort((a, b) => a.line - b.line);
  return {
    rows: parsed.rows,
    valid: valid.length,
    errors,
    members: valid,
    ignoredColumns: parsed.ignoredColumns,
  };
}

export class ImportRejectedError extends Error {
  constructor(readonly preview: ImportPreview) {
    super(`${preview.errors.length} error(s) in the file; nothing was imported. Fix them and import again.`);
  }
}

/** Creates every member of the file in one transaction, or none. */
export async function commitImport(
  db: Db,
  actor: Actor,
  text: string,
  options: { timeZone: string; now: Date },
): Promise<{ created: number; ids: string[] }> {
  return db.transaction(async (tx) => {
    // Concurrent imports of the same file: the second sees the first's members as duplicates.
    await tx.execute(sql`select pg_advisory_xact_lock(7275007)`);
    const preview = await previewImport(tx, text, options);
    if (preview.errors.length > 0) throw new ImportRejectedError(preview);
    if (preview.members.length === 0) throw invalid('csv', 'the file has no member rows');
    const ids: string[] = [];
    for (const m of preview.members) {
      const id = newId();
      ids.push(id);
      await tx.insert(members).values({
        id,
        name: m.name,
        email: m.email,
        category: m.category,
        birthYear: m.birthYear,
        gender: m.gender,
        residenceCommune: m.residenceCommune,
        residenceArea: m.residenceArea,
        membershipValidUntil: m.membershipValidUntil === null ? null : new Date(m.membershipValidUntil),
      });
    }
    await audit(tx, {
      actor,
      action: 'import',
      entity: 'member',
      entityId: null,
      after: { created: ids.length, ids },
    });
    return { created: ids.length, ids };
  });
}
