/**
 * A Firmata IO object for simulations and tests: mock-firmata's MockFirmata (johnny-five's own
 * test seam), plus what MockFirmata leaves out: it remembers the value written to each pin and
 * lets a test drive digital and analog inputs the way firmata.js reports them
 * (`digital-read-N`, `analog-read-N` events).
 */
import type { FirmataLike } from 'johnny-five';
import mockFirmata from 'mock-firmata';

export class SimulatedFirmata extends mockFirmata.Firmata {
  /** Emits the events a real board sends once its firmware answered; call before use. */
  boot(): this {
    queueMicrotask(() => {
      this.emit('connect');
      this.emit('ready');
    });
    return this;
  }

  /** The last value written to a digital pin (1 HIGH, 0 LOW). */
  pinValue(pin: number): number {
    return this.pins[pin]?.value ?? 0;
  }

  override digitalWrite(pin: number, value: number): void {
    const p = this.pins[pin];
    if (p) p.value = value;
  }

  override digitalRead(pin: number, cb: (value: number) => void): void {
    this.on(`digital-read-${pin}`, cb);
  }

  override analogRead(pin: number, cb: (value: number) => void): void {
    this.on(`analog-read-${pin}`, cb);
  }

  /** Drives a digital input as the board would report it. */
  setDigitalInput(pin: number, value: 0 | 1): void {
    this.emit(`digital-read-${pin}`, value);
  }

  /** Drives an analog input (channel number, A0 = 0), 0..1023. */
  setAnalogInput(channel: number, value: number): void {
    this.emit(`analog-read-${channel}`, value);
  }
}

export type { FirmataLike };
