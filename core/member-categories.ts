/**
 * Who the members are, for funders' attendance reports (issue #5): a category and an age
 * band derived from the birth year. Pure: no I/O.
 */
import { headerKey } from './csv.ts';

export const MEMBER_CATEGORIES = [
  'student',
  'employee',
  'self-employed',
  'retiree',
  'teacher',
  'job-seeker',
  'other',
] as const;
export type MemberCategory = (typeof MEMBER_CATEGORIES)[number];

export const CATEGORY_LABELS_FR: Record<MemberCategory, string> = {
  student: 'Étudiant·e',
  employee: 'Salarié·e',
  'self-employed': 'Indépendant·e',
  retiree: 'Retraité·e',
  teacher: 'Enseignant·e',
  'job-seeker': "Demandeur·se d'emploi",
  other: 'Autre',
};

/** Spellings found in the team's spreadsheet (accents, case and punctuation ignored). */
const ALIASES: Record<string, MemberCategory> = {};
for (const [category, words] of Object.entries({
  student: ['student', 'etudiant', 'etudiante', 'etudiante', 'etudiant e', 'eleve', 'lyceen', 'lyceenne'],
  employee: ['employee', 'salarie', 'salariee', 'salarie e', 'employe', 'employee'],
  'self-employed': [
    'self-employed',
    'independant',
    'independante',
    'independant e',
    'autoentrepreneur',
    'auto-entrepreneur',
    'freelance',
    'liberal',
  ],
  retiree: ['retiree', 'retraite', 'retraitee', 'retraite e'],
  teacher: ['teacher', 'enseignant', 'enseignante', 'enseignant e', 'professeur', 'prof'],
  'job-seeker': [
    'job-seeker',
    'jobseeker',
    'demandeur d emploi',
    'demandeuse d emploi',
    'demandeur se d emploi',
    'chomeur',
    'chomeuse',
    'sans emploi',
  ],
  other: ['other', 'autre'],
} satisfies Record<MemberCategory, string[]>)) {
  for (const w of words) ALIASES[headerKey(w)] = category as MemberCategory;
}
for (const [c, label] of Object.entries(CATEGORY_LABELS_FR)) ALIASES[headerKey(label)] = c as MemberCategory;

/** The category a spreadsheet cell or stored value names, or null if none. */
export function parseCategory(text: string): MemberCategory | null {
  return ALIASES[headerKey(text)] ?? null;
}

/** A stored category for reporting: unknown spellings count as `other`, none as `unknown`. */
export function reportCategory(stored: string | null): MemberCategory | 'unknown' {
  if (stored === null || stored.trim() === '') return 'unknown';
  return parseCategory(stored) ?? 'other';
}

export const AGE_BANDS = ['minor', '18-25', 'over-25', 'unknown'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/**
 * The age band in `year`: age = year − birth year (the age reached that year; without a birth
 * date, the funders' usual convention). Under 18 is a minor, 18 to 25 inclusive, then over 25.
 */
export function ageBand(birthYear: number | null, year: number): AgeBand {
  if (birthYear === null) return 'unknown';
  const age = year - birthYear;
  if (age < 18) return 'minor';
  if (age <= 25) return '18-25';
  return 'over-25';
}

/**
 * Gender as French funders ask for it (issue #11): femme, homme, autre; not given = "non
 * précisé" (null). Optional personal data: never required, erased with the member.
 */
export const GENDERS = ['woman', 'man', 'other'] as const;
export type Gender = (typeof GENDERS)[number];

export const GENDER_LABELS_FR: Record<Gender, string> = { woman: 'Femme', man: 'Homme', other: 'Autre' };

const GENDER_ALIASES: Record<string, Gender | 'unspecified'> = {};
for (const [gender, words] of Object.entries({
  woman: ['woman', 'female', 'f', 'femme', 'w'],
  man: ['man', 'male', 'm', 'homme', 'h'],
  other: ['other', 'autre', 'non binaire', 'non-binary', 'nonbinary'],
  unspecified: ['non precise', 'non precisee', 'unspecified', 'not specified', 'nc', 'ne se prononce pas'],
})) {
  for (const w of words) GENDER_ALIASES[headerKey(w)] = gender as Gender | 'unspecified';
}

/** The gender a spreadsheet cell names: a gender, `unspecified` (stored as null), or null if unreadable. */
export function parseGender(text: string): Gender | 'unspecified' | null {
  return GENDER_ALIASES[headerKey(text)] ?? null;
}

/** Residence relative to the lab's agglomeration (its name is the `attendance` setting). */
export const RESIDENCE_AREAS = ['inside', 'outside'] as const;
export type ResidenceArea = (typeof RESIDENCE_AREAS)[number];

const AREA_ALIASES: Record<string, ResidenceArea> = {};
for (const [area, words] of Object.entries({
  inside: [
    'inside',
    'in',
    'dans',
    'oui',
    'yes',
    'agglomeration',
    'dans l agglomeration',
    'dans l agglo',
    'agglo',
  ],
  outside: ['outside', 'out', 'hors', 'non', 'no', 'hors agglomeration', 'hors agglo', 'exterieur'],
})) {
  for (const w of words) AREA_ALIASES[headerKey(w)] = area as ResidenceArea;
}

export function parseResidenceArea(text: string): ResidenceArea | null {
  return AREA_ALIASES[headerKey(text)] ?? null;
}
