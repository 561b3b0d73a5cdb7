/** The words of funders-fr.ts in English; the type makes sure no key is missing. */
import type { fundersFr } from './funders-fr.ts';

export const fundersEn: typeof fundersFr = {
  materialsSold: 'Materials',
  checkMaterials: 'Each closed session: materials charged = sales recorded = card debits',
  byGender: 'By gender',
  genders: { woman: 'Women', man: 'Men', other: 'Other', unknown: 'Not specified' },
  byResidence: 'By place of residence',
  residenceAreas: (agglomeration: string | null) => ({
    inside: agglomeration ? `Inside the agglomeration (${agglomeration})` : 'Inside the agglomeration',
    outside: agglomeration ? `Outside the agglomeration (${agglomeration})` : 'Outside the agglomeration',
    unknown: 'Not specified',
  }),
  byCommune: "By commune (the period's visitors)",
  commune: 'Commune',
  noCommune: 'No commune given.',
  downloadAttendanceCommunes: 'CSV per commune',
  doorVisits: 'Visits (door entries)',
  machineSessionsByKind: 'Machine sessions by kind',
};
