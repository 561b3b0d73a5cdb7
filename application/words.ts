/**
 * Words for the codes the database keeps (issue #12 item 4): what people read in pages and in
 * the CSV exports, in French (the lab's language, the default) and English. The codes stay
 * in the API and in the id columns that tools need; nothing a person reads shows them.
 */
import type { EndReason } from '../core/mqtt-contract.ts';

export type WordsLang = 'fr' | 'en';

export const END_REASON_WORDS: Record<WordsLang, Record<EndReason, string>> = {
  fr: {
    badge_out: 'Badge de sortie',
    timeout: 'Délai écoulé',
    power_loss: 'Coupure de courant',
    command: 'Arrêt demandé par le serveur',
    takeover: 'Reprise par un autre membre',
  },
  en: {
    badge_out: 'Badged out',
    timeout: 'Timed out',
    power_loss: 'Power loss',
    command: 'Stopped by the server',
    takeover: 'Taken over by another member',
  },
};

export const METHOD_WORDS: Record<WordsLang, Record<string, string>> = {
  fr: {
    cash: 'Espèces',
    card: 'Carte bancaire',
    transfer: 'Virement',
    check: 'Chèque',
    helloasso: 'HelloAsso',
    other: 'Autre',
  },
  en: {
    cash: 'Cash',
    card: 'Bank card',
    transfer: 'Bank transfer',
    check: 'Cheque',
    helloasso: 'HelloAsso',
    other: 'Other',
  },
};

export const KIND_WORDS: Record<WordsLang, Record<string, string>> = {
  fr: {
    laser: 'Découpe laser',
    cnc: 'Fraiseuse CNC',
    'printer-3d': 'Imprimante 3D',
    electronics: 'Électronique',
    door: 'Porte',
    other: 'Autre',
  },
  en: {
    laser: 'Laser cutter',
    cnc: 'CNC mill',
    'printer-3d': '3D printer',
    electronics: 'Electronics',
    door: 'Door',
    other: 'Other',
  },
};

export const ROLE_WORDS: Record<WordsLang, Record<string, string>> = {
  fr: { admin: 'admin', trainer: 'formateur·rice', treasurer: 'trésorier·ère', member: 'membre' },
  en: { admin: 'admin', trainer: 'trainer', treasurer: 'treasurer', member: 'member' },
};

/** An end reason in words; an unknown code (a newer board) is shown as it is rather than lost. */
export function endReasonWords(lang: WordsLang, reason: string | null, open: boolean): string {
  if (reason === null) return open ? (lang === 'fr' ? 'En cours' : 'Running') : '';
  return (END_REASON_WORDS[lang] as Record<string, string>)[reason] ?? reason;
}

export function methodWords(lang: WordsLang, method: string | null): string {
  if (method === null) return '';
  return METHOD_WORDS[lang][method] ?? method;
}

/**
 * Every audit action code written anywhere (application/, api/), in words for the audit log
 * page and its filter (issue #12 item 9). application/audit-action-words.test.ts scans the
 * source so that a new code without words fails the build's tests.
 */
export const AUDIT_ACTION_WORDS: Record<WordsLang, Record<string, string>> = {
  fr: {
    accept: 'Accepté',
    accept_offline_session: 'Session hors ligne acceptée',
    access_link: 'Lien d’accès créé',
    adjustment: 'Correction de solde',
    bootstrap_admin: 'Premier admin créé',
    certify: 'Habilitation',
    close: 'Clôture',
    confirm_check: 'Vérification confirmée',
    create: 'Création',
    declare_lost: 'Badge déclaré perdu',
    download: 'Téléchargement',
    end_session: 'Session arrêtée',
    erase: 'Effacement',
    first_run: 'Première mise en route',
    helloasso_assign: 'Paiement HelloAsso attribué',
    helloasso_canceled: 'Paiement HelloAsso annulé',
    helloasso_contested: 'Paiement HelloAsso contesté',
    helloasso_credited: 'Paiement HelloAsso crédité',
    helloasso_ignored: 'Paiement HelloAsso ignoré',
    helloasso_refunded: 'Paiement HelloAsso remboursé',
    helloasso_sync: 'Synchronisation HelloAsso',
    helloasso_test: 'Test de la connexion HelloAsso',
    helloasso_unmatched: 'Paiement HelloAsso sans membre',
    import: 'Import',
    import_update: 'Mise à jour par import',
    issue: 'Remise',
    issue_token: 'Jeton créé',
    lock: 'Verrouillage',
    material: 'Matière facturée',
    offline_running_clamped: 'Temps hors ligne plafonné',
    purge: 'Purge',
    reactivate: 'Réactivation',
    refund: 'Remboursement',
    refuse_offline_session: 'Session hors ligne refusée',
    renew: 'Renouvellement d’adhésion',
    report_problem: 'Problème signalé',
    reset_sign_in_throttle: 'Blocage de connexion levé',
    restore: 'Remise en service',
    revoke: 'Révocation',
    revoke_staff_tokens: 'Jetons révoqués',
    rotate_staff_token: 'Jeton renouvelé',
    set_password: 'Mot de passe défini',
    suspend: 'Suspension',
    topup: 'Recharge',
    update: 'Modification',
  },
  en: {
    accept: 'Accepted',
    accept_offline_session: 'Offline session accepted',
    access_link: 'Access link created',
    adjustment: 'Balance adjustment',
    bootstrap_admin: 'First admin created',
    certify: 'Certification',
    close: 'Close',
    confirm_check: 'Check confirmed',
    create: 'Created',
    declare_lost: 'Badge declared lost',
    download: 'Download',
    end_session: 'Session stopped',
    erase: 'Erasure',
    first_run: 'First run',
    helloasso_assign: 'HelloAsso payment assigned',
    helloasso_canceled: 'HelloAsso payment canceled',
    helloasso_contested: 'HelloAsso payment contested',
    helloasso_credited: 'HelloAsso payment credited',
    helloasso_ignored: 'HelloAsso payment ignored',
    helloasso_refunded: 'HelloAsso payment refunded',
    helloasso_sync: 'HelloAsso synchronisation',
    helloasso_test: 'HelloAsso connection test',
    helloasso_unmatched: 'HelloAsso payment without a member',
    import: 'Import',
    import_update: 'Updated by import',
    issue: 'Issued',
    issue_token: 'Token issued',
    lock: 'Lock',
    material: 'Material charged',
    offline_running_clamped: 'Offline running time capped',
    purge: 'Purge',
    reactivate: 'Reactivated',
    refund: 'Refund',
    refuse_offline_session: 'Offline session refused',
    renew: 'Membership renewed',
    report_problem: 'Problem reported',
    reset_sign_in_throttle: 'Sign-in block lifted',
    restore: 'Back in service',
    revoke: 'Revoked',
    revoke_staff_tokens: 'Tokens revoked',
    rotate_staff_token: 'Token rotated',
    set_password: 'Password set',
    suspend: 'Suspended',
    topup: 'Top-up',
    update: 'Changed',
  },
};
