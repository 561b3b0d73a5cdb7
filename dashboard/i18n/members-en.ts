/** English for members-fr.ts (issue #12 items 2 and 5): the same keys. */
import type { ImportErrorCode } from '../../application/member-import-csv.ts';
import type { membersFr } from './members-fr.ts';

type Params = Record<string, string | number>;

export const membersEn: typeof membersFr = {
  editMember: 'Edit details',
  editMemberTitle: (name) => `Edit ${name}'s details`,
  birthYearHint: 'Four digits, e.g. 1990. Optional.',
  categoryNone: 'Not given',
  membershipLastDay: 'Membership until (inclusive)',
  membershipLastDayHint: 'The last day of the membership. Empty: no end date.',
  memberSaved: (name) => `${name}'s details are saved.`,
  fixErrors: 'Fix the fields marked below: nothing was saved.',
  fieldErrors: {
    name: 'Enter a name (at most 200 characters).',
    email: 'Enter a valid e-mail address, e.g. camille@example.org.',
    category: 'Choose a category from the list.',
    birthYear: (max) => `Enter a year between 1900 and ${max}.`,
    lastDay: 'Enter a valid date, e.g. 31/08/2027.',
    lastDayPast: 'This date is already past.',
    commune: 'Enter a commune of at most 100 characters.',
    choice: 'Choose a value from the list.',
    reason: 'Give a reason (at most 500 characters).',
  },
  formGender: 'Gender',
  formGenderNone: 'Not specified',
  formGenders: { woman: 'Woman', man: 'Man', other: 'Other' },
  formCommune: 'Commune of residence',
  formCommuneHint: 'Its name or INSEE code. Optional.',
  formArea: 'Agglomeration',
  formAreaNone: 'Not specified',
  formAreas: { inside: 'Inside the agglomeration', outside: 'Outside the agglomeration' },
  optionalData: 'For funders (optional)',
  memberStatus: 'Membership and access',
  suspendedSince: (date) => `Suspended since ${date}`,
  reactivatedOn: (date) => `Reactivated on ${date}`,
  statusReasonLabel: 'Reason',
  suspend: 'Suspend…',
  suspendTitle: (name) => `Suspend ${name}?`,
  suspendExplain:
    'Their badges will be refused at every machine from now on, offline boards included from their next list. Their credit and certifications are kept; you can reactivate them.',
  suspendReasonHint: 'E.g. unpaid membership fee, safety rules broken. Shown on their page.',
  confirmSuspend: 'Confirm the suspension',
  suspended: (name) => `${name} is suspended: their badges are refused.`,
  alreadySuspended: 'This member is already suspended.',
  reactivateMember: 'Reactivate',
  reactivateReasonHint: 'E.g. membership fee paid.',
  reactivated: (name) => `${name} is reactivated.`,
  alreadyActive: 'This member is already active.',
  renewTo: (date) => `Renew until ${date}`,
  renew: 'Renew',
  renewOtherDate: 'Choose another date',
  renewed: (name, date) => `${name}'s membership is renewed until ${date}.`,
  renewNotNeeded: (name, date) => `${name}'s membership already runs until ${date} or later.`,
  select: 'Select',
  selectMember: (name) => `Select ${name}`,
  renewSelected: 'Renew the selected members',
  renewSelectedHint: 'Tick members in the list, choose the date, then renew.',
  renewFromList: 'Renew from a list of e-mail addresses',
  renewTitle: 'Renew memberships',
  renewEmails: 'E-mail addresses',
  renewEmailsHint: 'One a line, or separated by commas or semicolons (copied from the spreadsheet, say).',
  renewNobody: 'Select at least one member, or paste e-mail addresses.',
  renewResultTitle: 'Memberships renewed',
  renewSummary: (renewed, date, unchanged, unknown) =>
    `${renewed} membership(s) renewed until ${date}; ${unchanged} already beyond; ${unknown} unknown address(es).`,
  renewedList: 'Renewed',
  unchangedList: 'Already beyond that date (unchanged)',
  unknownList: 'Unknown (no member)',
  previousEnd: 'Previous end',
  noEnd: 'no end date',
  backToMembers: 'Back to members',
  badgeActions: 'Actions',
  declareLost: 'Declare lost…',
  revokeBadge: 'Revoke…',
  badgeOf: (last4, date) => `badge ending in ${last4}, issued on ${date}`,
  lostTitle: (badge) => `Declare the ${badge} lost?`,
  revokeBadgeTitle: (badge) => `Revoke the ${badge}?`,
  badgeCutExplain:
    'This badge will be refused at every machine from now on. This is final: the member will need a new badge.',
  confirmLost: 'Confirm: badge lost',
  confirmRevokeBadge: 'Confirm the revocation',
  badgeDeclaredLost: (last4) => `Badge …${last4} is declared lost; machines refuse it.`,
  badgeRevoked: (last4) => `Badge …${last4} is revoked; machines refuse it.`,
  badgeNotActive: 'This badge is no longer active.',
  revokeCertification: 'Revoke…',
  revokeCertTitle: (qual, name) => `Revoke "${qual}" from ${name}?`,
  revokeCertExplain:
    'The member can no longer use the machines that need this certification, from now on. They will have to be certified again.',
  revokeCertReasonHint: 'E.g. unsafe use seen. Kept in the audit log.',
  confirmRevokeCert: 'Confirm the revocation',
  certRevoked: (qual) => `The "${qual}" certification is revoked.`,
  certAlreadyRevoked: 'This certification is already revoked.',
  notTrainerOf: (qual) => `You are not a trainer of "${qual}": only its trainers or an admin may revoke it.`,
  importActions: 'What the import will do',
  importAction: 'Action',
  importCreate: 'Created',
  importUpdate: 'Updated',
  importUnchanged: 'Unchanged',
  importChanged: (fields) => `updated: ${fields}`,
  importFields: {
    name: 'name',
    category: 'category',
    birthYear: 'birth year',
    gender: 'gender',
    residenceCommune: 'commune',
    residenceArea: 'agglomeration',
    membershipValidUntil: 'membership',
  },
  importPlan: (rows, created, updated, unchanged, errors) =>
    `${rows} row(s): ${created} to create, ${updated} to update, ${unchanged} unchanged, ${errors} error(s).`,
  commitImportPlan: (created, updated) => `Import: ${created} new, ${updated} updated`,
  importDone: (created, updated, unchanged) =>
    `Import done: ${created} member(s) created, ${updated} updated, ${unchanged} unchanged.`,
  importColumn: (field) => ({ file: 'File', lastName: 'Nom', email: 'Email' })[field] ?? field,
  importError: (code: ImportErrorCode | string, p: Params): string => {
    switch (code) {
      case 'csv':
        return 'The file is not readable CSV (a quote left open?).';
      case 'empty_file':
        return 'The file is empty.';
      case 'missing_column':
        return `No "${p.column}" column in the header (${p.header}).`;
      case 'too_many_rows':
        return `At most ${p.max} rows per import.`;
      case 'name_empty':
        return 'The name is empty.';
      case 'name_too_long':
        return `The name is longer than ${p.max} characters.`;
      case 'email_invalid':
        return `"${p.value}" is not an e-mail address.`;
      case 'email_repeated':
        return `${p.value} is also on line ${p.other} of the file.`;
      case 'category_invalid':
        return `"${p.value}" is not a category (student, employee, self-employed, retiree, teacher, job seeker, other).`;
      case 'birth_year_invalid':
        return `"${p.value}" is not a year between 1900 and ${p.max}.`;
      case 'date_invalid':
        return `"${p.value}" is not a date such as 31/12/2026.`;
      case 'gender_invalid':
        return `"${p.value}" is not a gender (femme, homme, autre, non précisé, or empty).`;
      case 'commune_too_long':
        return `The commune is longer than ${p.max} characters.`;
      case 'area_invalid':
        return `"${p.value}" is neither "dans l'agglomération" nor "hors agglomération" (or oui / non).`;
      default:
        return 'Invalid value.';
    }
  },
};
