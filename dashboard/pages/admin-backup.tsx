/**
 * Backups (issue #10, admin): download a backup of the embedded database taken now (the link
 * is GET /api/v1/backup, audited there), see the schedule (BACKUP_DIR) and its archives, and
 * how to restore. On PostgreSQL the page says which tools to use instead (docs/backup.md).
 */
import type { Hono } from 'hono';
import { listBackups } from '../../application/backup-schedule.ts';
import type { DashEnv } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { page } from '../views/layout.tsx';
import { Table, Tag } from '../views/ui.tsx';
import { AdminNav } from './admin-nav.tsx';

export function registerAdminBackup(app: Hono<DashEnv>): void {
  app.get('/admin/backup', requires(ADMIN), (c) => {
    const { t, fmt } = c.var;
    const backup = c.var.deps.backup;
    const embedded = backup?.database.kind === 'pglite';
    const status = backup?.scheduler?.status() ?? null;
    const files = status ? listBackups(status.dir) : [];
    return page(
      c,
      t.backupTitle,
      <>
        <AdminNav c={c} />
        {embedded ? (
          <section class="card">
            <p>{t.backupIntro}</p>
            <p>
              <a class="button" href="/api/v1/backup" download>
                {t.backupDownload}
              </a>
            </p>
            <small class="hint">{t.backupDownloadHint}</small>
          </section>
        ) : (
          <section class="card">
            <p>{t.backupPostgres}</p>
            <pre>
              <code>pg_dump -Fc -f sesame.dump "$DATABASE_URL"</code>
            </pre>
          </section>
        )}
        {embedded && status === null && <p>{t.backupScheduleOff}</p>}
        {status && (
          <section aria-labelledby="backup-schedule-h">
            <h2 id="backup-schedule-h">{t.backupFiles}</h2>
            <p>{t.backupSchedule(status.intervalHours, status.dir, status.keep)}</p>
            <p>
              {t.backupLast} {status.lastSuccessAt ? fmt.dateTime(status.lastSuccessAt) : t.backupNever}
              {status.nextAt && (
                <>
                  {' · '}
                  {t.backupNext} {fmt.dateTime(status.nextAt)}
                </>
              )}
            </p>
            {status.lastError && (
              <p role="alert">
                <Tag tone="warn">{t.backupFailed}</Tag> {status.lastError}
              </p>
            )}
            {files.length > 0 && (
              <Table
                caption={t.backupFiles}
                head={[t.backupFile, t.backupTakenAt, t.backupSize]}
                numeric={[2]}
              >
                {files.map((f) => (
                  <tr>
                    <td>{f.name}</td>
                    <td>{fmt.dateTime(f.takenAt)}</td>
                    <td class="num">{(f.bytes / 1_000_000).toFixed(1)}</td>
                  </tr>
                ))}
              </Table>
            )}
          </section>
        )}
        {embedded && (
          <section aria-labelledby="backup-restore-h">
            <h2 id="backup-restore-h">{t.backupRestoreTitle}</h2>
            <p>{t.backupRestore}</p>
            <pre>
              <code>
                npm run cli -- restore --from sesame-….sesame-backup --data-dir ./data-restored{'\n'}
                DATA_DIR=./data-restored npm start
              </code>
            </pre>
          </section>
        )}
      </>,
    );
  });
}
