/** The English words of the accounting settings page (issue #11); same keys as accounting-fr.ts. */
import type { accountingFr } from './accounting-fr.ts';

export const accountingEn: typeof accountingFr = {
  treasuryAccounting: 'Accounting',
  accountingTitle: 'Chart of accounts and accounts',
  accountingIntro:
    'The FEC and Paheko exports book every operation on these accounts. Each number is checked against the chosen chart: Paheko refuses an account missing from its chart. A sub-account (such as 7061 under 706) must first be created in your books, then declared below.',
  chartField: 'Chart of accounts',
  chartNames: {
    'pca-2025': 'French association chart 2025 (PCA)',
    'pca-2018': 'French association chart 2018 (PCA)',
  },
  accountsCaption: 'Accounts used by the exports',
  accountWhat: 'What is booked',
  accountNumber: 'Account number',
  accountChartLabel: 'Label in the chart',
  accountMissing: 'not in the chart',
  accountFields: {
    memberCards: 'Members’ machine cards (prepaid)',
    machineUse: 'Machine use',
    materials: 'Materials sold with a session',
    cash: 'Cash',
    check: 'Cheques to bank',
    card: 'Card terminal payments',
    bank: 'Transfers and other methods',
    online: 'HelloAsso payments',
    adjustmentsDebit: 'Goodwill (credit given)',
    adjustmentsCredit: 'Under-billed session (credit taken back)',
    memberDebts: 'Amounts members owe',
  },
  machineKindAccount: (kind: string) => `Use — ${kind}`,
  machineKindHint:
    'An account per machine kind is optional: left empty, that kind’s use goes to the “Machine use” account.',
  subAccountsField: 'Sub-accounts created in your books',
  subAccountsHint: 'One per line: the number, a space, then the label. Example: 7061 Laser cutting',
  vatCaption: 'VAT per machine kind',
  vatCodes: {
    exonere: 'Exempt (art. 261-7-1° CGI)',
    'tva-20': 'VAT 20%',
    'tva-10': 'VAT 10%',
    'tva-5.5': 'VAT 5.5%',
    'hors-champ': 'Out of scope',
  },
  sirenField: 'Association’s SIREN',
  sirenHint: '9 digits; it names the FEC file.',
  yearStartField: 'Financial year start',
  yearStartHint: 'Month and day, MM-DD (01-01: calendar year; 09-01: September to August).',
  accountingSaved: 'Accounting settings saved.',
  accountingErrorsTitle: 'Nothing was saved:',
  accountNotInChart: (n: string, chart: string, what: string) =>
    `${what}: account ${n} is not in the ${chart}. If it is a sub-account created in your books, declare it with its label.`,
  subAccountInChart: (n: string, chart: string) =>
    `Account ${n} is already in the ${chart}: no need to declare it.`,
  subAccountOrphan: (n: string, chart: string) =>
    `Sub-account ${n} extends no account of the ${chart} (its number must start with a chart account’s).`,
  subAccountTwice: (n: string) => `Sub-account ${n} is declared twice.`,
  subAccountLine: (line: string) => `Unreadable sub-account line: “${line}” (number, space, label).`,
  fieldInvalid: (what: string) => `${what}: value refused.`,
  accountFormat: (what: string) => `${what}: an account number is 1 to 20 digits or letters.`,
  downloadPahekoDetail: 'Paheko, debit by debit (CSV)',
};
