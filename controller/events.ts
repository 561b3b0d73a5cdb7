/** What the controller tells its observers (CLI lines in messages.ts, tests, the simulator). */
import type { BadgeMode, DecisionReason, EndReason } from '../core/mqtt-contract.ts';

export type ControllerEvent =
  | { type: 'connected' }
  | { type: 'disconnected' }
  | { type: 'mqtt_error'; message: string }
  | { type: 'invalid_badge'; raw: string }
  /** `takeover`: sent during an open session (a grant would replace it) */
  | { type: 'request'; uid: string; requestId: string; mode: BadgeMode; takeover: boolean }
  | { type: 'ignored_badge'; uid: string; why: 'busy' | 'pending' | 'fault' }
  | { type: 'denied'; uid: string; reason: string; offline: boolean; message?: string; check?: string }
  /** what the reader shows for an online decision (issue #6): every reason, message and check */
  | {
      type: 'display';
      uid: string;
      granted: boolean;
      reason: DecisionReason;
      message?: string;
      check?: string;
    }
  /** the mode of the next badge changed (button, selectMode, used by a badge, or timed out) */
  | { type: 'mode'; mode: BadgeMode; why: 'button' | 'selected' | 'used' | 'timeout' }
  | {
      type: 'session_open';
      sessionId: string;
      uid: string;
      offline: boolean;
      name?: string;
      maxSeconds?: number;
    }
  | {
      type: 'session_end';
      sessionId: string;
      reason: EndReason;
      runningSeconds: number;
      unlockedSeconds?: number;
    }
  | { type: 'relay'; on: boolean }
  | { type: 'running'; running: boolean }
  | { type: 'runtime'; sessionId: string; seq: number; runningSeconds: number; unlockedSeconds: number }
  /** a lock with a grace: the relay opens at `cutAt` (ISO) unless the session ends first */
  | { type: 'warning'; sessionId: string; graceSeconds: number; reason: string; cutAt: string }
  | { type: 'report'; eventId: string; note?: string }
  | { type: 'material'; eventId: string; sessionId: string; materialId: string; quantity: number }
  | {
      type: 'material_refused';
      materialId: string;
      quantity: number;
      why: 'no_session' | 'invalid';
    }
  /** the SERVER stored the event (its `ack`): it left the outbox */
  | { type: 'acked'; eventId: string; topic: string }
  /** the server will never apply this event (invalid): it left the outbox, logged here */
  | { type: 'event_rejected'; eventId: string; kind: string; error?: string }
  /** unacknowledged events published again (after a reconnect, or periodically) */
  | { type: 'resent'; count: number; why: 'reconnect' | 'timer' }
  /** the outbox was full or an event too old: dropped without a server ack (controller/outbox.ts) */
  | { type: 'outbox_dropped'; eventId: string; topic: string; why: 'superseded' | 'full' }
  /** deny by default: an input the session state machine did not expect changed nothing */
  | { type: 'refused'; input: string; state: string; why: string }
  | { type: 'allowlist'; accepted: boolean; reason?: string; entries?: number }
  | { type: 'late_grant_closed'; sessionId: string }
  | { type: 'fault'; message: string };

/** An observer whose exceptions never reach the relay logic. */
export function safeObserver(fn: (event: ControllerEvent) => void): (event: ControllerEvent) => void {
  return (event) => {
    try {
      fn(event);
    } catch {
      // an observer's bug must not reach the relay logic
    }
  };
}
