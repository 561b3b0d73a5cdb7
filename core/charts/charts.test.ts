import { describe, expect, it } from 'vitest';
import { DEFAULT_BOOK_ACCOUNTS, usedAccounts } from '../book-accounts.ts';
import { CHART_IDS, chartLabel, chartParent, subAccountProblems } from './charts.ts';

describe('the shipped Paheko charts (issue #11 items 1, 2)', () => {
  it.each(CHART_IDS)('%s has every default account', (chart) => {
    for (const { number } of usedAccounts(DEFAULT_BOOK_ACCOUNTS))
      expect(chartLabel(chart, number)).toBeDefined();
  });

  it('carries Paheko’s labels, and lacks what the issue found missing', () => {
    expect(chartLabel('pca-2025', '4191')).toBe('Usagers créditeurs : Avances et acomptes');
    expect(chartLabel('pca-2025', '5112')).toBe('Chèques à encaisser');
    expect(chartLabel('pca-2025', '5115')).toBe('Paiements par carte à encaisser');
    expect(chartLabel('pca-2025', '7063')).toBe('Parrainages');
    for (const n of ['7061', '7062', '7064', '7065', '7068'])
      expect(chartLabel('pca-2025', n)).toBeUndefined();
    expect(chartLabel('pca-2025', '467')).toBeDefined();
    expect(chartLabel('pca-2018', '467')).toBeUndefined();
  });

  it('finds a sub-account’s parent and refuses bad declarations', () => {
    expect(chartParent('pca-2025', '7061')).toBe('706');
    expect(chartParent('pca-2025', '512A')).toBe('512');
    expect(chartParent('pca-2025', 'X1')).toBeUndefined();
    expect(
      subAccountProblems('pca-2025', [
        { number: '7061', label: 'Découpe laser' },
        { number: '706', label: 'déjà là' },
        { number: 'X1', label: 'orphelin' },
        { number: '7061', label: 'encore' },
      ]).map((p) => p.problem),
    ).toEqual(['sub-account-in-chart', 'sub-account-without-parent', 'sub-account-twice']);
  });
});
