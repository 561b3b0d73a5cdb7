/**
 * Words of issue #11's materials line (treasurer) and funders' attendance (gender, residence,
 * door visits), kept apart from fr.ts so that each file stays short.
 */
export const fundersFr = {
  // treasurer: materials are their own flow (issue #11)
  materialsSold: 'Consommables',
  checkMaterials: 'Chaque session close : consommables facturés = ventes enregistrées = débits des cartes',
  // attendance (issue #11)
  byGender: 'Par genre',
  genders: { woman: 'Femmes', man: 'Hommes', other: 'Autre', unknown: 'Non précisé' },
  byResidence: 'Par lieu de résidence',
  residenceAreas: (agglomeration: string | null) => ({
    inside: agglomeration ? `Dans l'agglomération (${agglomeration})` : "Dans l'agglomération",
    outside: agglomeration ? `Hors agglomération (${agglomeration})` : 'Hors agglomération',
    unknown: 'Non précisé',
  }),
  byCommune: 'Par commune (visiteurs de la période)',
  commune: 'Commune',
  noCommune: 'Aucune commune renseignée.',
  downloadAttendanceCommunes: 'CSV par commune',
  doorVisits: 'Visites (entrées par la porte)',
  machineSessionsByKind: 'Sessions machine par type',
};
