/** Issue #12: the first-run setup and the retention settings, in French (setup-en.ts has the same keys). */
export const setupFr = {
  firstRunTitle: 'Mise en route de Sésame',
  firstRunIntro:
    'Bienvenue ! Ce lien ne sert qu’une fois. Créez le compte de l’administrateur·rice, puis nommez votre lieu.',
  firstRunAdmin: 'Votre compte (administrateur·rice)',
  firstRunLab: 'Votre lieu',
  yourName: 'Votre nom',
  labName: 'Nom du lieu',
  labNameHint: 'Par exemple « La Machinerie ».',
  timeZone: 'Fuseau horaire',
  timeZoneHint:
    'Sert aux dates des rapports et aux chiffres du jour. S’il diffère de celui du serveur (LAB_TIMEZONE), il s’applique au prochain démarrage.',
  siren: 'SIREN de l’association (facultatif)',
  sirenHint:
    '9 chiffres ; il nomme le fichier FEC. Les comptes se règlent ensuite dans les paramètres comptables.',
  firstRunSubmit: 'Créer mon compte et continuer',
  firstRunInvalidLink:
    'Ce lien de mise en route est inconnu, déjà utilisé ou expiré. Redémarrez le serveur (npm start) : il affiche un nouveau lien.',
  firstRunAlreadyDone: 'Sésame est déjà configuré : ce lien ne sert plus. Connectez-vous.',
  firstRunFieldErrors: {
    name: 'Indiquez votre nom (120 caractères au plus).',
    email: 'Indiquez une adresse e-mail valide.',
    password: (min: number) => `Le mot de passe doit compter de ${min} à 200 caractères.`,
    labName: 'Indiquez le nom du lieu (120 caractères au plus).',
    timeZone: 'Choisissez un fuseau horaire de la liste.',
    siren: 'Un SIREN compte 9 chiffres.',
    token: 'Lien invalide.',
    emailTaken: 'Un compte utilise déjà cette adresse.',
  },
  firstRunFixErrors: 'Corrigez les champs signalés :',
  notSetUpTitle: 'Sésame n’est pas encore configuré',
  notSetUp:
    'Aucun compte administrateur n’existe encore. Au démarrage, le serveur (npm start) affiche dans son journal une ligne « first run » avec un lien de mise en route : ouvrez-le dans ce navigateur pour créer le premier compte.',
  notSetUpExpired:
    'Lien perdu ou expiré (24 h) ? Redémarrez le serveur : il en affiche un nouveau. Pour les scripts, BOOTSTRAP_ADMIN_TOKEN reste possible (voir le README).',
  setupTitle: 'Mise en route',
  setupNav: 'Mise en route',
  setupIntro:
    'Quatre étapes pour que les machines répondent aux badges. Chacune peut être passée et reprise plus tard depuis Admin → Mise en route.',
  setupWelcome: (lab: string) => `Bienvenue, ${lab} est prêt à être configuré.`,
  setupSteps: 'Étapes',
  stepQualifications: 'Formations',
  stepMachines: 'Machines',
  stepBoards: 'Boîtiers',
  stepMembers: 'Premiers membres',
  stepQualificationsHelp:
    'Une formation (« Découpe laser ») habilite à utiliser les machines qui la demandent ; un·e formateur·rice la valide.',
  stepMachinesHelp: 'Chaque machine a un prix à la minute et les formations qu’elle demande.',
  stepBoardsHelp:
    'Un boîtier (lecteur de badge et relais) par machine. Ses identifiants ne s’affichent qu’une fois : copiez la commande.',
  stepMembersHelp:
    'Les personnes qui badgent. Ensuite, depuis Membres : badge, formations, crédit, lien pour choisir un mot de passe.',
  stepCount: (n: number) => (n === 0 ? 'rien pour l’instant' : n === 1 ? '1 créé' : `${n} créés`),
  stepDone: 'fait',
  stepTodo: 'à faire',
  stepOpen: (step: string) => `Ouvrir l’étape ${step}`,
  nextStep: 'Étape suivante',
  skipStep: 'Passer cette étape',
  finishSetup: 'Terminer : voir le tableau de bord',
  backToSetup: 'Retour à la mise en route',
  accountingLink: 'Paramètres comptables (comptes, TVA, SIREN)',
  retentionLink: 'Conservation des badges',
  staffLink: 'Ajouter un·e formateur·rice ou un·e trésorier·ère',
  existing: 'Déjà créés',
  qualificationName: 'Nom de la formation',
  qualificationNameHint: 'Par exemple « Découpe laser ».',
  validityDaysHint: 'Durée de validité d’une habilitation, en jours (365 = un an).',
  qualificationCreated: (name: string) => `Formation « ${name} » créée.`,
  machineName: 'Nom de la machine',
  machineNameHint: 'Par exemple « Trotec Speedy 300 ».',
  machineKind: 'Type de machine',
  pricePerMinute: 'Prix à la minute (€)',
  minimumCharge: 'Minimum facturé par session (€)',
  euroHint: 'En euros, par exemple 0,50.',
  machineQualifications: 'Formations requises',
  noQualificationsYet: 'Aucune formation : la machine sera ouverte à tout membre actif.',
  machineCreated: (name: string) => `Machine « ${name} » créée.`,
  boardMachine: 'Machine du boîtier',
  boardLabel: 'Nom du boîtier (facultatif)',
  boardLabelHint: 'Par exemple « Raspberry près de la laser ».',
  createBoard: 'Créer le boîtier',
  boardCreatedTitle: 'Boîtier créé',
  boardShownOnce:
    'Ces identifiants ne seront plus jamais affichés. Copiez la commande et lancez-la sur le boîtier (ou sur cet ordinateur pour essayer : --simulate, puis tapez un numéro de badge).',
  boardCommand: 'Commande à lancer sur le boîtier',
  boardCommandHint:
    'Sur le boîtier, dans un clone de Sésame (npm install). Sans --simulate, ajoutez --config avec le câblage (controller/README.md).',
  copy: 'Copier',
  copied: 'Copié',
  noMachinesYet: 'Créez d’abord une machine.',
  boardsOf: (machine: string, n: number) =>
    `${machine} : ${n === 0 ? 'aucun boîtier' : n === 1 ? '1 boîtier' : `${n} boîtiers`}`,
  memberName: 'Nom du membre',
  memberEmail: 'Adresse e-mail du membre',
  memberCreated: (name: string) => `${name} ajouté·e.`,
  manageMembers: 'Gérer les membres (badges, formations, crédit)',
  formInvalid: 'Vérifiez les champs : certains sont vides ou invalides.',
  retentionTitle: 'Conservation des passages de badge',
  retentionIntro:
    'Chaque passage de badge (accordé ou refusé) est gardé pour comprendre un refus, puis effacé chaque nuit après ce délai (RGPD : pas plus longtemps que nécessaire). Les sessions et l’argent ne sont jamais effacés.',
  retentionDays: 'Durée de conservation (jours)',
  retentionDaysHint: 'De 1 à 3650 jours.',
  retentionCurrent: (days: number) => `Actuellement : ${days} jours.`,
  retentionDefault: (days: number) =>
    `Sans réglage enregistré, BADGE_EVENT_RETENTION_DAYS s’applique (${days} jours).`,
  retentionPurgeable: (n: number) =>
    n === 0
      ? 'Aucun passage à effacer à la prochaine purge.'
      : `${n} passage(s) seront effacés à la prochaine purge.`,
  retentionSaved: (days: number) => `Conservation réglée à ${days} jours.`,
  retentionInvalid: 'La durée doit être un nombre entier de jours entre 1 et 3650.',
  save: 'Enregistrer',
};
