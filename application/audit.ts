/** The audit log (issue #2): who changed what, before and after. Never secrets or hashes. */
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { auditLog } from '../db/schema.ts';

/** `staff:<id>`, `member:<id>`, or `system`. */
export type Actor = string;

const SECRET_KEYS = new Set([
  'passwordHash',
  'uidHash',
  'offlineHash',
  'secretHash',
  'tokenHash',
  'token',
  'secret',
]);

/** Copies a row without its secret fields, as JSON-safe values. */
export function redact(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!SECRET_KEYS.has(k)) out[k] = redact(v);
    return out;
  }
  return value;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  entity: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

export async function audit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actor: entry.actor,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId,
    before: redact(entry.before),
    after: redact(entry.after),
  });
}

export interface AuditQuery {
  entity?: string | undefined;
  entityId?: string | undefined;
  limit: number;
  offset: number;
}

export async function listAudit(db: DbOrTx, q: AuditQuery) {
  const where: SQL[] = [];
  if (q.entity) where.push(eq(auditLog.entity, q.entity));
  if (q.entityId) where.push(eq(auditLog.entityId, q.entityId));
  const filter = where.length > 0 ? and(...where) : undefined;
  const items = await db
    .select()
    .from(auditLog)
    .where(filter)
    .orderBy(desc(auditLog.id))
    .limit(q.limit)
    .offset(q.offset);
  const [total] = await db.select({ n: count() }).from(auditLog).where(filter);
  return {
    items: items.map((r) => ({ ...r, id: String(r.id) })),
    total: total?.n ?? 0,
    limit: q.limit,
    offset: q.offset,
  };
}
