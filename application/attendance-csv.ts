/**
 * The attendance report as CSV for funders (issue #5): one line per month and a total line
 * (or one line per day with `per: 'day'`), suppressed counts left empty ("<5" would break sums
 * in spreadsheets; the header says what an empty cell means), or one line per commune with
 * `per: 'commune'`. Issue #11: gender and residence columns; door entries are visits, not
 * sessions; machine kinds by their French names. Same CSV dialect as csv-exports.ts: UTF-8
 * BOM, ';', CRLF.
 */
import { formatCsv } from '../core/csv.ts';
import { MACHINE_KINDS, type MachineKind } from '../core/domain.ts';
import { AGE_BANDS, CATEGORY_LABELS_FR } from '../core/member-categories.ts';
import type { DbOrTx } from '../db/client.ts';
import {
  type AttendanceOptions,
  attendanceReport,
  CATEGORY_KEYS,
  GENDER_KEYS,
  type PublishedFigures,
  RESIDENCE_KEYS,
} from './attendance.ts';
import type { CsvFile } from './csv-exports.ts';
import { rangeSlug } from './export-format.ts';
import type { ReportRange } from './report-range.ts';

const AGE_LABELS: Record<string, string> = {
  minor: 'Mineurs',
  '18-25': '18-25 ans',
  'over-25': 'Plus de 25 ans',
  unknown: 'Âge inconnu',
};

const GENDER_LABELS: Record<string, string> = {
  woman: 'Femmes',
  man: 'Hommes',
  other: 'Genre autre',
  unknown: 'Genre non précisé',
};

const residenceLabels = (agglomeration: string | null): Record<string, string> => {
  const name = agglomeration ? ` (${agglomeration})` : '';
  return {
    inside: `Dans l'agglomération${name}`,
    outside: `Hors agglomération${name}`,
    unknown: 'Résidence non précisée',
  };
};

/** Door entries are visits (issue #11); the other kinds are machine sessions. */
const KIND_COLUMNS: Record<MachineKind, string> = {
  laser: 'Sessions découpe laser',
  cnc: 'Sessions fraiseuse CNC',
  'printer-3d': 'Sessions impression 3D',
  electronics: 'Sessions électronique',
  door: 'Visites (entrées par la porte)',
  other: 'Sessions autres machines',
};

function figureColumns(minimum: number, agglomeration: string | null): string[] {
  const residence = residenceLabels(agglomeration);
  return [
    `Visiteurs uniques (vide = moins de ${minimum})`,
    'Visites (personnes-jours)',
    ...CATEGORY_KEYS.map((c) => (c === 'unknown' ? 'Catégorie inconnue' : CATEGORY_LABELS_FR[c])),
    ...AGE_BANDS.map((b) => AGE_LABELS[b] ?? b),
    ...GENDER_KEYS.map((g) => GENDER_LABELS[g] ?? g),
    ...RESIDENCE_KEYS.map((r) => residence[r] ?? r),
    'Nouveaux membres',
    'Membres déjà inscrits',
    ...MACHINE_KINDS.map((k) => KIND_COLUMNS[k]),
  ];
}

function figureCells(f: PublishedFigures): (number | null)[] {
  return [
    f.visitors,
    f.visits,
    ...CATEGORY_KEYS.map((c) => f.byCategory[c]),
    ...AGE_BANDS.map((b) => f.byAgeBand[b]),
    ...GENDER_KEYS.map((g) => f.byGender[g]),
    ...RESIDENCE_KEYS.map((r) => f.byResidence[r]),
    f.newMembers,
    f.returningMembers,
    ...MACHINE_KINDS.map((k) => f.sessionsByMachineKind[k]),
  ];
}

export async function attendanceCsv(
  db: DbOrTx,
  range: ReportRange,
  options: AttendanceOptions & { per?: 'month' | 'day' | 'commune' },
): Promise<CsvFile> {
  const report = await attendanceReport(db, range, options);
  const slug = rangeSlug(range, options.timeZone);
  if (options.per === 'day') {
    const rows = report.days.map((d) => [d.date, d.visitors]);
    return {
      filename: `frequentation-jours-${slug}.csv`,
      content: formatCsv(['Date', `Visiteurs uniques (vide = moins de ${report.minimumCount})`], rows),
      rows: rows.length,
    };
  }
  if (options.per === 'commune') {
    const rows = report.total.byCommune.map((c) => [c.commune ?? 'Non précisée', c.visitors]);
    return {
      filename: `frequentation-communes-${slug}.csv`,
      content: formatCsv(['Commune', `Visiteurs uniques (vide = moins de ${report.minimumCount})`], rows),
      rows: rows.length,
    };
  }
  const rows = [
    ...report.months.map((m) => [m.month, ...figureCells(m)]),
    ['Total période', ...figureCells(report.total)],
  ];
  return {
    filename: `frequentation-${slug}.csv`,
    content: formatCsv(['Mois', ...figureColumns(report.minimumCount, report.agglomeration)], rows),
    rows: rows.length,
  };
}
