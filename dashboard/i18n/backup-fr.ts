/** Issue #10: the admin's backups page, in French (backup-en.ts has the same keys). */
export const backupFr = {
  adminBackup: 'Sauvegardes',
  backupTitle: 'Sauvegardes',
  backupIntro:
    'Une sauvegarde contient toute la base : membres, badges, sessions, grand livre. Elle est prise maintenant, pendant que le serveur tourne ; les machines continuent de fonctionner.',
  backupDownload: 'Télécharger une sauvegarde',
  backupDownloadHint:
    'Un fichier .sesame-backup, vérifié (somme sha256) à la restauration. Gardez-le hors de ce serveur.',
  backupPostgres:
    'Cette installation utilise PostgreSQL (DATABASE_URL) : sauvegardez-la avec les outils de PostgreSQL, par exemple :',
  backupScheduleOff:
    'Pas de sauvegarde automatique : définissez BACKUP_DIR (un dossier, de préférence sur un autre disque) et redémarrez.',
  backupSchedule: (hours: number, dir: string, keep: number) =>
    `Sauvegarde automatique toutes les ${hours} h dans ${dir} ; les ${keep} plus récentes sont gardées.`,
  backupLast: 'Dernière sauvegarde réussie :',
  backupNext: 'prochaine :',
  backupFailed: 'La dernière sauvegarde a échoué :',
  backupNever: 'jamais',
  backupFiles: 'Sauvegardes dans le dossier',
  backupFile: 'Fichier',
  backupTakenAt: 'Prise le',
  backupSize: 'Taille (Mo)',
  backupRestoreTitle: 'Restaurer',
  backupRestore:
    'Arrêtez le serveur, restaurez dans un nouveau dossier, puis démarrez avec DATA_DIR pointant sur ce dossier :',
};
