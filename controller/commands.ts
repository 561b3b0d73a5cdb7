/**
 * Keyboard lines (the `--simulate` console, and a keyboard reader on a real board): a UID badges;
 * `cert <uid>` / `enrol <uid>` badge with that mode (issue #6); `report [note]` reports a problem;
 * `material <materialId> <quantity>` records consumables in the open session; `mode` presses the
 * mode button; `run` / `idle` / `status` / `quit` drive the simulation.
 */
import type { BadgeMode } from '../core/mqtt-contract.ts';

export type KeyboardCommand =
  | { kind: 'badge'; uid: string; mode?: BadgeMode }
  | { kind: 'report'; note?: string }
  | { kind: 'material'; materialId: string; quantity: number }
  | { kind: 'mode' }
  | { kind: 'run' }
  | { kind: 'idle' }
  | { kind: 'status' }
  | { kind: 'quit' }
  | { kind: 'error'; message: string };

const MODE_WORDS: Record<string, BadgeMode> = {
  cert: 'certify',
  certify: 'certify',
  enrol: 'enrol',
  enroll: 'enrol',
  use: 'use',
};

export function parseKeyboardLine(line: string): KeyboardCommand {
  const text = line.trim();
  const [head = '', ...rest] = text.split(/\s+/);
  const word = head.toLowerCase();
  if (rest.length === 0) {
    if (word === 'quit' || word === 'exit') return { kind: 'quit' };
    if (word === 'run' || word === 'idle' || word === 'status' || word === 'mode') return { kind: word };
    if (word === 'report') return { kind: 'report' };
  }
  if (word === 'report') return { kind: 'report', note: text.slice(head.length).trim() };
  if (word === 'material' || word === 'mat') {
    const [materialId, qty, ...extra] = rest;
    const quantity = Number(qty);
    if (!materialId || qty === undefined || extra.length > 0 || !Number.isInteger(quantity) || quantity <= 0)
      return { kind: 'error', message: 'usage: material <materialId> <quantity>' };
    return { kind: 'material', materialId, quantity };
  }
  const mode = MODE_WORDS[word];
  if (mode !== undefined) {
    const [uid, ...extra] = rest;
    if (!uid || extra.length > 0) return { kind: 'error', message: `usage: ${word} <uid>` };
    return { kind: 'badge', uid, mode };
  }
  return { kind: 'badge', uid: text };
}

/** The keyboard help line. */
export const KEYBOARD_HELP =
  'UID | cert UID | enrol UID | mode | report [note] | material <id> <qty> | run | idle | status | quit';
