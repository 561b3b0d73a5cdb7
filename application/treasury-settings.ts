/**
 * The treasurer's and integrations' settings (issue #5), stored as JSON in the `settings`
 * table so every server process and the CLI share them: chart-of-accounts numbers and VAT
 * codes for the exports, HelloAsso credentials and matching, the badge-event retention.
 * Each is validated with zod when written and again when read (a bad stored value falls
 * back to the defaults rather than breaking an export).
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { MACHINE_KINDS, type MachineKind } from '../core/domain.ts';
import type { DbOrTx } from '../db/client.ts';
import { settings } from '../db/schema.ts';
import { DEFAULT_FEC_ACCOUNTS, type FecAccounts } from './fec.ts';

const accountNumber = z
  .string()
  .regex(/^[0-9A-Za-z]{1,20}$/, 'an account number is 1 to 20 letters or digits');
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

export const accountingSchema = z
  .object({
    memberCards: accountNumber,
    bank: accountNumber,
    cash: accountNumber,
    online: accountNumber,
    adjustmentsDebit: accountNumber,
    adjustmentsCredit: accountNumber,
    materials: accountNumber,
    /** the association's SIREN, for the FEC file name */
    siren: z.string().regex(/^\d{9}$/, 'a SIREN is 9 digits'),
    machineRevenue: kindRecord(accountNumber),
    /** the VAT code of each product (a machine kind's use) */
    vat: kindRecord(z.enum(VAT_CODES)),
  })
  .partial()
  .strict();
export type AccountingInput = z.infer<typeof accountingSchema>;

export interface AccountingSettings extends FecAccounts {
  vat: Record<MachineKind, VatCode>;
  siren?: string;
}

export const DEFAULT_ACCOUNTING: AccountingSettings = {
  ...DEFAULT_FEC_ACCOUNTS,
  machineRevenue: { ...DEFAULT_FEC_ACCOUNTS.machineRevenue },
  vat: Object.fromEntries(MACHINE_KINDS.map((k) => [k, 'exonere'])) as Record<MachineKind, VatCode>,
};

function merge(input: AccountingInput): AccountingSettings {
  const { machineRevenue, vat, ...flat } = input;
  const defined = <T>(o: Record<string, T | undefined> | undefined) =>
    Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Record<string, T>;
  return {
    ...DEFAULT_ACCOUNTING,
    ...defined(flat),
    machineRevenue: { ...DEFAULT_ACCOUNTING.machineRevenue, ...defined(machineRevenue) },
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
  return merge(parsed.success ? parsed.data : {});
}

/** Changes some account numbers or VAT codes; the others keep their value. */
export async function updateAccountingSettings(
  db: DbOrTx,
  patch: AccountingInput,
): Promise<AccountingSettings> {
  const current = accountingSchema.safeParse(await readJson(db, ACCOUNTING_KEY));
  const base = current.success ? current.data : {};
  const next: AccountingInput = {
    ...base,
    ...patch,
    machineRevenue: { ...base.machineRevenue, ...patch.machineRevenue },
    vat: { ...base.vat, ...patch.vat },
  };
  await writeJson(db, ACCOUNTING_KEY, accountingSchema.parse(next));
  return merge(next);
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
