/**
 * The audit log as the admin reads it (issue #12 item 9): filtered by actor, action, kind of
 * thing and days, newest first, with the actor and the thing changed by name.
 */
import { and, count, desc, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { auditLog, machines, members, qualifications, staff } from '../db/schema.ts';

const CODE = /^[a-z][a-z0-9_]{0,63}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const auditFilterSchema = z.object({
  actor: z
    .string()
    .regex(/^[a-z]+(:[A-Za-z0-9_.@-]{1,200})?$/)
    .optional(),
  action: z.string().regex(CODE).optional(),
  entity: z.string().regex(CODE).optional(),
  from: z.string().regex(DAY).optional(),
  until: z.string().regex(DAY).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});

export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  entity?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

function whereOf(f: AuditFilter): SQL | undefined {
  const parts: SQL[] = [];
  if (f.actor) parts.push(sql`${auditLog.actor} = ${f.actor}`);
  if (f.action) parts.push(sql`${auditLog.action} = ${f.action}`);
  if (f.entity) parts.push(sql`${auditLog.entity} = ${f.entity}`);
  if (f.from) parts.push(gte(auditLog.at, f.from));
  if (f.to) parts.push(lt(auditLog.at, f.to));
  return parts.length > 0 ? and(...parts) : undefined;
}

export async function findAudit(db: DbOrTx, f: AuditFilter, page: { limit: number; offset: number }) {
  const where = whereOf(f);
  const items = await db
    .select()
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.id))
    .limit(page.limit)
    .offset(page.offset);
  const [total] = await db.select({ n: count() }).from(auditLog).where(where);
  return { items, total: Number(total?.n ?? 0) };
}

/** What the filters offer: the actors, actions and kinds of thing the log holds. */
export async function auditChoices(db: DbOrTx) {
  const distinct = async (column: SQL<string>) =>
    (await db.selectDistinct({ v: column }).from(auditLog).orderBy(column).limit(500)).map((r) => r.v);
  return {
    actors: await distinct(sql<string>`${auditLog.actor}`),
    actions: await distinct(sql<string>`${auditLog.action}`),
    entities: await distinct(sql<string>`${auditLog.entity}`),
  };
}

/** `entity:id` → the thing's name, for members, machines, staff and qualifications. */
export async function entityNames(
  db: DbOrTx,
  rows: readonly { entity: string; entityId: string | null }[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ids = (entity: string) => [
    ...new Set(rows.filter((r) => r.entity === entity && r.entityId).map((r) => r.entityId as string)),
  ];
  const tables = [
    ['member', members],
    ['machine', machines],
    ['staff', staff],
    ['qualification', qualifications],
  ] as const;
  for (const [entity, table] of tables) {
    const wanted = ids(entity);
    if (wanted.length === 0) continue;
    const found = await db
      .select({ id: table.id, name: table.name })
      .from(table)
      .where(inArray(table.id, wanted));
    for (const r of found) out.set(`${entity}:${r.id}`, r.name);
  }
  return out;
}
