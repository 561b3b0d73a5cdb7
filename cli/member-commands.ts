/**
 * `npm run cli -- members renew|suspend|reactivate …` (issue #12 item 2): the same use cases
 * as the API and the dashboard, run on the server's database by the lab's operator.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../application/ledger-sql.ts';
import { reactivateMember, suspendMember } from '../application/member-use-cases.ts';
import { renewMemberships } from '../application/membership-renewal.ts';
import { loadSiteKeys } from '../application/site-keys.ts';
import { cliContext, type UseCaseContext } from '../application/use-case.ts';
import { type CliContext, type Command, need, UsageError } from './command.ts';

/** The use-case context of a CLI command (application/use-case.ts cliContext: audited as `cli`). */
export async function cliUseCaseContext(ctx: CliContext): Promise<UseCaseContext> {
  return cliContext({
    db: ctx.db,
    keys: await loadSiteKeys(ctx.db),
    now: ctx.now,
    labTimeZone: ctx.env.LAB_TIMEZONE,
  });
}

/** A member by id, or by e-mail when it has an @. */
async function memberIdOf(ctx: CliContext, who: string | undefined): Promise<string> {
  if (!who) throw new UsageError('which member? give their id or e-mail');
  if (!who.includes('@')) return who;
  const [row] = await rowsOf<{ id: string }>(
    ctx.db,
    sql`select id from members where lower(email) = ${who.toLowerCase()} and erased_at is null`,
  );
  if (row === undefined) throw new UsageError(`no member has the e-mail ${who}`);
  return row.id;
}

function emailsFrom(values: Record<string, string | boolean | undefined>): string[] {
  const list: string[] = [];
  if (typeof values.email === 'string') list.push(...values.email.split(','));
  const file = values['emails-file'];
  if (typeof file === 'string') {
    try {
      list.push(...readFileSync(file, 'utf8').split(/[\s,;]+/));
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  return list.map((e) => e.trim()).filter((e) => e.includes('@'));
}

export const membersCommand: Command = {
  name: 'members',
  usage:
    'members renew --until 2027-08-31 [--email a@x.org,b@x.org] [--emails-file list.txt] [memberId…] | members suspend <memberId|email> --reason "…" | members reactivate <memberId|email> --reason "…"',
  summary: 'Renew memberships until a last day (inclusive), suspend or reactivate a member, with a reason',
  options: {
    until: {
      type: 'string',
      help: 'renew: the last day of membership, inclusive (2027-08-31 or 31/08/2027)',
    },
    email: { type: 'string', help: 'renew: comma-separated e-mails' },
    'emails-file': { type: 'string', help: 'renew: a file of e-mails (one a line, or separated by , ;)' },
    reason: {
      type: 'string',
      help: 'suspend / reactivate: why (kept in the audit log and shown on the member)',
    },
  },
  async run(ctx, [sub, ...rest], values) {
    const uc = await cliUseCaseContext(ctx);
    if (sub === 'renew') {
      const emails = emailsFrom(values);
      if (rest.length + emails.length === 0)
        throw new UsageError('whom? give member ids, --email or --emails-file');
      const r = await renewMemberships(uc, { lastDay: need(values, 'until'), memberIds: rest, emails });
      ctx.say(
        `${r.renewed.length} renewed until ${r.lastDay}, ${r.unchanged.length} already beyond, ${r.unknown.length} unknown${r.unknown.length > 0 ? `: ${r.unknown.join(', ')}` : ''}`,
      );
      ctx.out(JSON.stringify(r));
      if (r.unknown.length > 0) process.exitCode = 1;
      return;
    }
    if (sub === 'suspend' || sub === 'reactivate') {
      const memberId = await memberIdOf(ctx, rest[0]);
      const input = { memberId, reason: need(values, 'reason') };
      const m = sub === 'suspend' ? await suspendMember(uc, input) : await reactivateMember(uc, input);
      ctx.say(`${m.name}: ${m.status}`);
      ctx.out(JSON.stringify(m));
      return;
    }
    throw new UsageError('members renew | suspend | reactivate: see --help');
  },
};
