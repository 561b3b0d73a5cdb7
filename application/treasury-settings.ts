/**
 * The treasurer's and integrations' settings (issue #5), stored as JSON in the `settings`
 * table so every server process and the CLI share them: the chart of accounts and account
 * numbers of the exports (issue #11: checked against the chart when written), VAT codes,
 * HelloAsso credentials and matching, the badge-event retention.
 * Each is validated with zod when written and again when read (a bad stored value falls
 * back to the defaults rather than breaking an export).
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { type BookAccounts, DEFAULT_BOOK_ACCOUNTS } from '../core/book-accounts.ts';
import {
  ACCOUNT_NUMBER,
  CHART_IDS,
  type ChartId,
  DEFAULT_CHART,
  type SubAccount,
} from '../core/charts/charts.ts';
import { MACHINE_KINDS, type MachineKind } from '../core/domain.ts';
import type { DbOrTx } from '../db/client.ts';
import { settings } from '../db/schema.ts';
import { DEFAULT_YEAR_START, isYearStart } from './financial-year.ts';

/** Paheko's rule for an account number (Entities/Accounting/Account.php): letters, digits, _. */
const accountNumber = z
  .string()
  .regex(ACCOUNT_NUMBER, "an account number is 1 to 20 letters, digits or _ (Paheko's rule)");
const kindRecord = <T extends z.ZodType>(value: T) =>
  z
    .object(
      Object.fromEntries(MACHINE_KINDS.map((k) => [k, value.optional()])) as Record<
        MachineKind,
        z.ZodOptional<T>
      >,
    )
    .strict();

/** VAT codes: `exonere` (art. 261-7-1° CGI, the default for a non-profit), else a rate code. */
export const VAT_CODES = ['exonere', 'tva-20', 'tva-10', 'tva-5.5', 'hors-champ'] as const;
export type VatCode = (typeof VAT_CODES)[number];

export const subAccountSchema = z
  .object({ number: accountNumber, label: z.string().trim().min(1).max(200) })
  .strict();

export const accountingSchema = z
  .object({
    /** the chart the association keeps its books in (Paheko's, issue #11 item 1) */
    chart: z.enum(CHART_IDS),
    memberCards: accountNumber,
    machineUse: accountNumber,
    materials: accountNumber,
    cash: accountNumber,
    check: accountNumber,
    card: accountNumber,
    bank: accountNumber,
    online: accountNumber,
    adjustmentsDebit: accountNumber,
    adjustmentsCredit: accountNumber,
    memberDebts: accountNumber,
    /** the association's SIREN, for the FEC file name */
    siren: z.string().regex(/^\d{9}$/, 'a SIREN is 9 digits'),
    /**
     * Issue #11 item 6: the day the financial year opens, MM-DD (default 01-01); the FEC of
     * `?year=N` covers the year that starts on that day of N (application/financial-year.ts).
     */
    yearStart: z
      .string()
      .refine(isYearStart, 'the financial year start is a day written MM-DD, such as 09-01 (not 02-29)'),
    /** a machine kind's own sub-account of machine use; null removes it (back to machineUse) */
    machineRevenue: kindRecord(accountNumber.nullable()),
    /** sub-accounts the treasurer created in the association's books (not in the chart) */
    subAccounts: z.array(subAccountSchema).max(50),
    /** the VAT code of each product (a machine kind's use) */
    vat: kindRecord(z.enum(VAT_CODES)),
  })
  .partial()
  .strict();
export type AccountingInput = z.infer<typeof accountingSchema>;

export interface AccountingSettings extends BookAccounts {
  chart: ChartId;
  subAccounts: SubAccount[];
  vat: Record<MachineKind, VatCode>;
  siren?: string;
  /** MM-DD the financial year opens on (issue #11 item 6) */
  yearStart: string;
}

export const DEFAULT_ACCOUNTING: AccountingSettings = {
  ...DEFAULT_BOOK_ACCOUNTS,
  chart: DEFAULT_CHART,
  machineRevenue: {},
  subAccounts: [],
  yearStart: DEFAULT_YEAR_START,
  vat: Object.fromEntries(MACHINE_KINDS.map((k) => [k, 'exonere'])) as Record<MachineKind, VatCode>,
};

function defined<T>(o: Record<string, T | null | undefined> | undefined): Record<string, T> {
  return Object.fromEntries(
    Object.entries(o ?? {}).filter(([, v]) => v !== undefined && v !== null),
  ) as Record<string, T>;
}

/** The stored settings over the defaults. */
export function mergeAccounting(input: AccountingInput): AccountingSettings {
  const { machineRevenue, vat, subAccounts, ...flat } = input;
  return {
    ...DEFAULT_ACCOUNTING,
    ...defined(flat),
    machineRevenue: defined(machineRevenue),
    subAccounts: subAccounts ?? [],
    vat: { ...DEFAULT_ACCOUNTING.vat, ...defined(vat) },
  };
}

async function readJson(db: DbOrTx, key: string): Promise<unknown> {
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  if (row === undefined) return undefined;
  try {
    return JSON.parse(row.value);
  } catch {
    return undefined;
  }
}

async function writeJson(db: DbOrTx, key: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  await db
    .insert(settings)
    .values({ key, value: text })
    .onConflictDoUpdate({ target: settings.key, set: { value: text } });
}

const ACCOUNTING_KEY = 'accounting';

export async function accountingSettings(db: DbOrTx): Promise<AccountingSettings> {
  const parsed = accountingSchema.safeParse(await readJson(db, ACCOUNTING_KEY));
  return mergeAccounting(parsed.success ? parsed.data : {});
}

/**
 * The stored settings with `patch` applied (the fields it leaves out keep their value;
 * `machineRevenue.<kind>: null` removes a kind's own account), not yet written.
 */
export async function patchedAccounting(db: DbOrTx, patch: AccountingInput): Promise<AccountingInput> {
  const current = accountingSchema.safeParse(await readJson(db, ACCOUNTING_KEY));
  const base = current.success ? current.data : {};
  const machineRevenue = { ...base.machineRevenue, ...patch.machineRevenue };
  for (const k of MACHINE_KINDS) if (machineRevenue[k] === null) delete machineRevenue[k];
  return accountingSchema.parse({
    ...base,
    ...patch,
    machineRevenue,
    vat: { ...base.vat, ...patch.vat },
  });
}

/** Writes settings made by patchedAccounting (and checked by the caller against the chart). */
export async function writeAccounting(db: DbOrTx, next: AccountingInput): Promise<AccountingSettings> {
  await writeJson(db, ACCOUNTING_KEY, accountingSchema.parse(next));
  return mergeAccounting(next);
}

export const helloassoSchema = z
  .object({
    /** https://api.helloasso.com (production) or https://api.helloasso-sandbox.com */
    baseUrl: z.url().max(300),
    clientId: z.string().min(1).max(300),
    clientSecret: z.string().min(1).max(300),
    organizationSlug: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,199}$/, 'the organisation slug in HelloAsso URLs'),
    /** the machine-card form: payments of other forms are ignored */
    formType: z.string().min(1).max(50),
    formSlug: z.string().min(1).max(200),
    /** a custom field of the form holding the member's e-mail or id, tried before the payer's e-mail */
    matchField: z.string().min(1).max(200),
    /**
     * issue #11: the machine-card item's name on the form; only its share goes on the card
     * (without it: every item except donations and memberships)
     */
    itemName: z.string().min(1).max(200),
  })
  .partial()
  .strict();
export type HelloassoSettings = z.infer<typeof helloassoSchema>;

const HELLOASSO_KEY = 'helloasso';

/** Stored settings over the environment's HELLOASSO_* defaults. */
export async function helloassoSettings(db: DbOrTx, env: HelloassoSettings = {}): Promise<HelloassoSettings> {
  const parsed = helloassoSchema.safeParse(await readJson(db, HELLOASSO_KEY));
  const stored = parsed.success ? parsed.data : {};
  const out: HelloassoSettings = { ...env };
  for (const [k, v] of Object.entries(stored)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

export async function updateHelloassoSettings(db: DbOrTx, patch: HelloassoSettings): Promise<void> {
  const parsed = helloassoSchema.safeParse(await readJson(db, HELLOASSO_KEY));
  await writeJson(
    db,
    HELLOASSO_KEY,
    helloassoSchema.parse({ ...(parsed.success ? parsed.data : {}), ...patch }),
  );
}

/** The settings as shown: the client secret never leaves the server. */
export function publicHelloasso(s: HelloassoSettings) {
  const { clientSecret, ...rest } = s;
  return { ...rest, clientSecretSet: clientSecret !== undefined };
}

export const DEFAULT_RETENTION_DAYS = 90;
const RETENTION_KEY = 'badge_event_retention_days';

export async function retentionDays(db: DbOrTx, fallback = DEFAULT_RETENTION_DAYS): Promise<number> {
  const value = z
    .number()
    .int()
    .min(1)
    .max(3650)
    .safeParse(await readJson(db, RETENTION_KEY));
  return value.success ? value.data : fallback;
}

export async function setRetentionDays(db: DbOrTx, days: number): Promise<void> {
  await writeJson(db, RETENTION_KEY, z.number().int().min(1).max(3650).parse(days));
}
