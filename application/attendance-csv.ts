/**
 * The attendance report as CSV for funders (issue #5): one line per month and a total line
 * (or one line per day with `per: 'day'`), suppressed counts left empty ("<5" would break sums
 * in spreadsheets; the header says what an empty cell means). Same CSV dialect as
 * csv-exports.ts: UTF-8 BOM, ';', CRLF.
 */
import { formatCsv } from '../core/csv.ts';
import { MACHINE_KINDS } from '../core/domain.ts';
import { AGE_BANDS, CATEGORY_LABELS_FR } from '../core/member-categories.ts';
import type { DbOrTx } from '../db/client.ts';
import {
  type AttendanceOptions,
  attendanceReport,
  CATEGORY_KEYS,
  type PublishedFigures,
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

function figureColumns(minimum: number): string[] {
  return [
    `Visiteurs uniques (vide = moins de ${minimum})`,
    'Visites (personnes-jours)',
    ...CATEGORY_KEYS.map((c) => (c === 'unknown' ? 'Catégorie inconnue' : CATEGORY_LABELS_FR[c])),
    ...AGE_BANDS.map((b) => AGE_LABELS[b] ?? b),
    'Nouveaux membres',
    'Membres déjà inscrits',
    ...MACHINE_KINDS.map((k) => `Sessions ${k}`),
  ];
}

function figureCells(f: PublishedFigures): (number | null)[] {
  return [
    f.visitors,
    f.visits,
    ...CATEGORY_KEYS.map((c) => f.byCategory[c]),
    ...AGE_BANDS.map((b) => f.byAgeBand[b]),
    f.newMembers,
    f.returningMembers,
    ...MACHINE_KINDS.map((k) => f.sessionsByMachineKind[k]),
  ];
}

export async function attendanceCsv(
  db: DbOrTx,
  range: ReportRange,
  options: AttendanceOptions & { per?: 'month' | 'day' },
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
  const rows = [
    ...report.months.map((m) => [m.month, ...figureCells(m)]),
    ['Total période', ...figureCells(report.total)],
  ];
  return {
    filename: `frequentation-${slug}.csv`,
    content: formatCsv(['Mois', ...figureColumns(report.minimumCount)], rows),
    rows: rows.length,
  };
}
