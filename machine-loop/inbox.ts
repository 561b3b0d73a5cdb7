/**
 * The server's durable inbox of device events (issue #10): a valid runtime, end, report or
 * material event is written here before the broker gets its PUBACK, and deleted once it is
 * applied. After a crash the rows left are applied again at start (events are idempotent by
 * eventId, so one that was in fact applied changes nothing the second time).
 */
import { and, asc, eq, inArray, lt, ne, or } from 'drizzle-orm';
import type { AckedKind } from '../core/mqtt-contract.ts';
import type { Db } from '../db/client.ts';
import { machineInbox } from '../db/schema.ts';

export interface InboxRow {
  id: number;
  machineId: string;
  kind: AckedKind;
  payload: unknown;
}

/** A row older than this whose process is gone is taken over by the next one that starts. */
export const ORPHAN_AGE_MS = 60_000;

export class Inbox {
  constructor(
    private readonly db: Db,
    readonly consumer: string,
  ) {}

  async add(machineId: string, kind: AckedKind, payload: unknown): Promise<number> {
    const rows = await this.db
      .insert(machineInbox)
      .values({ consumer: this.consumer, machineId, kind, payload })
      .returning({ id: machineInbox.id });
    return rows[0]!.id;
  }

  async done(id: number): Promise<void> {
    await this.db.delete(machineInbox).where(eq(machineInbox.id, id));
  }

  /**
   * The rows to apply at start, oldest first: this consumer's, and those of processes gone
   * for a minute (`all`: every row, for a database only this process uses, PGlite).
   */
  async recover(now: Date, all: boolean): Promise<InboxRow[]> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .select({
          id: machineInbox.id,
          consumer: machineInbox.consumer,
          machineId: machineInbox.machineId,
          kind: machineInbox.kind,
          payload: machineInbox.payload,
        })
        .from(machineInbox)
        .where(
          all
            ? undefined
            : or(
                eq(machineInbox.consumer, this.consumer),
                lt(machineInbox.receivedAt, new Date(now.getTime() - ORPHAN_AGE_MS)),
              ),
        )
        .orderBy(asc(machineInbox.id))
        .for('update', { skipLocked: true });
      const taken = rows.filter((r) => r.consumer !== this.consumer).map((r) => r.id);
      if (taken.length > 0) {
        await tx
          .update(machineInbox)
          .set({ consumer: this.consumer })
          .where(and(inArray(machineInbox.id, taken), ne(machineInbox.consumer, this.consumer)));
      }
      return rows.map(({ consumer: _c, ...r }) => r);
    });
  }
}
