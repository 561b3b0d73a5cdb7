/**
 * The chart-of-accounts number of each ledger line, shared by the Paheko and FEC exports
 * (issue #11 items 1, 2, 11). The ledger's accounts are logical (core/ledger.ts); the
 * treasurer's settings say which account of the association's chart each one is booked to.
 *
 * Defaults are accounts of Paheko's association charts (PCA 2025 and 2018 both have them,
 * core/charts) that mean what is booked:
 * - 4191 "Usagers créditeurs : avances et acomptes": the members' prepaid cards;
 * - 706 "Prestations de services": machine use. Per machine kind only when the treasurer sets a
 *   sub-account (7063 is "Parrainages" in both charts: issue #11 item 2);
 * - 707 "Ventes de marchandises": materials sold with a session;
 * - money in or out per payment method: cash 530 "Caisse", cheques 5112 "Chèques à encaisser",
 *   card terminal 5115 "Paiements par carte à encaisser", transfer (and "other") 512 "Banques",
 *   HelloAsso 4671 "Débiteurs divers" (HelloAsso owes the association what it collected until
 *   its payout; 467 alone is not in the 2018 chart). Paheko's own advice is a "bank" account per
 *   payment provider (src/www/admin/acc/charts/accounts/new.php: "intermédiaire financier (type
 *   HelloAsso…)"), i.e. a 512 sub-account the treasurer creates and declares;
 * - adjustments: credit given to a member (goodwill) is 709 "Rabais, remises et ristournes
 *   accordés"; credit taken back (an under-billed session) is more machine use, 706;
 * - what a member owes after a HelloAsso refund or chargeback took back credit already spent
 *   (the helloasso helper's `member_debts`): 4110 "Autres usagers", which both charts describe
 *   as "pour les dettes ou créances des membres".
 */
import { MACHINE_KINDS, type MachineKind, TOPUP_METHODS, type TopupMethod } from './domain.ts';

export interface BookAccounts {
  /** members' prepaid cards (auxiliary account = the member in the FEC) */
  memberCards: string;
  /** machine use, every kind without its own account */
  machineUse: string;
  /** a sub-account of machine use per kind, only those the treasurer set */
  machineRevenue: Partial<Record<MachineKind, string>>;
  /** materials sold with a session (issue #6) */
  materials: string;
  cash: string;
  /** cheques received, not yet banked */
  check: string;
  /** card-terminal payments, not yet paid out */
  card: string;
  /** bank transfers and any other method */
  bank: string;
  /** HelloAsso: paid online, not yet paid out to the bank */
  online: string;
  /** adjustments that give a member credit (goodwill) */
  adjustmentsDebit: string;
  /** adjustments that take credit back (an under-billed session) */
  adjustmentsCredit: string;
  /** what a member owes when a refund or chargeback takes back credit already spent */
  memberDebts: string;
}

export const DEFAULT_BOOK_ACCOUNTS: BookAccounts = {
  memberCards: '4191',
  machineUse: '706',
  machineRevenue: {},
  materials: '707',
  cash: '530',
  check: '5112',
  card: '5115',
  bank: '512',
  online: '4671',
  adjustmentsDebit: '709',
  adjustmentsCredit: '706',
  memberDebts: '4110',
};

/** The single-account fields of BookAccounts, in the order a page shows them. */
export const BOOK_ACCOUNT_FIELDS = [
  'memberCards',
  'machineUse',
  'materials',
  'cash',
  'check',
  'card',
  'bank',
  'online',
  'adjustmentsDebit',
  'adjustmentsCredit',
  'memberDebts',
] as const satisfies readonly (keyof BookAccounts)[];
export type BookAccountField = (typeof BOOK_ACCOUNT_FIELDS)[number];

/** Every account number the settings use, with the setting it comes from (for messages). */
export function usedAccounts(accounts: BookAccounts): { field: string; number: string }[] {
  return [
    ...BOOK_ACCOUNT_FIELDS.map((field) => ({ field, number: accounts[field] })),
    ...MACHINE_KINDS.flatMap((kind) => {
      const number = accounts.machineRevenue[kind];
      return number === undefined ? [] : [{ field: `machineRevenue.${kind}`, number }];
    }),
  ];
}

export function machineKindOf(value: string | null | undefined): MachineKind {
  return (MACHINE_KINDS as readonly string[]).includes(value ?? '') ? (value as MachineKind) : 'other';
}

function methodOf(value: string | null | undefined): TopupMethod | undefined {
  return (TOPUP_METHODS as readonly string[]).includes(value ?? '') ? (value as TopupMethod) : undefined;
}

/** A ledger line as the mapping needs it. */
export interface MappedLine {
  /** the ledger's logical account (core/ledger.ts ACCOUNTS) */
  account: string;
  /** positive = debit */
  amountCents: number;
  machineKind?: string | null;
}

/**
 * The chart number of a ledger line. `method` is the transaction's payment method: the ledger
 * books card, cheque, transfer and "other" on one logical `bank` account, the chart has one
 * clearing account per method (issue #11 item 11).
 */
export function bookAccount(
  line: MappedLine,
  method: string | null | undefined,
  accounts: BookAccounts,
): string {
  switch (line.account) {
    case 'member_cards':
      return accounts.memberCards;
    case 'machine_revenue':
      return accounts.machineRevenue[machineKindOf(line.machineKind)] ?? accounts.machineUse;
    case 'material_revenue':
      return accounts.materials;
    case 'cash':
      return accounts.cash;
    case 'online':
      return accounts.online;
    case 'member_debts':
      return accounts.memberDebts;
    case 'bank': {
      const m = methodOf(method);
      return m === 'check' ? accounts.check : m === 'card' ? accounts.card : accounts.bank;
    }
    default:
      // 'adjustments': debited when the member is given credit, credited when it is taken back.
      return line.amountCents > 0 ? accounts.adjustmentsDebit : accounts.adjustmentsCredit;
  }
}
