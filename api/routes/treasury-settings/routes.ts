/**
 * Issue #5 settings, stored in the database so every process and the CLI share them:
 * chart-of-accounts numbers and VAT codes for exports (admin, treasurer), HelloAsso credentials
 * and matching (admin; the client secret is write-only), badge-event retention (admin).
 */
import { z } from '@hono/zod-openapi';
import { readAccounting, updateAccounting } from '../../../application/accounting-settings.ts';
import { audit } from '../../../application/audit.ts';
import { actorOf } from '../../../application/auth.ts';
import { setBadgeEventRetention } from '../../../application/retention-settings.ts';
import {
  accountingSchema,
  helloassoSchema,
  helloassoSettings,
  publicHelloasso,
  retentionDays,
  updateHelloassoSettings,
  VAT_CODES,
} from '../../../application/treasury-settings.ts';
import { useCaseContext } from '../../../application/use-case.ts';
import { CHART_IDS } from '../../../core/charts/charts.ts';
import { MACHINE_KINDS } from '../../../core/domain.ts';
import type { App } from '../../http/context.ts';
import { ADMIN, MONEY } from '../../http/guard.ts';
import { defineRoute, jsonBody, jsonResponse } from '../../http/route.ts';
import type { HelloassoDeps } from '../helloasso/routes.ts';

const tags = ['settings'];
const account = z.string();
const kinds = <T extends z.ZodType>(v: T) => z.object(Object.fromEntries(MACHINE_KINDS.map((k) => [k, v])));

const accountingAnswer = z
  .object({
    chart: z.enum(CHART_IDS),
    chartName: z.string(),
    memberCards: account,
    machineUse: account,
    materials: account,
    cash: account,
    check: account,
    card: account,
    bank: account,
    online: account,
    adjustmentsDebit: account,
    adjustmentsCredit: account,
    memberDebts: account,
    machineRevenue: z.object(Object.fromEntries(MACHINE_KINDS.map((k) => [k, account.optional()]))),
    subAccounts: z.array(z.object({ number: account, label: z.string() })),
    labels: z
      .record(z.string(), z.string())
      .openapi({ description: 'the chart label of each account in use' }),
    siren: z.string().optional(),
    vat: kinds(z.enum(VAT_CODES)),
    yearStart: z.string().openapi({ description: 'MM-DD the financial year opens on (default 01-01)' }),
  })
  .openapi('AccountingSettings');

const getAccounting = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/settings/accounting',
  tags,
  summary:
    'Chart, account numbers (with their chart labels) and VAT codes used by the FEC and Paheko exports',
  responses: { 200: jsonResponse('Settings (defaults filled in)', accountingAnswer) },
});

const putAccounting = defineRoute(MONEY, {
  method: 'put',
  path: '/api/v1/settings/accounting',
  tags,
  summary: 'Change the chart, some account numbers or VAT codes (the others keep their value)',
  description:
    "Defaults (Paheko association chart PCA 2025): 4191 cards, 706 machine use (a kind's own account only when set), " +
    '707 materials, 530 cash, 5112 cheques, 5115 card terminal, 512 transfers, 4671 HelloAsso, 709/706 adjustments, ' +
    '4110 member debts; VAT exempt. Every account must be in the chart, or a sub-account declared in subAccounts ' +
    '(number and label) under a chart account; otherwise 400 naming the account and the chart, nothing changed.',
  request: { body: jsonBody(accountingSchema) },
  responses: { 200: jsonResponse('Settings now', accountingAnswer) },
});

const helloassoAnswer = z
  .object({
    baseUrl: z.string().optional(),
    clientId: z.string().optional(),
    clientSecretSet: z.boolean(),
    organizationSlug: z.string().optional(),
    formType: z.string().optional(),
    formSlug: z.string().optional(),
    matchField: z.string().optional(),
    itemName: z.string().optional(),
  })
  .openapi('HelloassoSettings');

// Issue #12: the treasurer runs HelloAsso (settings page with a connection test) as well as the admin.
const getHelloasso = defineRoute(MONEY, {
  method: 'get',
  path: '/api/v1/settings/helloasso',
  tags,
  summary: 'HelloAsso settings (stored, over HELLOASSO_* from the environment); never the secret',
  responses: { 200: jsonResponse('Settings', helloassoAnswer) },
});

const putHelloasso = defineRoute(MONEY, {
  method: 'put',
  path: '/api/v1/settings/helloasso',
  tags,
  summary: 'Set HelloAsso credentials, organisation, machine-card form and matching custom field',
  request: { body: jsonBody(helloassoSchema) },
  responses: { 200: jsonResponse('Settings now', helloassoAnswer) },
});

const retentionAnswer = z.object({ badgeEventRetentionDays: z.number().int() }).openapi('RetentionSettings');

const getRetention = defineRoute(ADMIN, {
  method: 'get',
  path: '/api/v1/settings/retention',
  tags,
  summary: 'How long raw badge events are kept (default 90 days)',
  responses: { 200: jsonResponse('Settings', retentionAnswer) },
});

const putRetention = defineRoute(ADMIN, {
  method: 'put',
  path: '/api/v1/settings/retention',
  tags,
  summary: 'Set how long raw badge events are kept (1 to 3650 days)',
  request: {
    body: jsonBody(z.object({ badgeEventRetentionDays: z.number().int().min(1).max(3650) }).strict()),
  },
  responses: { 200: jsonResponse('Settings now', retentionAnswer) },
});

export function registerTreasurySettingsRoutes(app: App, helloasso: HelloassoDeps = {}): void {
  app.openapi(getAccounting, async (c) => c.json(await readAccounting(c.var.deps.db), 200));

  app.openapi(putAccounting, async (c) =>
    c.json(await updateAccounting(useCaseContext(c.var.deps, c.var.principal), c.req.valid('json')), 200),
  );

  app.openapi(getHelloasso, async (c) =>
    c.json(publicHelloasso(await helloassoSettings(c.var.deps.db, helloasso.env ?? {})), 200),
  );

  app.openapi(putHelloasso, async (c) => {
    const { db } = c.var.deps;
    await updateHelloassoSettings(db, c.req.valid('json'));
    const after = publicHelloasso(await helloassoSettings(db, helloasso.env ?? {}));
    await audit(db, {
      actor: actorOf(c.var.principal),
      action: 'update',
      entity: 'settings',
      entityId: 'helloasso',
      after,
    });
    return c.json(after, 200);
  });

  app.openapi(getRetention, async (c) => {
    const { db, badgeEventRetentionDays } = c.var.deps;
    return c.json({ badgeEventRetentionDays: await retentionDays(db, badgeEventRetentionDays) }, 200);
  });

  // Issue #12: the same use case as the dashboard's retention page.
  app.openapi(putRetention, async (c) =>
    c.json(
      await setBadgeEventRetention(useCaseContext(c.var.deps, c.var.principal), c.req.valid('json')),
      200,
    ),
  );
}
