/** Admin: machines (pricing, required qualifications, credit policy) and qualifications. */
import type { Hono } from 'hono';
import { z } from 'zod';
import { actorOf } from '../../application/auth.ts';
import { ServiceError } from '../../application/errors.ts';
import { addMachine, changeMachine } from '../../application/machine-use-cases.ts';
import { getMachine, listMachines, type MachineViewDto } from '../../application/machines.ts';
import {
  createQualification,
  listQualifications,
  QualificationNameTakenError,
} from '../../application/qualifications.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { CREDIT_POLICIES, MACHINE_KINDS } from '../../core/domain.ts';
import { SLUG_PATTERN } from '../../core/ids.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { formOf, listOf, parseEuros } from '../http/forms.ts';
import { page } from '../views/layout.tsx';
import { Checkboxes, Empty, Field, Select, Table } from '../views/ui.tsx';
import { AdminNav } from './admin-nav.tsx';

const SUPERVISOR_MODES = ['badge', 'present'] as const;

const euros = (cents: number) => (cents / 100).toFixed(2).replace('.', ',');

async function MachineForm(props: { c: DashContext; m: MachineViewDto | null }) {
  const { c, m } = props;
  const { t } = c.var;
  const quals = await listQualifications(c.var.deps.db);
  const p = m ? `m-${m.id}` : 'new';
  return (
    <form method="post" action={m ? `/admin/machines/${m.id}` : '/admin/machines'} class="card">
      {m === null && (
        <Field
          label={t.machineId}
          name="id"
          id={`${p}-id`}
          required
          pattern="[a-z0-9][a-z0-9\-]{0,63}"
          hint={t.machineIdHint}
        />
      )}
      <Field label={t.name} name="name" id={`${p}-name`} value={m?.name} required />
      <Select
        label={t.kind}
        name="kind"
        id={`${p}-kind`}
        value={m?.kind ?? 'laser'}
        options={MACHINE_KINDS.map((k) => ({ value: k, label: t.machineKinds[k] }))}
      />
      <Field
        label={t.pricePerMinuteEuros}
        name="price"
        id={`${p}-price`}
        value={m ? euros(m.pricePerMinuteCents) : '0,50'}
        required
        inputmode="decimal"
      />
      <Field
        label={t.minimumChargeEuros}
        name="minimum"
        id={`${p}-minimum`}
        value={m ? euros(m.minimumChargeCents) : '1,00'}
        required
        inputmode="decimal"
      />
      <Field
        label={t.overdraftEuros}
        name="overdraft"
        id={`${p}-overdraft`}
        value={m ? euros(m.overdraftLimitCents) : '0,00'}
        required
        inputmode="decimal"
        hint={t.overdraftHint}
      />
      <Select
        label={t.creditPolicy}
        name="creditPolicy"
        id={`${p}-policy`}
        value={m?.creditPolicy ?? 'lock'}
        options={CREDIT_POLICIES.map((x) => ({ value: x, label: t.creditPolicies[x] }))}
      />
      <Checkboxes
        legend={t.requiredQualifications}
        name="qualifications"
        options={quals.map((q) => ({ value: q.id, label: q.name }))}
        checked={m?.qualifications ?? []}
      />
      <fieldset class="practice-settings">
        <legend>{t.practiceSettings}</legend>
        <Field
          label={t.idlePriceEuros}
          name="idlePrice"
          id={`${p}-idle-price`}
          value={m && m.idlePricePerMinuteCents !== null ? euros(m.idlePricePerMinuteCents) : ''}
          inputmode="decimal"
          hint={t.idlePriceHint}
        />
        <Field
          label={t.sessionFeeEuros}
          name="sessionFee"
          id={`${p}-session-fee`}
          value={m ? euros(m.sessionFeeCents) : '0,00'}
          inputmode="decimal"
        />
        <label class="choice">
          <input
            type="checkbox"
            name="requiresSupervisor"
            value="1"
            checked={m?.requiresSupervisor ?? false}
          />{' '}
          {t.requiresSupervisorLabel}
        </label>
        <Select
          label={t.supervisorModeLabel}
          name="supervisorMode"
          id={`${p}-supervisor-mode`}
          value={m?.supervisorMode ?? 'badge'}
          options={SUPERVISOR_MODES.map((x) => ({ value: x, label: t.supervisorModes[x] }))}
        />
        <Field
          label={t.postUseCheckLabel}
          name="postUseCheck"
          id={`${p}-post-use-check`}
          value={m?.postUseCheck ?? ''}
          hint={t.postUseCheckHint}
        />
        <Field
          label={t.graceSecondsLabel}
          name="graceSeconds"
          id={`${p}-grace`}
          type="number"
          min="0"
          value={m?.graceSeconds ?? 0}
          hint={t.graceSecondsHint}
        />
        <Field
          label={t.maintenanceEveryLabel}
          name="maintenanceEveryHours"
          id={`${p}-maintenance-every`}
          type="number"
          min="1"
          value={m?.maintenanceEveryHours ?? ''}
          hint={t.maintenanceEveryHint}
        />
      </fieldset>
      <button type="submit">{m ? t.save : t.addMachine}</button>
    </form>
  );
}

const optionalInt = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
    z.coerce.number().int().min(min).max(max).nullable(),
  );

function machineInput(form: Record<string, string | string[]>) {
  const price = parseEuros(String(form.price ?? ''));
  const minimum = parseEuros(String(form.minimum ?? ''));
  const overdraft = parseEuros(String(form.overdraft ?? ''));
  const idleRaw = String(form.idlePrice ?? '').trim();
  const idlePrice = idleRaw === '' ? null : parseEuros(idleRaw);
  const sessionFee = parseEuros(String(form.sessionFee ?? '') || '0');
  const parsed = z
    .object({
      name: z.string().trim().min(1).max(200),
      kind: z.enum(MACHINE_KINDS),
      creditPolicy: z.enum(CREDIT_POLICIES),
      supervisorMode: z.enum(SUPERVISOR_MODES).default('badge'),
      postUseCheck: z.string().trim().max(500).default(''),
      graceSeconds: optionalInt(0, 86_400),
      maintenanceEveryHours: optionalInt(1, 100_000),
    })
    .safeParse(form);
  if (
    (idleRaw !== '' && (idlePrice === null || idlePrice < 0)) ||
    sessionFee === null ||
    sessionFee < 0 ||
    !parsed.success ||
    price === null ||
    minimum === null ||
    overdraft === null ||
    price < 0 ||
    minimum < 0 ||
    overdraft < 0
  ) {
    return null;
  }
  const { postUseCheck, graceSeconds, ...rest } = parsed.data;
  return {
    ...rest,
    postUseCheck: postUseCheck === '' ? null : postUseCheck,
    graceSeconds: graceSeconds ?? 0,
    idlePricePerMinuteCents: idlePrice,
    sessionFeeCents: sessionFee,
    requiresSupervisor: form.requiresSupervisor === '1',
    pricePerMinuteCents: price,
    minimumChargeCents: minimum,
    overdraftLimitCents: overdraft,
    qualifications: listOf(form.qualifications),
  };
}

export function registerAdminMachines(app: Hono<DashEnv>): void {
  app.get('/admin/machines', requires(ADMIN), async (c) => {
    const { t, fmt } = c.var;
    const { db } = c.var.deps;
    const machines = await listMachines(db);
    const quals = await listQualifications(db);
    // Issue #12 item 4: qualifications by name in the table.
    const qualName = new Map(quals.map((q) => [q.id, q.name]));
    return page(
      c,
      t.adminMachines,
      <>
        <AdminNav c={c} />
        {machines.length === 0 ? (
          <Empty>{t.noMachines}</Empty>
        ) : (
          <Table
            caption={t.adminMachines}
            head={[t.name, t.kind, t.price, t.minimum, t.requiredQualifications, t.creditPolicy, '']}
            cards
          >
            {machines.map((m) => (
              <tr>
                <td data-label={t.name}>{m.name}</td>
                <td data-label={t.kind}>{t.machineKinds[m.kind]}</td>
                <td data-label={t.price} class="num">
                  {fmt.money(m.pricePerMinuteCents)}
                </td>
                <td data-label={t.minimum} class="num">
                  {fmt.money(m.minimumChargeCents)}
                </td>
                <td data-label={t.requiredQualifications}>
                  {m.qualifications.map((q) => qualName.get(q) ?? q).join(', ') || '—'}
                </td>
                <td data-label={t.creditPolicy}>{t.creditPolicies[m.creditPolicy]}</td>
                <td>
                  <a href={`/admin/machines/${m.id}`} aria-label={t.editNamed(m.name)}>
                    {t.edit}
                  </a>
                </td>
              </tr>
            ))}
          </Table>
        )}
        <section aria-labelledby="new-machine-h">
          <h2 id="new-machine-h">{t.addMachine}</h2>
          <MachineForm c={c} m={null} />
        </section>
        <section aria-labelledby="quals-h">
          <h2 id="quals-h">{t.qualifications}</h2>
          {quals.length > 0 && (
            <Table
              caption={t.qualifications}
              head={[t.qualificationId, t.name, t.validityDays, t.lapseAfterUnusedDaysLabel]}
              numeric={[2, 3]}
              cards
            >
              {quals.map((q) => (
                <tr>
                  <td data-label={t.qualificationId}>
                    <code>{q.id}</code>
                  </td>
                  <td data-label={t.name}>{q.name}</td>
                  <td data-label={t.validityDays} class="num">
                    {q.validityDays}
                  </td>
                  <td data-label={t.lapseAfterUnusedDaysLabel} class="num">
                    {q.lapseAfterUnusedDays ?? '—'}
                  </td>
                </tr>
              ))}
            </Table>
          )}
          <form method="post" action="/admin/qualifications" class="card">
            <Field
              label={t.qualificationId}
              name="id"
              id="q-id"
              required
              pattern="[a-z0-9][a-z0-9\-]{0,63}"
              hint={t.machineIdHint}
            />
            <Field label={t.name} name="name" id="q-name" required />
            <Field
              label={t.validityDays}
              name="validityDays"
              id="q-days"
              type="number"
              min="1"
              value="365"
              required
            />
            <Field
              label={t.lapseAfterUnusedDaysLabel}
              name="lapseAfterUnusedDays"
              id="q-lapse"
              type="number"
              min="1"
              hint={t.lapseAfterUnusedDaysHint}
            />
            <button type="submit">{t.addQualification}</button>
          </form>
        </section>
      </>,
    );
  });

  app.get('/admin/machines/:id', requires(ADMIN), async (c) => {
    const m = await getMachine(c.var.deps.db, c.req.param('id'));
    return page(
      c,
      m.name,
      <>
        <AdminNav c={c} />
        <MachineForm c={c} m={m} />
      </>,
    );
  });

  app.post('/admin/machines', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const form = await formOf(c);
    const input = machineInput(form);
    const id = String(form.id ?? '');
    if (input === null || !SLUG_PATTERN.test(id))
      return redirectWith(c, '/admin/machines', 'error', t.invalidForm);
    try {
      await addMachine(useCaseContext(c.var.deps, userOf(c)), { id, ...input });
    } catch (e) {
      if (e instanceof ServiceError) return redirectWith(c, '/admin/machines', 'error', e.detail);
      throw e;
    }
    return redirectWith(c, '/admin/machines', 'ok', t.saved);
  });

  app.post('/admin/machines/:id', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const id = c.req.param('id');
    const input = machineInput(await formOf(c));
    if (input === null) return redirectWith(c, `/admin/machines/${id}`, 'error', t.invalidForm);
    await changeMachine(useCaseContext(c.var.deps, userOf(c)), { machineId: id, patch: input });
    return redirectWith(c, '/admin/machines', 'ok', t.saved);
  });

  app.post('/admin/qualifications', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const parsed = z
      .object({
        id: z.string().regex(SLUG_PATTERN),
        name: z.string().trim().min(1).max(200),
        validityDays: z.coerce.number().int().min(1).max(36_500),
        lapseAfterUnusedDays: optionalInt(1, 36_500).optional(),
      })
      .safeParse(await formOf(c));
    if (!parsed.success) return redirectWith(c, '/admin/machines#quals-h', 'error', t.invalidForm);
    try {
      await createQualification(c.var.deps.db, actorOf(userOf(c)), parsed.data);
    } catch (e) {
      if (e instanceof QualificationNameTakenError) {
        return redirectWith(
          c,
          '/admin/machines#quals-h',
          'error',
          c.var.t.qualificationNameTaken(e.existingName),
        );
      }
      if (e instanceof ServiceError) return redirectWith(c, '/admin/machines#quals-h', 'error', e.detail);
      throw e;
    }
    return redirectWith(c, '/admin/machines#quals-h', 'ok', t.saved);
  });
}
