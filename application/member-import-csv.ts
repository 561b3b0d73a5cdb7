/**
 * Reading the team's member spreadsheet (issue #5): a CSV with French headers
 * (Nom;Prénom;Email;Catégorie;Année de naissance;Adhésion jusqu'au), ';' or ',' separated,
 * with or without a BOM. Every row is checked; an e-mail twice in the file is an error of its
 * row. Pure apart from the time zone: what the rows do to the database is member-import.ts.
 */
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
import { parseLastDay } from './membership-dates.ts';

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

/**
 * Why a row is refused: `code` and `params` let each page say it in its language (issue #12
 * item 5: French on the French page); `detail` is the English sentence the API and CLI show.
 */
export type ImportErrorCode =
  | 'csv'
  | 'empty_file'
  | 'missing_column'
  | 'too_many_rows'
  | 'name_empty'
  | 'name_too_long'
  | 'email_invalid'
  | 'email_repeated'
  | 'category_invalid'
  | 'birth_year_invalid'
  | 'date_invalid'
  | 'gender_invalid'
  | 'commune_too_long'
  | 'area_invalid';

export interface ImportRowError {
  line: number;
  field: string;
  code: ImportErrorCode;
  /** the values the sentence names (the cell, the other line, the header…) */
  params: Record<string, string | number>;
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

const emailSchema = z.email().max(320);

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
        errors: [
          { line: e.line, field: 'file', code: 'csv', params: { reason: e.message }, detail: e.message },
        ],
        rows: 0,
        ignoredColumns: [],
      };
    throw e;
  }
  const [header, ...body] = table;
  if (header === undefined)
    return {
      members: [],
      errors: [{ line: 1, field: 'file', code: 'empty_file', params: {}, detail: 'the file is empty' }],
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
        code: 'missing_column',
        params: { column: needed === 'lastName' ? 'Nom' : 'Email', header: header.fields.join(' | ') },
        detail: `no "${needed === 'lastName' ? 'Nom' : 'Email'}" column in the header (${header.fields.join(' | ')})`,
      });
    }
  }
  if (errors.length > 0) return { members: [], errors, rows: body.length, ignoredColumns };
  if (body.length > MAX_IMPORT_ROWS) {
    return {
      members: [],
      errors: [
        {
          line: header.line,
          field: 'file',
          code: 'too_many_rows',
          params: { max: MAX_IMPORT_ROWS },
          detail: `at most ${MAX_IMPORT_ROWS} rows per import`,
        },
      ],
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
    const err = (field: string, code: ImportErrorCode, params: ImportRowError['params'], detail: string) =>
      rowErrors.push({ line: row.line, field, code, params, detail });
    const last = cell(row.fields, 'lastName');
    const first = cell(row.fields, 'firstName');
    const name = [first, last].filter(Boolean).join(' ');
    if (last === '') err('Nom', 'name_empty', {}, 'the name is empty');
    else if (name.length > 200)
      err('Nom', 'name_too_long', { max: 200 }, 'the name is longer than 200 characters');
    const email = cell(row.fields, 'email').toLowerCase();
    if (!emailSchema.safeParse(email).success)
      err('Email', 'email_invalid', { value: email }, `"${email}" is not an e-mail address`);
    else if (seen.has(email))
      err(
        'Email',
        'email_repeated',
        { value: email, other: seen.get(email)! },
        `${email} is also on line ${seen.get(email)} of the file`,
      );
    else seen.set(email, row.line);
    const rawCategory = cell(row.fields, 'category');
    const category = rawCategory === '' ? null : parseCategory(rawCategory);
    if (rawCategory !== '' && category === null) {
      err(
        'Catégorie',
        'category_invalid',
        { value: rawCategory },
        `"${rawCategory}" is not a category (${MEMBER_CATEGORIES.join(', ')}, or their French names)`,
      );
    }
    const rawYear = cell(row.fields, 'birthYear');
    let birthYear: number | null = null;
    if (rawYear !== '') {
      birthYear = /^\d{4}$/.test(rawYear) ? Number(rawYear) : Number.NaN;
      if (!(birthYear >= 1900 && birthYear <= year))
        err(
          'Année de naissance',
          'birth_year_invalid',
          { value: rawYear, max: year },
          `"${rawYear}" is not a year between 1900 and ${year}`,
        );
    }
    const rawGender = cell(row.fields, 'gender');
    const parsedGender = rawGender === '' ? 'unspecified' : parseGender(rawGender);
    if (parsedGender === null)
      err(
        'Genre',
        'gender_invalid',
        { value: rawGender },
        `"${rawGender}" is not a gender (femme, homme, autre, non précisé, or empty)`,
      );
    const gender = parsedGender === 'unspecified' || parsedGender === null ? null : parsedGender;
    const residenceCommune = cell(row.fields, 'residenceCommune') || null;
    if (residenceCommune !== null && residenceCommune.length > 100)
      err('Commune', 'commune_too_long', { max: 100 }, 'the commune is longer than 100 characters');
    const rawArea = cell(row.fields, 'residenceArea');
    const residenceArea = rawArea === '' ? null : parseResidenceArea(rawArea);
    if (rawArea !== '' && residenceArea === null)
      err(
        'Agglomération',
        'area_invalid',
        { value: rawArea },
        `"${rawArea}" is not "dans l'agglomération" or "hors agglomération" (or oui/non)`,
      );
    const rawUntil = cell(row.fields, 'validUntil');
    const until = rawUntil === '' ? null : parseLastDay(rawUntil, options.timeZone);
    if (rawUntil !== '' && until === null)
      err(
        "Adhésion jusqu'au",
        'date_invalid',
        { value: rawUntil },
        `"${rawUntil}" is not a date such as 31/12/2026`,
      );
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
