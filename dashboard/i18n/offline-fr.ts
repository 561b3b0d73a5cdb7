/**
 * The words of the offline-sessions review page (issue #9), spread into fr.ts;
 * offline-en.ts has the same keys.
 */
export const offlineFr = {
  treasuryOffline: 'Sessions hors ligne',
  offlineTitle: 'Sessions hors ligne à vérifier',
  offlineIntro:
    'Une machine coupée du serveur décide seule à partir de sa dernière liste signée. Le serveur ne débite une telle session que si le badge figurait sur une liste publiée pour cette machine et si le membre y avait droit au début de la session. Les autres attendent ici : acceptez pour débiter la carte (jusqu’au plancher de la machine, jamais en dessous), refusez pour ne rien débiter.',
  noPendingOffline: 'Aucune session hors ligne en attente.',
  recentlyDecided: 'Décisions récentes',
  offlineMember: 'Membre',
  offlineMachine: 'Machine',
  offlineStarted: 'Début annoncé',
  offlineDuration: 'Durée de marche',
  offlineEnd: 'Fin',
  offlineWhy: 'Motif de la mise en attente',
  offlineReceived: 'Reçue le',
  offlineDecision: 'Décision',
  offlineCharged: 'Débité',
  unknownBadgeLast4: (last4: string) => `Badge inconnu …${last4}`,
  badgeLast4: (last4: string) => `badge …${last4}`,
  stillRunning: 'pas encore terminée',
  acceptOffline: 'Accepter…',
  refuseOffline: 'Refuser…',
  acceptOfflineNamed: (who: string) => `Accepter la session de ${who}`,
  refuseOfflineNamed: (who: string) => `Refuser la session de ${who}`,
  confirmAcceptOffline: (who: string, machine: string) =>
    `Débiter la carte de ${who} pour cette session sur ${machine} ? Le débit s’arrête au plancher de la machine.`,
  confirmRefuseOffline: (who: string, machine: string) =>
    `Refuser la session de ${who} sur ${machine} ? Rien ne sera débité.`,
  confirmAccept: 'Oui, accepter et débiter',
  confirmRefuse: 'Oui, refuser',
  offlineAccepted: (who: string, amount: string) => `Session de ${who} acceptée : ${amount} débités.`,
  offlineRefused: (who: string) => `Session de ${who} refusée : rien n’a été débité.`,
  offlineDecisionRefused:
    'Cette session ne peut plus être décidée ainsi (déjà décidée, ou badge sans membre).',
  statusAccepted: 'Acceptée',
  statusRefused: 'Refusée',
  holdReasons: {
    incomplete_event: 'Événement incomplet (ni badge ni heure de début)',
    started_in_future: 'Début annoncé dans le futur',
    ran_longer_than_elapsed: 'Durée de marche plus longue que le temps écoulé depuis le début',
    no_list: 'Aucune liste publiée pour cette machine à cette date',
    before_list: 'Début avant la liste de la machine (date trop ancienne)',
    after_list: 'Début après la fin de validité de la liste',
    not_on_list: 'Badge absent de la liste de la machine',
    entry_expired: 'Droit du membre expiré au début de la session',
    unknown_badge: 'Badge inconnu',
    badge_inactive: 'Badge perdu, révoqué ou pas encore émis au début',
    member_inactive: 'Adhésion inactive au début',
    not_certified: 'Pas habilité pour la machine au début',
    machine_unavailable: 'Machine en maintenance ou bloquée au début',
  } as Record<string, string>,
};
