/**
 * The words of member administration (issue #12 items 2 and 5): edit, suspend / reactivate,
 * renew, badges lost or revoked, certifications revoked, the import that updates members.
 * members-en.ts has the same keys.
 */
import type { ImportErrorCode } from '../../application/member-import-csv.ts';

type Params = Record<string, string | number>;

export const membersFr = {
  // edit
  editMember: 'Modifier la fiche',
  editMemberTitle: (name: string) => `Modifier la fiche de ${name}`,
  birthYearHint: 'Quatre chiffres, par exemple 1990. Facultatif.',
  categoryNone: 'Non renseignée',
  membershipLastDay: 'Adhésion jusqu’au (inclus)',
  membershipLastDayHint: 'Le dernier jour de l’adhésion. Vide : sans date de fin.',
  memberSaved: (name: string) => `La fiche de ${name} est enregistrée.`,
  fixErrors: 'Corrigez les champs signalés : rien n’a été enregistré.',
  fieldErrors: {
    name: 'Indiquez un nom (200 caractères au plus).',
    email: 'Indiquez une adresse e-mail valide, par exemple camille@example.org.',
    category: 'Choisissez une catégorie de la liste.',
    birthYear: (max: number) => `Indiquez une année entre 1900 et ${max}.`,
    lastDay: 'Indiquez une date valide, par exemple 31/08/2027.',
    lastDayPast: 'Cette date est déjà passée.',
    commune: 'Indiquez une commune de 100 caractères au plus.',
    choice: 'Choisissez une valeur de la liste.',
    reason: 'Indiquez une raison (500 caractères au plus).',
  },
  // issue #11 fields, optional
  formGender: 'Genre',
  formGenderNone: 'Non précisé',
  formGenders: { woman: 'Femme', man: 'Homme', other: 'Autre' },
  formCommune: 'Commune de résidence',
  formCommuneHint: 'Son nom ou son code INSEE. Facultatif.',
  formArea: 'Agglomération',
  formAreaNone: 'Non précisé',
  formAreas: { inside: 'Dans l’agglomération', outside: 'Hors agglomération' },
  optionalData: 'Pour les financeurs (facultatif)',
  // status
  memberStatus: 'Adhésion et accès',
  suspendedSince: (date: string) => `Suspendu·e depuis le ${date}`,
  reactivatedOn: (date: string) => `Réactivé·e le ${date}`,
  statusReasonLabel: 'Raison',
  suspend: 'Suspendre…',
  suspendTitle: (name: string) => `Suspendre ${name} ?`,
  suspendExplain:
    'Ses badges seront refusés à toutes les machines dès maintenant, y compris aux boîtiers hors ligne dès leur prochaine liste. Son crédit et ses habilitations sont conservés ; vous pourrez le ou la réactiver.',
  suspendReasonHint: 'Par exemple : cotisation impayée, non-respect des consignes. Visible sur sa fiche.',
  confirmSuspend: 'Confirmer la suspension',
  suspended: (name: string) => `${name} est suspendu·e : ses badges sont refusés.`,
  alreadySuspended: 'Ce membre est déjà suspendu.',
  reactivateMember: 'Réactiver',
  reactivateReasonHint: 'Par exemple : cotisation réglée.',
  reactivated: (name: string) => `${name} est réactivé·e.`,
  alreadyActive: 'Ce membre est déjà actif.',
  // renew
  renewTo: (date: string) => `Renouveler jusqu’au ${date}`,
  renew: 'Renouveler',
  renewOtherDate: 'Choisir une autre date',
  renewed: (name: string, date: string) => `L’adhésion de ${name} est renouvelée jusqu’au ${date}.`,
  renewNotNeeded: (name: string, date: string) =>
    `L’adhésion de ${name} court déjà jusqu’au ${date} ou au-delà.`,
  select: 'Choisir',
  selectMember: (name: string) => `Choisir ${name}`,
  renewSelected: 'Renouveler les membres choisis',
  renewSelectedHint: 'Cochez les membres dans la liste, choisissez la date, puis renouvelez.',
  renewFromList: 'Renouveler à partir d’une liste d’adresses e-mail',
  renewTitle: 'Renouveler des adhésions',
  renewEmails: 'Adresses e-mail',
  renewEmailsHint:
    'Une par ligne, ou séparées par des virgules ou des points-virgules (copiées du tableur, par exemple).',
  renewNobody: 'Choisissez au moins un membre, ou collez des adresses e-mail.',
  renewResultTitle: 'Adhésions renouvelées',
  renewSummary: (renewed: number, date: string, unchanged: number, unknown: number) =>
    `${renewed} adhésion(s) renouvelée(s) jusqu’au ${date} ; ${unchanged} déjà au-delà ; ${unknown} adresse(s) inconnue(s).`,
  renewedList: 'Renouvelées',
  unchangedList: 'Déjà au-delà de cette date (inchangées)',
  unknownList: 'Inconnues (aucun membre)',
  previousEnd: 'Fin précédente',
  noEnd: 'sans date',
  backToMembers: 'Retour aux membres',
  // badges
  badgeActions: 'Actions',
  declareLost: 'Déclarer perdu…',
  revokeBadge: 'Révoquer…',
  badgeOf: (last4: string, date: string) => `badge se terminant par ${last4}, remis le ${date}`,
  lostTitle: (badge: string) => `Déclarer perdu le ${badge} ?`,
  revokeBadgeTitle: (badge: string) => `Révoquer le ${badge} ?`,
  badgeCutExplain:
    'Ce badge sera refusé à toutes les machines dès maintenant. C’est définitif : pour continuer, le membre aura besoin d’un nouveau badge.',
  confirmLost: 'Confirmer : badge perdu',
  confirmRevokeBadge: 'Confirmer la révocation',
  badgeDeclaredLost: (last4: string) => `Le badge …${last4} est déclaré perdu ; il est refusé aux machines.`,
  badgeRevoked: (last4: string) => `Le badge …${last4} est révoqué ; il est refusé aux machines.`,
  badgeNotActive: 'Ce badge n’est plus actif.',
  // certifications
  revokeCertification: 'Retirer…',
  revokeCertTitle: (qual: string, name: string) => `Retirer l’habilitation « ${qual} » de ${name} ?`,
  revokeCertExplain:
    'Le membre ne pourra plus utiliser les machines qui demandent cette habilitation, dès maintenant. Il faudra l’habiliter de nouveau.',
  revokeCertReasonHint: 'Par exemple : usage dangereux constaté. Gardée au journal d’audit.',
  confirmRevokeCert: 'Confirmer le retrait',
  certRevoked: (qual: string) => `L’habilitation « ${qual} » est retirée.`,
  certAlreadyRevoked: 'Cette habilitation est déjà retirée.',
  notTrainerOf: (qual: string) =>
    `Vous n’êtes pas formateur·rice de « ${qual} » : seul·e un·e formateur·rice de cette formation ou un·e admin peut la retirer.`,
  // import that updates
  importActions: 'Ce que fera l’import',
  importAction: 'Action',
  importCreate: 'Créé',
  importUpdate: 'Mis à jour',
  importUnchanged: 'Inchangé',
  importChanged: (fields: string) => `mis à jour : ${fields}`,
  importFields: {
    name: 'nom',
    category: 'catégorie',
    birthYear: 'année de naissance',
    gender: 'genre',
    residenceCommune: 'commune',
    residenceArea: 'agglomération',
    membershipValidUntil: 'adhésion',
  },
  importPlan: (rows: number, created: number, updated: number, unchanged: number, errors: number) =>
    `${rows} ligne(s) : ${created} à créer, ${updated} à mettre à jour, ${unchanged} inchangée(s), ${errors} erreur(s).`,
  commitImportPlan: (created: number, updated: number) =>
    `Importer : ${created} création(s), ${updated} mise(s) à jour`,
  importDone: (created: number, updated: number, unchanged: number) =>
    `Import terminé : ${created} membre(s) créé(s), ${updated} mis à jour, ${unchanged} inchangé(s).`,
  importColumn: (field: string) => ({ file: 'Fichier', lastName: 'Nom', email: 'Email' })[field] ?? field,
  importError: (code: ImportErrorCode | string, p: Params): string => {
    switch (code) {
      case 'csv':
        return 'Le fichier n’est pas un CSV lisible (un guillemet n’est pas refermé ?).';
      case 'empty_file':
        return 'Le fichier est vide.';
      case 'missing_column':
        return `Il manque la colonne « ${p.column} » dans l’en-tête (${p.header}).`;
      case 'too_many_rows':
        return `Au plus ${p.max} lignes par import.`;
      case 'name_empty':
        return 'Le nom est vide.';
      case 'name_too_long':
        return `Le nom dépasse ${p.max} caractères.`;
      case 'email_invalid':
        return `« ${p.value} » n’est pas une adresse e-mail.`;
      case 'email_repeated':
        return `${p.value} figure aussi à la ligne ${p.other} du fichier.`;
      case 'category_invalid':
        return `« ${p.value} » n’est pas une catégorie (étudiant·e, salarié·e, indépendant·e, retraité·e, enseignant·e, demandeur·se d’emploi, autre).`;
      case 'birth_year_invalid':
        return `« ${p.value} » n’est pas une année entre 1900 et ${p.max}.`;
      case 'date_invalid':
        return `« ${p.value} » n’est pas une date comme 31/12/2026.`;
      case 'gender_invalid':
        return `« ${p.value} » n’est pas un genre (femme, homme, autre, non précisé, ou vide).`;
      case 'commune_too_long':
        return `La commune dépasse ${p.max} caractères.`;
      case 'area_invalid':
        return `« ${p.value} » n’est ni « dans l’agglomération » ni « hors agglomération » (ou oui / non).`;
      default:
        return 'Valeur invalide.';
    }
  },
};
