/** Issues #11 and #12: the HelloAsso pages in English. */
import type { helloassoFr } from './helloasso-fr.ts';

export const helloassoEn: typeof helloassoFr = {
  haNotConfigured: 'HelloAsso is not configured',
  haNotConfiguredText: (missing: string[]) =>
    `Missing: ${missing.join(', ')}. Online payments can be neither received nor caught up.`,
  haConfigure: 'Set up HelloAsso',
  haSettingsLink: 'HelloAsso settings',
  haSettingsTitle: 'HelloAsso settings',
  haSettingsIntro:
    'The API credentials are in your HelloAsso space, My account → Integrations and API. The secret is never shown again.',
  haFieldNames: {
    baseUrl: 'API address',
    clientId: 'client id',
    clientSecret: 'client secret',
    organizationSlug: 'association name in HelloAsso addresses',
    formType: 'form type',
    formSlug: 'form name in its address',
    matchField: 'custom field',
    itemName: '“machine card” item',
  },
  haBaseUrl: 'API address',
  haProduction: 'HelloAsso (production) — https://api.helloasso.com',
  haSandbox: 'HelloAsso sandbox (trials) — https://api.helloasso-sandbox.com',
  haClientId: 'Client id',
  haClientSecret: 'Client secret',
  haSecretKept: 'A secret is stored: leave empty to keep it.',
  haSecretNone: 'No secret stored.',
  haOrganization: 'Association name in HelloAsso addresses',
  haOrganizationHint: 'For example la-machinerie in https://www.helloasso.com/associations/la-machinerie',
  haFormType: 'Type of the machine-card form',
  haFormTypes: {
    Shop: 'Shop',
    PaymentForm: 'Sale / payment',
    Membership: 'Membership',
    Event: 'Ticketing',
    Donation: 'Donation',
    CrowdFunding: 'Crowdfunding',
    Checkout: 'Embedded payment (checkout)',
  },
  haFormSlug: 'Form name in its address',
  haFormSlugHint: 'For example carte-machine in …/boutiques/carte-machine',
  haItemName: 'Name of the “machine card” item on this form',
  haItemNameHint:
    'Only this item’s share goes on the card. Empty: every item except donations and memberships.',
  haMatchField: 'Custom field giving the member’s e-mail (optional)',
  haMatchFieldHint: 'Tried before the payer’s e-mail, for instance when a parent pays for a member.',
  haSavedSettings: 'HelloAsso settings saved.',
  haInvalidSettings: (fields: string[]) => `Values refused: ${fields.join(', ')}.`,
  haTest: 'Test the connection',
  haTestHint: 'Asks HelloAsso for a token, then reads the machine-card form; nothing is changed.',
  haTestOk: (n: number) =>
    `Connection works: HelloAsso accepted the credentials and the form can be read (${n} payment${n === 1 ? '' : 's'}).`,
  haTestMissing: (missing: string[]) => `Cannot test: ${missing.join(', ')} missing.`,
  haTestTokenRefused: (status: string) =>
    `HelloAsso refuses the client id or secret (${status}). Check them under My account → Integrations and API.`,
  haTestUnreachable: (url: string) =>
    `HelloAsso cannot be reached at ${url}. Check the API address and the server’s connection.`,
  haTestFormMissing:
    'Credentials accepted, but this form cannot be found: check the association name, the form type and name.',
  haTestListRefused: (status: string) =>
    `Credentials accepted, but HelloAsso refuses the payment list (${status}): does this client have access to this association?`,
  haHttp: (status: number | null | undefined) => (status ? `HTTP error ${status}` : 'no answer'),
  haFlagged: 'Payments to look at',
  haFlags: {
    chargeback: 'Chargeback: credit taken back',
    canceled_after_credit: 'Canceled after it was credited',
    refund_of_spent_credit: 'Refunded while the credit was spent',
  },
  haNoFlagged: 'No payment to look at.',
  haMember: 'Member',
  haWhat: 'What',
  haTakenBack: 'Taken back from the card',
  haOwed: 'Owed by the member',
  haCard: 'Machine card',
  haQueueTitle: 'Payments to assign',
  haSummaryTitle: 'What HelloAsso collected',
  haSummaryIntro:
    'Only the “machine card” share goes on the cards (account 4191, through the HelloAsso clearing account). Other items are the association’s and are booked outside Sésame; the voluntary contribution (tip) is HelloAsso’s and never paid out.',
  haMonth: 'Month',
  haOnCards: 'On the cards',
  haOther: 'Other items (not on cards)',
  haTips: 'Contributions to HelloAsso',
  haReversed: 'Taken back (refunds, chargebacks)',
  haPayments: 'Payments',
  haBookedLater: 'Booked later',
  haOtherItems: 'Not on the card',
  haReconciliation: (card: string, other: string, tips: string) =>
    `HelloAsso over the period: ${card} on the cards (part of the top-ups above); off the cards, ${other} of other items (the association’s, booked outside Sésame) and ${tips} of contributions to HelloAsso (never paid out).`,
  haReconciliationOwed: (owed: string) =>
    `${owed} of credit already spent was taken back by refunds or chargebacks: owed by members (receivable account).`,
  haPageTitle: 'HelloAsso payments',
  haTipShort: 'HelloAsso tip',
};
