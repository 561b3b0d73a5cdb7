/**
 * The events a board publishes outside the session's runtime/end (issue #6): `report` (a
 * problem; the machine goes to maintenance) and `material` (consumables used in the open
 * session), validated against the contract before they reach the outbox.
 */
import { randomUUID } from 'node:crypto';
import {
  type EndEvent,
  endEventSchema,
  type MaterialEvent,
  materialEventSchema,
  type ReportEvent,
  type RuntimeEvent,
  reportEventSchema,
  runtimeEventSchema,
} from '../core/mqtt-contract.ts';

export type EventKind = 'runtime' | 'end' | 'report' | 'material';
export type DeviceEvent = RuntimeEvent | EndEvent | ReportEvent | MaterialEvent;

const EVENT_SCHEMAS = {
  runtime: runtimeEventSchema,
  end: endEventSchema,
  report: reportEventSchema,
  material: materialEventSchema,
} as const;

/** The exact payload to publish; throws on an event the contract refuses (a bug: fail secure). */
export function eventPayload(kind: EventKind, event: DeviceEvent): string {
  return JSON.stringify(EVENT_SCHEMAS[kind].parse(event));
}

export function reportEvent(note: string | undefined, at: string): ReportEvent {
  const text = note?.trim().slice(0, 500);
  return { eventId: randomUUID(), ...(text ? { note: text } : {}), at };
}

/** A material event, or null when the id (a slug) or the quantity (a positive integer) is invalid. */
export function materialEvent(
  sessionId: string,
  materialId: string,
  quantity: number,
  at: string,
): MaterialEvent | null {
  const parsed = materialEventSchema.safeParse({
    eventId: randomUUID(),
    sessionId,
    materialId,
    quantity,
    at,
  });
  return parsed.success ? parsed.data : null;
}
