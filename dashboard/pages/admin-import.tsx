/**
 * Importing members from the team's spreadsheet (issue #5, admin): upload or paste the CSV,
 * preview every row's errors (the API's previewImport writes nothing), then commit: the API's
 * commitImport writes every row in one transaction, or none if any row is invalid. The
 * preview carries the file's text to the commit form, so nothing is kept on the server.
 */
import type { Hono } from 'hono';
import { actorOf } from '../../application/auth.ts';
import {
  commitImport,
  type ImportPreview,
  ImportRejectedError,
  previewImport,
} from '../../application/member-import.ts';
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
  const { t } = c.var;
  const ok = preview.errors.length === 0 && preview.valid > 0;
  return (
    <>
      <p role="status">
        {ok ? (
          <Tag tone="ok">{t.previewSummary(preview.rows, preview.valid, preview.errors.length)}</Tag>
        ) : (
          <Tag tone="warn">{t.previewSummary(preview.rows, preview.valid, preview.errors.length)}</Tag>
        )}
      </p>
      {preview.ignoredColumns.length > 0 && <p>{t.ignoredColumns(preview.ignoredColumns.join(', '))}</p>}
      {preview.errors.length > 0 && (
        <section aria-labelledby="import-errors-h">
          <h2 id="import-errors-h">{t.importErrors}</h2>
          <Table caption={t.importErrors} head={[t.line, t.column, t.problem]} numeric={[0]}>
            {preview.errors.map((e) => (
              <tr>
                <td class="num">{e.line}</td>
                <td>{e.field}</td>
                <td>{e.detail}</td>
              </tr>
            ))}
          </Table>
          <p>{t.importBlocked}</p>
        </section>
      )}
      {preview.members.length > 0 && (
        <section aria-labelledby="import-members-h">
          <h2 id="import-members-h">{t.importMembers}</h2>
          <Table
            caption={t.importMembers}
            head={[t.line, t.name, t.email, t.category, t.birthYear, t.membershipUntil]}
            numeric={[0]}
          >
            {preview.members.map((m) => (
              <tr>
                <td class="num">{m.line}</td>
                <td>{m.name}</td>
                <td>{m.email}</td>
                <td>{m.category ? t.categories[m.category] : ''}</td>
                <td>{m.birthYear ?? ''}</td>
                <td>{m.membershipValidUntil ? c.var.fmt.date(new Date(m.membershipValidUntil)) : ''}</td>
              </tr>
            ))}
          </Table>
        </section>
      )}
      {ok && (
        <form method="post" action="/admin/import/commit" class="card narrow">
          <textarea name="csv" hidden>
            {csv}
          </textarea>
          <button type="submit">{t.commitImport(preview.valid)}</button>
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
    const { db, labTimeZone, now } = c.var.deps;
    const csv = await csvOf(c);
    if (csv.trim() === '') return redirectWith(c, '/admin/import', 'error', t.importEmpty);
    try {
      const result = await commitImport(db, actorOf(userOf(c)), csv, { timeZone: labTimeZone, now: now() });
      return redirectWith(c, '/members', 'ok', t.imported(result.created));
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
