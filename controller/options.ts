/** The Controller's options (controller.ts). */
import type { Clock } from './clock.ts';
import type { ControllerConfig } from './config.ts';
import type { ControllerEvent } from './events.ts';
import type { MachineIo } from './machine-io.ts';

export interface ControllerOptions {
  config: ControllerConfig;
  machine: MachineIo;
  /** one clock for wall and monotonic time (tests; older option), ms */
  now?: () => number;
  /** wall + monotonic clocks (default: Date.now and performance.now); wins over `now` */
  clock?: Clock;
  /** how often session limits are checked, ms (default 1000) */
  tickMs?: number;
  /** MQTT reconnect period, ms (default 2000) */
  reconnectPeriodMs?: number;
  /** an armed certify/enrol mode falls back to `use` after this long, ms (default 30 000) */
  modeResetMs?: number;
  /** first resend of an event the server has not acknowledged, ms (default 20 000; delivery.ts) */
  resendAfterMs?: number;
  /** longest wait between resends, ms (default 300 000) */
  resendMaxMs?: number;
  /** outbox bound (default 1000 events; outbox.ts says what is dropped) */
  outboxMaxEntries?: number;
  onEvent?: (event: ControllerEvent) => void;
}
