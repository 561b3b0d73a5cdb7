/**
 * Issue #12: the guided setup's machines and boards steps. A machine is named, priced and tied
 * to its qualifications (kinds and qualifications shown by name); a board is created for a
 * machine and its credentials are shown once, inside a copyable `npm run controller` command
 * (SESAME_* variables of controller/config.ts, docs/mqtt.md).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { addDevice, listDevices, SecondBoardRefused } from '../../application/devices.ts';
import { ServiceError } from '../../application/errors.ts';
import { addMachine } from '../../application/machine-use-cases.ts';
import { listMachines } from '../../application/machines.ts';
import { listQualifications } from '../../application/qualifications.ts';
import { useCaseContext } from '../../application/use-case.ts';
import { MACHINE_KINDS } from '../../core/domain.ts';
import { type DashContext, type DashEnv, userOf } from '../context.ts';
import { ADMIN, requires } from '../http/access.ts';
import { redirectWith } from '../http/flash.ts';
import { listOf, parseEuros, parseForm } from '../http/forms.ts';
import { setupWords } from '../i18n/setup.ts';
import { page } from '../views/layout.tsx';
import { Checkboxes, Empty, Field, Select } from '../views/ui.tsx';
import { StepFooter, StepList, setupProgress, slugFrom, stepHelp, stepTitle } from './setup-steps.tsx';

/** The shell command a board runs: one line, single-quoted values (none holds a quote). */
export function controllerCommand(vars: {
  mqttUrl: string;
  machineId: string;
  deviceId: string;
  secret: string;
  publicKeyPem: string;
}): string {
  const q = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
  return [
    `SESAME_MQTT_URL=${q(vars.mqttUrl)}`,
    `SESAME_MACHINE_ID=${q(vars.machineId)}`,
    `SESAME_DEVICE_ID=${q(vars.deviceId)}`,
    `SESAME_DEVICE_SECRET=${q(vars.secret)}`,
    // controller/config.ts reads "\n" in this variable as line breaks: the key fits on one line.
    `SESAME_ALLOWLIST_PUBLIC_KEY=${q(vars.publicKeyPem.trim().replaceAll('\n', '\\n'))}`,
    'npm run controller -- --simulate',
  ].join(' ');
}

/** The broker's address as a board on the lab's network reaches it: this page's host. */
async function mqttUrlFor(c: DashContext): Promise<string> {
  const host = new URL(c.req.url).hostname;
  const port = (await c.var.deps.health?.())?.mqttPort ?? 1883;
  return `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function registerSetupMachines(app: Hono<DashEnv>): void {
  app.get('/setup/machines', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const s = setupWords(c);
    const { db } = c.var.deps;
    const [progress, machines, quals] = [
      await setupProgress(c),
      await listMachines(db),
      await listQualifications(db),
    ];
    const qualName = new Map(quals.map((q) => [q.id, q.name]));
    return page(
      c,
      `${s.setupTitle} · ${stepTitle(s, 'machines')}`,
      <>
        <StepList c={c} progress={progress} current="machines" />
        <section class="card" aria-labelledby="step-h">
          <h2 id="step-h">{stepTitle(s, 'machines')}</h2>
          <p>{stepHelp(s, 'machines')}</p>
          {machines.length > 0 && (
            <>
              <h3>{s.existing}</h3>
              <ul>
                {machines.map((m) => (
                  <li>
                    {m.name} — {t.machineKinds[m.kind]}, {c.var.fmt.money(m.pricePerMinuteCents)} / min
                    {m.qualifications.length > 0 &&
                      ` — ${m.qualifications.map((q) => qualName.get(q) ?? q).join(', ')}`}
                  </li>
                ))}
              </ul>
            </>
          )}
          <form method="post" action="/setup/machines">
            <Field label={s.machineName} name="name" required hint={s.machineNameHint} />
            <Select
              label={s.machineKind}
              name="kind"
              value="laser"
              options={MACHINE_KINDS.map((k) => ({ value: k, label: t.machineKinds[k] }))}
            />
            <Field
              label={s.pricePerMinute}
              name="price"
              value="0,50"
              required
              inputmode="decimal"
              hint={s.euroHint}
            />
            <Field label={s.minimumCharge} name="minimum" value="0,00" required inputmode="decimal" />
            {quals.length === 0 ? (
              <p>{s.noQualificationsYet}</p>
            ) : (
              <Checkboxes
                legend={s.machineQualifications}
                name="qualifications"
                options={quals.map((q) => ({ value: q.id, label: q.name }))}
                checked={[]}
              />
            )}
            <button type="submit">{t.addMachine}</button>
          </form>
          <StepFooter c={c} step="machines" count={progress.machines} />
        </section>
      </>,
    );
  });

  app.post('/setup/machines', requires(ADMIN), async (c) => {
    const s = setupWords(c);
    const form = await parseForm(
      c,
      z.object({
        name: z.string().trim().min(1).max(200),
        kind: z.enum(MACHINE_KINDS),
        price: z.string().max(20),
        minimum: z.string().max(20),
        qualifications: z.union([z.string(), z.array(z.string())]).optional(),
      }),
    );
    const price = form.ok ? parseEuros(form.data.price) : null;
    const minimum = form.ok ? parseEuros(form.data.minimum) : null;
    if (!form.ok || price === null || minimum === null || price < 0 || minimum < 0) {
      return redirectWith(c, '/setup/machines', 'error', s.formInvalid);
    }
    const { db } = c.var.deps;
    const id = slugFrom(form.data.name, new Set((await listMachines(db)).map((m) => m.id)), 'machine');
    try {
      await addMachine(useCaseContext(c.var.deps, userOf(c)), {
        id,
        name: form.data.name,
        kind: form.data.kind,
        pricePerMinuteCents: price,
        minimumChargeCents: minimum,
        qualifications: listOf(form.data.qualifications),
      });
    } catch (e) {
      if (e instanceof ServiceError) return redirectWith(c, '/setup/machines', 'error', e.detail);
      throw e;
    }
    return redirectWith(c, '/setup/machines', 'ok', s.machineCreated(form.data.name));
  });

  app.get('/setup/boards', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const s = setupWords(c);
    const { db } = c.var.deps;
    const [progress, machines] = [await setupProgress(c), await listMachines(db)];
    const counts = [];
    for (const m of machines) {
      counts.push({ m, n: (await listDevices(db, m.id)).filter((d) => d.revokedAt === null).length });
    }
    return page(
      c,
      `${s.setupTitle} · ${stepTitle(s, 'boards')}`,
      <>
        <StepList c={c} progress={progress} current="boards" />
        <section class="card" aria-labelledby="step-h">
          <h2 id="step-h">{stepTitle(s, 'boards')}</h2>
          <p>{stepHelp(s, 'boards')}</p>
          {machines.length === 0 ? (
            <Empty>{s.noMachinesYet}</Empty>
          ) : (
            <>
              <ul>
                {counts.map(({ m, n }) => (
                  <li>{s.boardsOf(m.name, n)}</li>
                ))}
              </ul>
              <form method="post" action="/setup/boards">
                <Select
                  label={s.boardMachine}
                  name="machineId"
                  options={machines.map((m) => ({ value: m.id, label: m.name }))}
                  value={(counts.find((x) => x.n === 0) ?? counts[0])?.m.id}
                />
                <Field label={s.boardLabel} name="label" hint={s.boardLabelHint} />
                {/* Outsider's check (#12): a machine's second board only on purpose. */}
                {counts.some((x) => x.n > 0) && (
                  <div class="field">
                    <label>
                      <input type="checkbox" name="another" value="yes" aria-describedby="another-hint" />{' '}
                      {t.deviceAnother}
                    </label>
                    <small id="another-hint" class="hint">
                      {t.deviceAnotherHint}
                    </small>
                  </div>
                )}
                <button type="submit">{s.createBoard}</button>
              </form>
            </>
          )}
          <StepFooter c={c} step="boards" count={progress.boards} />
        </section>
      </>,
    );
  });

  app.post('/setup/boards', requires(ADMIN), async (c) => {
    const { t } = c.var;
    const s = setupWords(c);
    const form = await parseForm(
      c,
      z.object({
        machineId: z.string().min(1).max(64),
        label: z.string().trim().max(100).optional(),
        another: z.literal('yes').optional(),
      }),
    );
    if (!form.ok) return redirectWith(c, '/setup/boards', 'error', s.formInvalid);
    const { db, keys } = c.var.deps;
    const machine = (await listMachines(db)).find((m) => m.id === form.data.machineId);
    if (machine === undefined) return redirectWith(c, '/setup/boards', 'error', s.formInvalid);
    let added: Awaited<ReturnType<typeof addDevice>>;
    try {
      added = await addDevice(useCaseContext(c.var.deps, userOf(c)), {
        machineId: machine.id,
        label: form.data.label || null,
        onlyIfFirst: form.data.another !== 'yes',
      });
    } catch (e) {
      if (e instanceof SecondBoardRefused)
        return redirectWith(c, '/setup/boards', 'error', t.deviceAnotherNeeded(machine.name));
      throw e;
    }
    const { device, secret } = added;
    const command = controllerCommand({
      mqttUrl: await mqttUrlFor(c),
      machineId: machine.id,
      deviceId: device.id,
      secret,
      publicKeyPem: keys.signingPublicKeyPem,
    });
    // Shown in this answer only: the secret is stored as a hash and cannot be shown again.
    return page(
      c,
      s.boardCreatedTitle,
      <section class="card" aria-labelledby="board-h">
        <h2 id="board-h">
          {s.boardCreatedTitle} — {machine.name}
        </h2>
        <p role="status">{s.boardShownOnce}</p>
        <label for="board-command">{s.boardCommand}</label>
        <textarea
          id="board-command"
          class="command"
          readonly
          rows={6}
          aria-describedby="board-command-hint"
          data-testid="board-command"
        >
          {command}
        </textarea>
        <small id="board-command-hint" class="hint">
          {s.boardCommandHint}
        </small>
        <p class="actions">
          <button type="button" data-copy="board-command" data-copied={s.copied} hidden>
            {s.copy}
          </button>
          <span id="board-command-status" role="status" />
        </p>
        <dl class="facts">
          <dt>{t.deviceIdForController}</dt>
          <dd>
            <input class="secret" readonly value={device.id} aria-label={t.deviceIdForController} />
          </dd>
          <dt>{t.secret}</dt>
          <dd>
            <input class="secret" readonly value={secret} aria-label={t.secret} data-testid="device-secret" />
          </dd>
        </dl>
        <p class="actions">
          {/* No create button on this view: pressing it again made a second board (#12). */}
          <a class="button" href="/setup/boards">
            {t.deviceDone}
          </a>
          <a href="/setup/members">{s.nextStep}</a>
        </p>
      </section>,
      ['/assets/copy.js'],
    );
  });
}
