/**
 * Importing members from the team's spreadsheet (issue #5, admin): upload or paste the CSV,
 * preview what each row does — create, update an existing member found by e-mail (issue #12:
 * renewals), leave — and every row's errors in the page's language (previewImport writes
 * nothing), then commit: the commitImport use case writes every row in one transaction, or
 * none if any row is invalid. The
 * preview carries the file's text to the commit form, so nothing is kept on the server.
 */
import type { Hono } from 'hono';
import {
  commitImport,
  type ImportPreview,
  ImportRejectedError,
  type ImportRow,
  previewImport,
} from '../../application/member-import.ts';
import { lastDayInstant } from '../../application/membership-dates.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { page } from '../views/layout.tsx';
import { Table, Tag } from '../views/ui.tsx';
import { AdminNav } from './admin-nav.tsx';

/** The CSV of the form: the uploaded file if one was chosen, else the pasted text. */
async function csvOf(c: DashContext): Promise<string> {
  const body = await c.req.parseBody();
  const file = body.file;
  if (file instanceof File && file.size > 0) return await file.text();
  return typeof body.csv === 'string' ? body.csv : '';
}

function PreviewView(props: { c: DashContext; preview: ImportPreview; csv: string }) {
  const { c, preview, csv } = props;
  const { t, fmt } = c.var;
  const ok = preview.errors.length === 0 && preview.valid > 0;
  const writes = preview.created + preview.updated > 0;
  const summary = t.importPlan(
    preview.rows,
    preview.created,
    preview.updated,
    preview.unchanged,
    preview.errors.length,
  );
  const action = (m: ImportRow) =>
    m.action === 'create'
      ? t.importCreate
      : m.action === 'update'
        ? `${t.importUpdate} (${t.importChanged(m.changes.map((f) => t.importFields[f]).join(', '))})`
        : t.importUnchanged;
  return (
    <>
      <p role="status">
        <Tag tone={ok ? 'ok' : 'warn'}>{summary}</Tag>
      </p>
      {preview.ignoredColumns.length > 0 && <p>{t.ignoredColumns(preview.ignoredColumns.join(', '))}</p>}
      {preview.errors.length > 0 && (
        <section aria-labelledby="import-errors-h">
          <h2 id="import-errors-h">{t.importErrors}</h2>
          <Table caption={t.importErrors} head={[t.line, t.column, t.problem]} numeric={[0]}>
            {preview.errors.map((e) => (
              <tr>
                <td class="num">{e.line}</td>
                <td>{t.importColumn(e.field)}</td>
                {/* issue #12 item 5: in the page's language, from the error's code */}
                <td>{t.importError(e.code, e.params)}</td>
              </tr>
            ))}
          </Table>
          <p>{t.importBlocked}</p>
        </section>
      )}
      {preview.members.length > 0 && (
        <section aria-labelledby="import-members-h">
          <h2 id="import-members-h">{t.importActions}</h2>
          <Table
            caption={t.importActions}
            head={[t.line, t.importAction, t.name, t.email, t.category, t.birthYear, t.membershipUntil]}
            numeric={[0]}
          >
            {preview.members.map((m) => (
              <tr>
                <td class="num">{m.line}</td>
                <td>{action(m)}</td>
                <td>{m.name}</td>
                <td>{m.email}</td>
                <td>{m.category ? t.categories[m.category] : ''}</td>
                <td>{m.birthYear ?? ''}</td>
                <td>
                  {m.membershipValidUntil ? fmt.date(lastDayInstant(new Date(m.membershipValidUntil))) : ''}
                </td>
              </tr>
            ))}
          </Table>
        </section>
      )}
      {ok && writes && (
        <form method="post" action="/admin/import/commit" class="card narrow">
          <textarea name="csv" hidden>
            {csv}
          </textarea>
          <button type="submit">{t.commitImportPlan(preview.created, preview.updated)}</button>
        </form>
      )}
      <p>
        <a href="/admin/import">{t.back}</a>
      </p>
    </>
  );
}

export function registerAdminImport(app: Hono<DashEnv>): void {
  app.get('/admin/import', requires(ADMIN), (c) => {
    const { t } = c.var;
    return page(
      c,
      t.importTitle,
      <>
        <AdminNav c={c} />
        <p>{t.importIntro}</p>
        <form method="post" action="/admin/import/preview" enctype="multipart/form-data" class="card">
          <div class="field">
            <label for="import-file">{t.importFile}</label>
            <input id="import-file" name="file" type="file" accept=".csv,text/csv,text/plain" />
          </div>
          <div class="field">
            <label for="import-csv">{t.importPaste}</label>
            <textarea id="import-csv" name="csv" rows={8} class="csv" spellcheck={false}></textarea>
            <small class="hint">{t.importTooBig}</small>
          </div>
          <button type="submit">{t.preview}</button>
        </form>
      </>,
    );
  });

  app.post('/admin/import/preview', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const { db, labTimeZone, now } = c.var.deps;
    const csv = await csvOf(c);
    if (csv.trim() === '') return redirectWith(c, '/admin/import', 'error', t.importEmpty);
    const preview = await previewImport(db, csv, { timeZone: labTimeZone, now: now() });
    return page(
      c,
      t.previewTitle,
      <>
        <AdminNav c={c} />
        <PreviewView c={c} preview={preview} csv={csv} />
      </>,
    );
  });

  app.post('/admin/import/commit', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const csv = await csvOf(c);
    if (csv.trim() === '') return redirectWith(c, '/admin/import', 'error', t.importEmpty);
    try {
      const result = await commitImport(useCaseContext(c.var.deps, userOf(c)), { csv });
      return redirectWith(
        c,
        '/members',
        'ok',
        t.importDone(result.created, result.updated, result.unchanged),
      );
    } catch (e) {
      if (e instanceof ImportRejectedError) {
        // Nothing was written: show the same errors again.
        return page(
          c,
          t.previewTitle,
          <>
            <AdminNav c={c} />
            <p class="flash error" role="alert">
              {t.importRejected(e.preview.errors.length)}
            </p>
            <PreviewView c={c} preview={e.preview} csv={csv} />
          </>,
          [],
          422,
        );
      }
      throw e;
    }
  });
}
