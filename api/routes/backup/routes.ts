/**
 * GET /api/v1/backup (issue #10, admin): a backup of the embedded database taken now, while
 * the server runs, as a download (format: application/backup.ts, restore: `npm run cli --
 * restore`). Audited. On PostgreSQL the answer is 409 naming pg_dump (docs/backup.md).
 */
import { z } from '@hono/zod-openapi';
import { audit } from '../../../application/audit.ts';
import { actorOf } from '../../../application/auth.ts';
import {
  BACKUP_CONTENT_TYPE,
  type BackupDeps,
  BackupUnsupportedError,
  createBackup,
} from '../../../application/backup.ts';
import { Problem } from '../../../web/problem.ts';
import type { App } from '../../http/context.ts';
import { ADMIN } from '../../http/guard.ts';
import { defineRoute } from '../../http/route.ts';

const download = defineRoute(ADMIN, {
  method: 'get',
  path: '/api/v1/backup',
  tags: ['backup'],
  summary: 'A backup of the embedded database, taken now while the server runs',
  description:
    'The whole database (PGlite data folder, gzipped) behind a one-line manifest with its sha256, the ' +
    'site identifier and the schema level; restore it with `npm run cli -- restore --from <file> ' +
    '--data-dir <new folder>` (docs/backup.md). The copy is consistent: no other statement runs while it is ' +
    'taken (a fraction of a second for a lab’s database; machine events wait, they are not lost). ' +
    'On PostgreSQL (DATABASE_URL): 409, use pg_dump.',
  responses: {
    200: {
      description: 'The archive, as an attachment named sesame-<site>-<UTC time>.sesame-backup',
      content: { [BACKUP_CONTENT_TYPE]: { schema: z.string().openapi({ format: 'binary' }) } },
    },
    503: {
      description: 'This process has no database handle for backups (an embedded app without a server)',
      content: { 'application/problem+json': { schema: z.object({ detail: z.string() }) } },
    },
  },
});

export function registerBackupRoutes(app: App, backup: BackupDeps | undefined): void {
  app.openapi(download, async (c) => {
    const { db, now } = c.var.deps;
    if (backup === undefined) {
      throw new Problem(503, 'Backups are taken by the server process (npm start); this one has none.');
    }
    let archive: Awaited<ReturnType<typeof createBackup>>;
    try {
      archive = await createBackup(backup.database, now());
    } catch (err) {
      if (err instanceof BackupUnsupportedError) throw new Problem(409, `${err.message}.`);
      throw err;
    }
    const { manifest } = archive;
    await audit(db, {
      actor: actorOf(c.var.principal),
      action: 'download',
      entity: 'backup',
      entityId: archive.filename,
      after: { site: manifest.site, bytes: archive.bytes.byteLength, sha256: manifest.payload.sha256 },
    });
    return new Response(archive.bytes, {
      status: 200,
      headers: {
        'content-type': BACKUP_CONTENT_TYPE,
        'content-length': String(archive.bytes.byteLength),
        'content-disposition': `attachment; filename="${archive.filename}"`,
        'cache-control': 'no-store',
      },
    }) as never;
  });
}
