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
