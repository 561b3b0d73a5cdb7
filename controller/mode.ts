/**
 * The badge mode of the reader (issue #6): the mode button (or `selectMode`) arms `certify` /
 * `enrol` for the next badge only; it falls back to `use` after that badge or `resetMs`.
 */
import type { BadgeMode } from '../core/mqtt-contract.ts';

const NEXT_MODE: Record<BadgeMode, BadgeMode> = { use: 'certify', certify: 'enrol', enrol: 'use' };

export type ModeChange = 'button' | 'selected' | 'used' | 'timeout';

export class ModeSelector {
  #mode: BadgeMode = 'use';
  #timer: NodeJS.Timeout | null = null;
  readonly #resetMs: number;
  readonly #onChange: (mode: BadgeMode, why: ModeChange) => void;

  constructor(resetMs: number, onChange: (mode: BadgeMode, why: ModeChange) => void) {
    this.#resetMs = resetMs;
    this.#onChange = onChange;
  }

  get mode(): BadgeMode {
    return this.#mode;
  }

  pressButton(): BadgeMode {
    this.set(NEXT_MODE[this.#mode], 'button');
    return this.#mode;
  }

  /** The mode a badge read now carries (`explicit` wins); an armed mode serves one badge. */
  consume(explicit: BadgeMode | undefined): BadgeMode {
    const mode = explicit ?? this.#mode;
    if (this.#mode !== 'use') this.set('use', 'used');
    return mode;
  }

  set(mode: BadgeMode, why: ModeChange): void {
    this.clear();
    this.#mode = mode;
    if (mode !== 'use') {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.set('use', 'timeout');
      }, this.#resetMs);
    }
    this.#onChange(mode, why);
  }

  clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
