/**
 * HelloAsso settings page (issue #12 "Settings pages"; issue #11 item name): the treasurer or an
 * admin sets the API credentials and the machine-card form, and tests the connection (a token,
 * then one list call), told in words what worked or failed. Writes through the use cases.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { ServiceError } from '../../application/errors.ts';
import { missingSettings } from '../../application/helloasso/sync.ts';
import {
  type ConnectionReport,
  currentHelloasso,
  saveHelloassoSettings,
  testHelloassoConnection,
} from '../../application/helloasso/use-cases.ts';
import { helloassoSchema } from '../../application/treasury-settings.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { MONEY, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { parseForm } from '../http/forms.ts';
import { page } from '../views/layout.tsx';
import { Field, Select } from '../views/ui.tsx';
import { TreasuryNav } from './treasurer-checks.tsx';

export const SETTINGS_PATH = '/treasurer/helloasso/settings';
const PRODUCTION = 'https://api.helloasso.com';
const SANDBOX = 'https://api.helloasso-sandbox.com';
const FORM_TYPES = ['Shop', 'PaymentForm', 'Membership', 'Event', 'Donation', 'CrowdFunding', 'Checkout'];

const text = (max: number) => z.string().max(max).optional();
/** The form as posted: every field text, bounded; empty means "keep" (or "none" for the optional ones). */
const formSchema = z
  .object({
    baseUrl: text(300),
    clientId: text(300),
    clientSecret: text(300),
    organizationSlug: text(200),
    formType: text(50),
    formSlug: text(200),
    itemName: text(200),
    matchField: text(200),
  })
  .strict();

/** Missing settings named in words. */
export function missingWords(c: DashContext, missing: string[]): string[] {
  return missing.map((k) => c.var.t.haFieldNames[k] ?? k);
}

function reportText(c: DashContext, r: ConnectionReport, baseUrl: string | undefined): string {
  const { t } = c.var;
  if (r.ok) return t.haTestOk(r.payments);
  if (r.step === 'settings') return t.haTestMissing(missingWords(c, r.missing ?? []));
  if (r.status === null || r.status === undefined) return t.haTestUnreachable(baseUrl ?? '?');
  if (r.step === 'token') return t.haTestTokenRefused(t.haHttp(r.status));
  if (r.status === 404) return t.haTestFormMissing;
  return t.haTestListRefused(t.haHttp(r.status));
}

export function registerHelloassoSettings(app: Hono<DashEnv>): void {
  app.get(SETTINGS_PATH, requires(MONEY), async (c) => {
    const { t } = c.var;
    const s = await currentHelloasso(c.var.deps, c.var.deps.helloasso);
    const missing = missingSettings(s);
    const base = s.baseUrl ?? PRODUCTION;
    const urls = [PRODUCTION, SANDBOX, ...(base === PRODUCTION || base === SANDBOX ? [] : [base])];
    return page(
      c,
      t.haSettingsTitle,
      <>
        <TreasuryNav c={c} />
        <p>{t.haSettingsIntro}</p>
        {missing.length > 0 && (
          <p class="card" role="note">
            <strong>{t.haNotConfigured}.</strong> {t.haNotConfiguredText(missingWords(c, missing))}
          </p>
        )}
        <form method="post" action={SETTINGS_PATH}>
          <Select
            label={t.haBaseUrl}
            name="baseUrl"
            value={base}
            options={urls.map((u) => ({
              value: u,
              label: u === PRODUCTION ? t.haProduction : u === SANDBOX ? t.haSandbox : u,
            }))}
          />
          <Field label={t.haClientId} name="clientId" value={s.clientId ?? ''} autocomplete="off" />
          <Field
            label={t.haClientSecret}
            name="clientSecret"
            type="password"
            autocomplete="new-password"
            hint={s.clientSecret ? t.haSecretKept : t.haSecretNone}
          />
          <Field
            label={t.haOrganization}
            name="organizationSlug"
            value={s.organizationSlug ?? ''}
            hint={t.haOrganizationHint}
          />
          <Select
            label={t.haFormType}
            name="formType"
            value={s.formType ?? 'Shop'}
            options={FORM_TYPES.map((f) => ({ value: f, label: t.haFormTypes[f] ?? f }))}
          />
          <Field label={t.haFormSlug} name="formSlug" value={s.formSlug ?? ''} hint={t.haFormSlugHint} />
          <Field label={t.haItemName} name="itemName" value={s.itemName ?? ''} hint={t.haItemNameHint} />
          <Field
            label={t.haMatchField}
            name="matchField"
            value={s.matchField ?? ''}
            hint={t.haMatchFieldHint}
          />
          <button type="submit">{t.save}</button>
        </form>
        <form method="post" action={`${SETTINGS_PATH}/test`}>
          <p class="hint" id="ha-test-hint">
            {t.haTestHint}
          </p>
          <button type="submit" aria-describedby="ha-test-hint">
            {t.haTest}
          </button>
        </form>
      </>,
    );
  });

  app.post(SETTINGS_PATH, requires(MONEY), async (c) => {
    const { t } = c.var;
    const form = await parseForm(c, formSchema);
    if (!form.ok)
      return redirectWith(c, SETTINGS_PATH, 'error', t.haInvalidSettings(missingWords(c, form.fields)));
    const f = form.data;
    const keep = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
    const patch: Record<string, string | undefined> = {};
    for (const k of [
      'baseUrl',
      'clientId',
      'clientSecret',
      'organizationSlug',
      'formType',
      'formSlug',
    ] as const) {
      const v = keep(f[k]);
      if (v !== undefined) patch[k] = v;
    }
    // The optional ones are cleared when emptied.
    patch.itemName = keep(f.itemName);
    patch.matchField = keep(f.matchField);
    const checked = helloassoSchema.safeParse(patch);
    if (!checked.success) {
      const fields = [...new Set(checked.error.issues.map((i) => String(i.path[0] ?? '')))];
      return redirectWith(c, SETTINGS_PATH, 'error', t.haInvalidSettings(missingWords(c, fields)));
    }
    try {
      await saveHelloassoSettings(useCaseContext(c.var.deps, userOf(c)), checked.data, c.var.deps.helloasso);
    } catch (e) {
      if (e instanceof ServiceError) return redirectWith(c, SETTINGS_PATH, 'error', t.invalidForm);
      throw e;
    }
    return redirectWith(c, SETTINGS_PATH, 'ok', t.haSavedSettings);
  });

  app.post(`${SETTINGS_PATH}/test`, requires(MONEY), async (c) => {
    const ctx = useCaseContext(c.var.deps, userOf(c));
    const report = await testHelloassoConnection(ctx, c.var.deps.helloasso);
    const s = await currentHelloasso(c.var.deps, c.var.deps.helloasso);
    return redirectWith(c, SETTINGS_PATH, report.ok ? 'ok' : 'error', reportText(c, report, s.baseUrl));
  });
}
