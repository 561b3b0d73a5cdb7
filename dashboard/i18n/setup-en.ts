/** Issue #12: the first-run setup and the retention settings, in English (same keys as setup-fr.ts). */
import type { setupFr } from './setup-fr.ts';

export const setupEn: typeof setupFr = {
  firstRunTitle: 'Setting up Sésame',
  firstRunIntro: 'Welcome! This link works once. Create the administrator’s account, then name your lab.',
  firstRunAdmin: 'Your account (administrator)',
  firstRunLab: 'Your lab',
  yourName: 'Your name',
  labName: 'Lab name',
  labNameHint: 'For example “La Machinerie”.',
  timeZone: 'Time zone',
  timeZoneHint:
    'Used for report dates and daily figures. If it differs from the server’s (LAB_TIMEZONE), it applies from the next start.',
  siren: 'The association’s SIREN (optional)',
  sirenHint: '9 digits; it names the FEC file. Accounts are set later in the accounting settings.',
  firstRunSubmit: 'Create my account and continue',
  firstRunInvalidLink:
    'This setup link is unknown, already used or expired. Restart the server (npm start): it shows a new link.',
  firstRunAlreadyDone: 'Sésame is already set up: this link no longer works. Sign in.',
  firstRunFieldErrors: {
    name: 'Give your name (at most 120 characters).',
    email: 'Give a valid e-mail address.',
    password: (min: number) => `The password must have ${min} to 200 characters.`,
    labName: 'Give the lab’s name (at most 120 characters).',
    timeZone: 'Choose a time zone from the list.',
    siren: 'A SIREN has 9 digits.',
    token: 'Invalid link.',
    emailTaken: 'An account already uses this address.',
  },
  firstRunFixErrors: 'Fix the fields below:',
  notSetUpTitle: 'Sésame is not set up yet',
  notSetUp:
    'No administrator account exists yet. At start, the server (npm start) writes a “first run” line with a setup link in its log: open it in this browser to create the first account.',
  notSetUpExpired:
    'Link lost or expired (24 h)? Restart the server: it shows a new one. For scripts, BOOTSTRAP_ADMIN_TOKEN still works (see the README).',
  setupTitle: 'Getting started',
  setupNav: 'Getting started',
  setupIntro:
    'Four steps for the machines to answer badges. Each can be skipped and resumed later from Admin → Getting started.',
  setupWelcome: (lab: string) => `Welcome, ${lab} is ready to be set up.`,
  setupSteps: 'Steps',
  stepQualifications: 'Qualifications',
  stepMachines: 'Machines',
  stepBoards: 'Boards',
  stepMembers: 'First members',
  stepQualificationsHelp:
    'A qualification (“Laser cutting”) allows using the machines that require it; a trainer certifies members.',
  stepMachinesHelp: 'Each machine has a price per minute and the qualifications it requires.',
  stepBoardsHelp:
    'One board (badge reader and relay) per machine. Its credentials are shown once: copy the command.',
  stepMembersHelp:
    'The people who badge. Then, from Members: badge, certifications, credit, a link to choose a password.',
  stepCount: (n: number) => (n === 0 ? 'none yet' : `${n} created`),
  stepDone: 'done',
  stepTodo: 'to do',
  stepOpen: (step: string) => `Open the ${step} step`,
  nextStep: 'Next step',
  skipStep: 'Skip this step',
  finishSetup: 'Finish: see the dashboard',
  backToSetup: 'Back to getting started',
  accountingLink: 'Accounting settings (accounts, VAT, SIREN)',
  retentionLink: 'Badge event retention',
  staffLink: 'Add a trainer or a treasurer',
  existing: 'Already created',
  qualificationName: 'Qualification name',
  qualificationNameHint: 'For example “Laser cutting”.',
  validityDaysHint: 'How long a certification is valid, in days (365 = one year).',
  qualificationCreated: (name: string) => `Qualification “${name}” created.`,
  machineName: 'Machine name',
  machineNameHint: 'For example “Trotec Speedy 300”.',
  machineKind: 'Kind of machine',
  pricePerMinute: 'Price per minute (€)',
  minimumCharge: 'Minimum charge per session (€)',
  euroHint: 'In euros, for example 0.50.',
  machineQualifications: 'Required qualifications',
  noQualificationsYet: 'No qualifications: the machine will be open to every active member.',
  machineCreated: (name: string) => `Machine “${name}” created.`,
  boardMachine: 'The board’s machine',
  boardLabel: 'Board name (optional)',
  boardLabelHint: 'For example “Raspberry by the laser”.',
  createBoard: 'Create the board',
  boardCreatedTitle: 'Board created',
  boardShownOnce:
    'These credentials will never be shown again. Copy the command and run it on the board (or on this computer to try it: --simulate, then type a badge number).',
  boardCommand: 'Command to run on the board',
  boardCommandHint:
    'On the board, in a clone of Sésame (npm install). Without --simulate, add --config with the wiring (controller/README.md).',
  copy: 'Copy',
  copied: 'Copied',
  noMachinesYet: 'Create a machine first.',
  boardsOf: (machine: string, n: number) =>
    `${machine}: ${n === 0 ? 'no board' : n === 1 ? '1 board' : `${n} boards`}`,
  memberName: 'Member’s name',
  memberEmail: 'Member’s e-mail address',
  memberCreated: (name: string) => `${name} added.`,
  manageMembers: 'Manage members (badges, certifications, credit)',
  formInvalid: 'Check the fields: some are empty or invalid.',
  retentionTitle: 'Badge event retention',
  retentionIntro:
    'Every badge event (granted or refused) is kept to explain a refusal, then erased each night after this period (GDPR: no longer than needed). Sessions and money are never erased.',
  retentionDays: 'Retention (days)',
  retentionDaysHint: 'From 1 to 3650 days.',
  retentionCurrent: (days: number) => `Now: ${days} days.`,
  retentionDefault: (days: number) =>
    `With no stored setting, BADGE_EVENT_RETENTION_DAYS applies (${days} days).`,
  retentionPurgeable: (n: number) =>
    n === 0
      ? 'No badge event to erase at the next purge.'
      : `${n} badge event(s) will be erased at the next purge.`,
  retentionSaved: (days: number) => `Retention set to ${days} days.`,
  retentionInvalid: 'The period must be a whole number of days between 1 and 3650.',
  save: 'Save',
};
