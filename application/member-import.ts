/**
 * Importing members from the team's spreadsheet (issue #5), which also renews and updates
 * the members already there, found by e-mail (issue #12 item 2: ~270 renewals a year).
 * `previewImport` says, row by row, what an import would do — create, update (which
 * fields), or leave — and writes nothing; `commitImport` (the use case) does it in one
 * transaction, or nothing if any row is invalid. An existing member's empty cells are left as
 * they are, and a membership already running past the file's date is not shortened.
 */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { members } from '../db/schema.ts';
import { audit } from './audit.ts';
import { invalid } from './errors.ts';
import { type ImportedMember, type ImportRowError, parseMemberCsv } from './member-import-csv.ts';
import { mustBeAdmin, parseInput } from './member-use-cases.ts';
import { publicMember } from './members.ts';
import { newId } from './security.ts';
import { runUseCase, type UseCaseContext } from './use-case.ts';

export {
  type ImportErrorCode,
  type ImportRowError,
  MAX_IMPORT_ROWS,
  parseMemberCsv,
} from './member-import-csv.ts';

/** The fields an import may change on an existing member. */
export type ImportField =
  | 'name'
  | 'category'
  | 'birthYear'
  | 'gender'
  | 'residenceCommune'
  | 'residenceArea'
  | 'membershipValidUntil';

export interface ImportRow extends ImportedMember {
  action: 'create' | 'update' | 'unchanged';
  /** the existing member (update, unchanged) */
  memberId: string | null;
  /** what an update changes */
  changes: ImportField[];
}

export interface ImportPreview {
  rows: number;
  /** rows without errors (created + updated + unchanged) */
  valid: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportRowError[];
  members: ImportRow[];
  /** columns of the file that were not used */
  ignoredColumns: string[];
}

type MemberRow = typeof members.$inferSelect;

async function existingByEmail(db: DbOrTx, emails: string[], lock: boolean): Promise<Map<string, MemberRow>> {
  if (emails.length === 0) return new Map();
  const query = db
    .select()
    .from(members)
    .where(inArray(sql`lower(${members.email})`, emails))
    .orderBy(asc(members.id));
  const rows = lock ? await query.for('update') : await query;
  return new Map(rows.map((r) => [r.email.toLowerCase(), r]));
}

/** What the file's row changes on an existing member: its non-empty cells that differ. */
function changesOf(m: ImportedMember, row: MemberRow): ImportField[] {
  const out: ImportField[] = [];
  if (m.name !== row.name) out.push('name');
  if (m.category !== null && m.category !== row.category) out.push('category');
  if (m.birthYear !== null && m.birthYear !== row.birthYear) out.push('birthYear');
  if (m.gender !== null && m.gender !== row.gender) out.push('gender');
  if (m.residenceCommune !== null && m.residenceCommune !== row.residenceCommune)
    out.push('residenceCommune');
  if (m.residenceArea !== null && m.residenceArea !== row.residenceArea) out.push('residenceArea');
  const until = m.membershipValidUntil === null ? null : new Date(m.membershipValidUntil).getTime();
  // Renewal never shortens a membership; a member without an end date gets the file's.
  if (until !== null && (row.membershipValidUntil === null || row.membershipValidUntil.getTime() < until))
    out.push('membershipValidUntil');
  return out;
}

async function plan(
  db: DbOrTx,
  text: string,
  options: { timeZone: string; now: Date },
  lock: boolean,
): Promise<{ preview: ImportPreview; existing: Map<string, MemberRow> }> {
  const parsed = parseMemberCsv(text, options);
  const existing = await existingByEmail(
    db,
    parsed.members.map((m) => m.email),
    lock,
  );
  const errors = [...parsed.errors];
  const rows: ImportRow[] = [];
  for (const m of parsed.members) {
    const row = existing.get(m.email);
    const changes = row === undefined ? [] : changesOf(m, row);
    rows.push({
      ...m,
      action: row === undefined ? 'create' : changes.length > 0 ? 'update' : 'unchanged',
      memberId: row?.id ?? null,
      changes,
    });
  }
  errors.sort((a, b) => a.line - b.line);
  const count = (a: ImportRow['action']) => rows.filter((r) => r.action === a).length;
  return {
    preview: {
      rows: parsed.rows,
      valid: rows.length,
      created: count('create'),
      updated: count('update'),
      unchanged: count('unchanged'),
      errors,
      members: rows,
      ignoredColumns: parsed.ignoredColumns,
    },
    existing,
  };
}

export async function previewImport(
  db: DbOrTx,
  text: string,
  options: { timeZone: string; now: Date },
): Promise<ImportPreview> {
  return (await plan(db, text, options, false)).preview;
}

export class ImportRejectedError extends Error {
  constructor(readonly preview: ImportPreview) {
    super(`${preview.errors.length} error(s) in the file; nothing was imported. Fix them and import again.`);
  }
}

export const importInput = z
  .object({ csv: z.string().min(1, 'paste the CSV file’s content').max(10_000_000) })
  .strict();
export type ImportInput = z.input<typeof importInput>;

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  /** the members created */
  ids: string[];
  /** the members updated */
  updatedIds: string[];
}

/** Creates and updates every member of the file in one transaction, or none. */
export async function commitImport(ctx: UseCaseContext, raw: ImportInput): Promise<ImportResult> {
  mustBeAdmin(ctx);
  const { csv } = parseInput(importInput, raw);
  const options = { timeZone: ctx.labTimeZone, now: ctx.now() };
  const actor = ctx.by;
  return runUseCase(ctx, async (tx) => {
    // Concurrent imports of the same file: the second sees the first's members as existing.
    await tx.execute(sql`select pg_advisory_xact_lock(7275007)`);
    const { preview, existing } = await plan(tx, csv, options, true);
    if (preview.errors.length > 0) throw new ImportRejectedError(preview);
    if (preview.members.length === 0) throw invalid('csv', 'the file has no member rows');
    const ids: string[] = [];
    const updatedIds: string[] = [];
    for (const m of preview.members) {
      const until = m.membershipValidUntil === null ? null : new Date(m.membershipValidUntil);
      if (m.action === 'create') {
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
          membershipValidUntil: until,
        });
      } else if (m.action === 'update') {
        const before = existing.get(m.email)!;
        const patch: Partial<typeof members.$inferInsert> = { updatedAt: options.now };
        if (m.changes.includes('name')) patch.name = m.name;
        if (m.changes.includes('category')) patch.category = m.category;
        if (m.changes.includes('birthYear')) patch.birthYear = m.birthYear;
        if (m.changes.includes('gender')) patch.gender = m.gender;
        if (m.changes.includes('residenceCommune')) patch.residenceCommune = m.residenceCommune;
        if (m.changes.includes('residenceArea')) patch.residenceArea = m.residenceArea;
        if (m.changes.includes('membershipValidUntil')) {
          patch.membershipValidUntil = until;
          // A renewed membership makes an "expired" member active again; a suspension stays.
          if (before.status === 'expired') patch.status = 'active';
        }
        const [after] = await tx.update(members).set(patch).where(eq(members.id, before.id)).returning();
        await audit(tx, {
          actor,
          action: 'import_update',
          entity: 'member',
          entityId: before.id,
          before: publicMember(before),
          after: publicMember(after!),
        });
        updatedIds.push(before.id);
      }
    }
    await audit(tx, {
      actor,
      action: 'import',
      entity: 'member',
      entityId: null,
      after: {
        created: ids.length,
        ids,
        updated: updatedIds.length,
        updatedIds,
        unchanged: preview.unchanged,
      },
    });
    const changed = [...ids, ...updatedIds];
    return {
      result: {
        created: ids.length,
        updated: updatedIds.length,
        unchanged: preview.unchanged,
        ids,
        updatedIds,
      },
      changed: changed.length > 0 ? { memberIds: changed } : null,
    };
  });
}
