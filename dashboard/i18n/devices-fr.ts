/**
 * Words of the boards pages after the outsider's check (issue #12): a finished view after a
 * board is created, a warning before a machine's second board, names before ids.
 * devices-en.ts has the same keys; merged by index.ts.
 */
export const devicesFr = {
  deviceName: 'Boîtier',
  deviceIdForController: 'Identifiant du boîtier (SESAME_DEVICE_ID)',
  deviceDone: 'Terminé',
  deviceAlreadyHas: (machine: string, n: number) =>
    `${machine} a déjà ${n === 1 ? 'un boîtier actif' : `${n} boîtiers actifs`}. Un second boîtier n’est utile que pour en remplacer un (révoquez alors l’ancien) ou pour un deuxième lecteur.`,
  deviceAnother: 'Oui, ajouter un autre boîtier à cette machine',
  deviceAnotherNeeded: (machine: string) =>
    `${machine} a déjà un boîtier : rien n’a été créé. Cochez « Oui, ajouter un autre boîtier à cette machine » si vous en voulez vraiment un second.`,
  deviceAnotherHint: 'À cocher seulement si la machine choisie a déjà un boîtier et qu’il en faut un second.',
};
