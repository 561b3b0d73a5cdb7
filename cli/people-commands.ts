/** CLI commands about people and devices (issue #5): import, GDPR, purge, devices, staff. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { addDevice } from '../application/devices.ts';
import { eraseMemberData, exportMemberData } from '../application/gdpr.ts';
import { commitImport, ImportRejectedError, previewImport } from '../application/member-import.ts';
import { purgeBadgeEvents } from '../application/retention.ts';
import { createStaff } from '../application/staff.ts';
import { STAFF_ROLES } from '../core/domain.ts';
import { useCases } from './card-commands.ts';
import { type CliContext, type Command, emit, need, UsageError } from './command.ts';
import { cliUseCaseContext } from './member-commands.ts';

function readText(path: string | undefined): string {
  if (!path) throw new UsageError('which file? e.g. import-members adherents.csv');
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

function printErrors(ctx: CliContext, errors: { line: number; field: string; detail: string }[]): void {
  for (const e of errors) ctx.say(`  line ${e.line}, ${e.field}: ${e.detail}`);
}

export const importMembersCommand: Command = {
  name: 'import-members',
  usage: 'import-members <file.csv> [--commit]',
  summary:
    "Check (default) or import the members' spreadsheet: Nom;Prénom;Email;Catégorie;Année de naissance;Adhésion jusqu'au (existing e-mails are updated)",
  options: {
    commit: {
      type: 'boolean',
      help: 'create new members and update (renew) existing ones by e-mail: all rows, or none if any is invalid',
    },
  },
  async run(ctx, [file], values) {
    const text = readText(file);
    const opts = { timeZone: ctx.env.LAB_TIMEZONE, now: ctx.now };
    if (!values.commit) {
      const p = await previewImport(ctx.db, text, opts);
      ctx.say(
        `${p.rows} rows: ${p.created} to create, ${p.updated} to update, ${p.unchanged} unchanged, ${p.errors.length} error(s); nothing written (add --commit to import)`,
      );
      if (p.ignoredColumns.length > 0) ctx.say(`ignored columns: ${p.ignoredColumns.join(', ')}`);
      printErrors(ctx, p.errors);
      ctx.out(JSON.stringify(p, null, 2));
      if (p.errors.length > 0) process.exitCode = 1;
      return;
    }
    try {
      const r = await commitImport(await cliUseCaseContext(ctx), { csv: text });
      ctx.say(`${r.created} members created, ${r.updated} updated, ${r.unchanged} unchanged`);
      ctx.out(JSON.stringify(r));
    } catch (e) {
      if (!(e instanceof ImportRejectedError)) throw e;
      ctx.say(e.message);
      printErrors(ctx, e.preview.errors);
      process.exitCode = 1;
    }
  },
};

export const gdprExportCommand: Command = {
  name: 'gdpr-export',
  usage: 'gdpr-export <memberId> [--out file.json]',
  summary: 'Everything held about a member, as JSON (right of access)',
  options: { out: { type: 'string', help: 'write to this file instead of stdout' } },
  async run(ctx, [memberId], values) {
    if (!memberId) throw new UsageError('which member? gdpr-export <memberId>');
    const data = await exportMemberData(ctx.db, memberId, ctx.now);
    emit(ctx, `${JSON.stringify(data, null, 2)}\n`, values.out, 'member data');
  },
};

export const gdprEraseCommand: Command = {
  name: 'gdpr-erase',
  usage: 'gdpr-erase <memberId> --confirm <memberId>',
  summary: 'Pseudonymise a member (right to erasure); the ledger is kept. Irreversible',
  options: { confirm: { type: 'string', help: 'the member id again, to confirm' } },
  async run(ctx, [memberId], values) {
    if (!memberId) throw new UsageError('which member? gdpr-erase <memberId> --confirm <memberId>');
    if (values.confirm !== memberId)
      throw new UsageError('erasure is irreversible: add --confirm <the same member id>');
    const r = await eraseMemberData(await useCases(ctx), { memberId });
    ctx.say(`member ${memberId} erased (${r.badgesRevoked} badge(s) revoked)`);
    ctx.out(JSON.stringify(r));
  },
};

export const purgeCommand: Command = {
  name: 'purge',
  usage: 'purge [--days 90]',
  summary:
    'Delete raw badge events past the retention period, keeping attendance figures, sessions and ledger',
  options: {
    days: {
      type: 'string',
      help: 'retention in days (default: the stored setting, else BADGE_EVENT_RETENTION_DAYS)',
    },
  },
  async run(ctx, _positionals, values) {
    let days: number | undefined;
    if (values.days !== undefined) {
      const parsed = z.coerce.number().int().min(1).max(3650).safeParse(values.days);
      if (!parsed.success) throw new UsageError('--days is a whole number from 1 to 3650');
      days = parsed.data;
    }
    const r = await purgeBadgeEvents(ctx.db, {
      now: ctx.now,
      timeZone: ctx.env.LAB_TIMEZONE,
      defaultDays: ctx.env.BADGE_EVENT_RETENTION_DAYS,
      actor: 'cli',
      ...(days === undefined ? {} : { days }),
    });
    ctx.say(
      `${r.deletedEvents} badge events before ${r.cutoff} deleted; figures of ${r.storedDays} days and ${r.storedMonths} months kept`,
    );
    ctx.out(JSON.stringify(r));
  },
};

export const provisionDeviceCommand: Command = {
  name: 'provision-device',
  usage: 'provision-device <machineId> [--label "reader"]',
  summary: 'Add a device (board) to a machine; prints its MQTT id and secret, shown this once',
  options: { label: { type: 'string', help: 'a label for the device' } },
  async run(ctx, [machineId], values) {
    if (!machineId) throw new UsageError('which machine? provision-device <machineId>');
    const { device, secret } = await addDevice(await useCases(ctx), {
      machineId,
      label: typeof values.label === 'string' ? values.label : null,
    });
    ctx.say('the secret is shown once: put it in the board’s configuration now');
    ctx.out(JSON.stringify({ deviceId: device.id, secret, machineId }));
  },
};

export const createStaffCommand: Command = {
  name: 'create-staff',
  usage:
    'create-staff --name "Alex" --email alex@example.org --roles admin,treasurer [--trainer-of laser,cnc]',
  summary: 'Create a staff account; prints its API token, shown this once',
  options: {
    name: { type: 'string', help: 'full name' },
    email: { type: 'string', help: 'e-mail address' },
    roles: { type: 'string', help: `comma-separated: ${STAFF_ROLES.join(', ')}` },
    'trainer-of': { type: 'string', help: 'comma-separated qualification ids (trainers)' },
  },
  async run(ctx, _positionals, values) {
    const list = (v: string | boolean | undefined) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
    const input = z
      .object({
        name: z.string().trim().min(1).max(200),
        email: z.email('--email must be an e-mail address').max(320),
        roles: z.array(z.enum(STAFF_ROLES)).min(1, `--roles: at least one of ${STAFF_ROLES.join(', ')}`),
        trainerOf: z.array(z.string().max(64)),
      })
      .safeParse({
        name: need(values, 'name'),
        email: need(values, 'email'),
        roles: list(values.roles),
        trainerOf: list(values['trainer-of']),
      });
    if (!input.success)
      throw new UsageError(input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const staff = await createStaff(ctx.db, 'cli', input.data);
    ctx.say('the token is shown once: keep it in a password manager');
    ctx.out(JSON.stringify({ id: staff.id, token: staff.token, roles: staff.roles }));
  },
};
