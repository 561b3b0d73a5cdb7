/** Issue #10: the admin's backups page, in English. */
import type { backupFr } from './backup-fr.ts';

export const backupEn: typeof backupFr = {
  adminBackup: 'Backups',
  backupTitle: 'Backups',
  backupIntro:
    'A backup holds the whole database: members, badges, sessions, ledger. It is taken now, while the server runs; the machines keep working.',
  backupDownload: 'Download a backup',
  backupDownloadHint: 'A .sesame-backup file, checked (sha256) when restored. Keep it off this server.',
  backupPostgres:
    'This installation runs on PostgreSQL (DATABASE_URL): back it up with PostgreSQL’s tools, for example:',
  backupScheduleOff:
    'No scheduled backups: set BACKUP_DIR (a folder, preferably on another disk) and restart.',
  backupSchedule: (hours: number, dir: string, keep: number) =>
    `A backup every ${hours} h into ${dir}; the newest ${keep} are kept.`,
  backupLast: 'Last successful backup:',
  backupNext: 'next:',
  backupFailed: 'The last backup failed:',
  backupNever: 'never',
  backupFiles: 'Backups in the folder',
  backupFile: 'File',
  backupTakenAt: 'Taken',
  backupSize: 'Size (MB)',
  backupRestoreTitle: 'Restore',
  backupRestore: 'Stop the server, restore into a new folder, then start with DATA_DIR pointing at it:',
};
