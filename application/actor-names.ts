/**
 * Who did it, by name (issue #12 item 4): the audit log and the exports store actors as
 * `staff:<id>`, `member:<id>`, `device:<id>`, `system…` or `cli`; people read
 * "Marie Dupont (trésorier·ère)". One query per kind for the whole page or file.
 */
import { eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { devices, machines, members, staff } from '../db/schema.ts';
import { ROLE_WORDS, type WordsLang } from './words.ts';

const SYSTEM: Record<WordsLang, Record<string, string>> = {
  fr: {
    system: 'Sésame (automatique)',
    'system:helloasso': 'HelloAsso (automatique)',
    cli: 'Ligne de commande',
  },
  en: { system: 'Sésame (automatic)', 'system:helloasso': 'HelloAsso (automatic)', cli: 'Command line' },
};

function idsOf(actors: readonly string[], kind: string): string[] {
  const prefix = `${kind}:`;
  return [...new Set(actors.filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length)))];
}

/** actor code → words; an actor that no longer exists keeps its code (nothing is hidden). */
export async function actorNames(
  db: DbOrTx,
  actors: readonly string[],
  lang: WordsLang,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const roles = ROLE_WORDS[lang];
  const staffIds = idsOf(actors, 'staff');
  if (staffIds.length > 0) {
    const rows = await db
      .select({ id: staff.id, name: staff.name, roles: staff.roles })
      .from(staff)
      .where(inArray(staff.id, staffIds));
    for (const r of rows) {
      const what = r.roles.map((x) => roles[x] ?? x).join(', ');
      out.set(`staff:${r.id}`, what ? `${r.name} (${what})` : r.name);
    }
  }
  const memberIds = idsOf(actors, 'member');
  if (memberIds.length > 0) {
    const rows = await db
      .select({ id: members.id, name: members.name })
      .from(members)
      .where(inArray(members.id, memberIds));
    for (const r of rows) out.set(`member:${r.id}`, `${r.name} (${roles.member})`);
  }
  const deviceIds = idsOf(actors, 'device');
  if (deviceIds.length > 0) {
    const rows = await db
      .select({ id: devices.id, label: devices.label, machine: machines.name })
      .from(devices)
      .leftJoin(machines, eq(machines.id, devices.machineId))
      .where(inArray(devices.id, deviceIds));
    const board = lang === 'fr' ? 'boîtier' : 'board';
    for (const r of rows) {
      out.set(`device:${r.id}`, `${r.machine ?? '?'} (${board}${r.label ? ` ${r.label}` : ''})`);
    }
  }
  for (const a of actors) {
    if (!out.has(a)) out.set(a, SYSTEM[lang][a] ?? a);
  }
  return out;
}
