/**
 * The words of the accounting settings page (issue #11: chart of accounts, account numbers
 * checked against it, VAT, SIREN, financial year), spread into fr.ts; accounting-en.ts has the
 * same keys.
 */
export const accountingFr = {
  treasuryAccounting: 'Comptabilité',
  accountingTitle: 'Plan comptable et comptes',
  accountingIntro:
    'Les exports FEC et Paheko inscrivent chaque opération sur ces comptes. Chaque numéro est vérifié dans le plan comptable choisi : Paheko refuse un compte absent de son plan. Un sous-compte (par exemple 7061 sous 706) doit d’abord être créé dans votre comptabilité, puis déclaré plus bas.',
  chartField: 'Plan comptable',
  chartNames: {
    'pca-2025': 'Plan comptable associatif 2025',
    'pca-2018': 'Plan comptable associatif 2018',
  } as Record<string, string>,
  accountsCaption: 'Comptes utilisés par les exports',
  accountWhat: 'Ce qui est comptabilisé',
  accountNumber: 'Numéro de compte',
  accountChartLabel: 'Intitulé dans le plan',
  accountMissing: 'absent du plan',
  accountFields: {
    memberCards: 'Cartes machines des membres (avances)',
    machineUse: 'Utilisation des machines',
    materials: 'Matières vendues avec une session',
    cash: 'Espèces',
    check: 'Chèques à encaisser',
    card: 'Paiements par carte (terminal)',
    bank: 'Virements et autres moyens',
    online: 'Paiements HelloAsso',
    adjustmentsDebit: 'Geste commercial (crédit offert)',
    adjustmentsCredit: 'Session sous-facturée (crédit repris)',
    memberDebts: 'Sommes dues par des membres',
  } as Record<string, string>,
  machineKindAccount: (kind: string) => `Utilisation — ${kind}`,
  machineKindHint:
    'Un compte par type de machine est facultatif : laissé vide, l’utilisation de ce type va au compte « Utilisation des machines ».',
  subAccountsField: 'Sous-comptes créés dans votre comptabilité',
  subAccountsHint: 'Un par ligne : le numéro, un espace, puis l’intitulé. Exemple : 7061 Découpe laser',
  vatCaption: 'TVA par type de machine',
  vatCodes: {
    exonere: 'Exonérée (art. 261-7-1° CGI)',
    'tva-20': 'TVA 20 %',
    'tva-10': 'TVA 10 %',
    'tva-5.5': 'TVA 5,5 %',
    'hors-champ': 'Hors champ',
  } as Record<string, string>,
  sirenField: 'SIREN de l’association',
  sirenHint: '9 chiffres ; il nomme le fichier FEC.',
  yearStartField: 'Début de l’exercice',
  yearStartHint: 'Jour et mois, MM-JJ (01-01 : année civile ; 09-01 : de septembre à août).',
  accountingSaved: 'Réglages comptables enregistrés.',
  accountingErrorsTitle: 'Rien n’a été enregistré :',
  accountNotInChart: (n: string, chart: string, what: string) =>
    `${what} : le compte ${n} n’existe pas dans le ${chart.toLowerCase()}. S’il s’agit d’un sous-compte créé dans votre comptabilité, déclarez-le avec son intitulé.`,
  subAccountInChart: (n: string, chart: string) =>
    `Le compte ${n} fait déjà partie du ${chart.toLowerCase()} : inutile de le déclarer.`,
  subAccountOrphan: (n: string, chart: string) =>
    `Le sous-compte ${n} ne prolonge aucun compte du ${chart.toLowerCase()} (son numéro doit commencer par celui d’un compte du plan).`,
  subAccountTwice: (n: string) => `Le sous-compte ${n} est déclaré deux fois.`,
  subAccountLine: (line: string) =>
    `Ligne de sous-compte illisible : « ${line} » (numéro, espace, intitulé).`,
  fieldInvalid: (what: string) => `${what} : valeur refusée.`,
  accountFormat: (what: string) => `${what} : un numéro de compte fait de 1 à 20 chiffres ou lettres.`,
  downloadPahekoDetail: 'Paheko, débit par débit (CSV)',
};
