/** The setup words for the request's language (kept out of the shared Dict to avoid conflicts). */
import type { DashContext } from '../context.ts';
import { setupEn } from './setup-en.ts';
import { setupFr } from './setup-fr.ts';

export type SetupDict = typeof setupFr;

export function setupWords(c: DashContext): SetupDict {
  return c.var.lang === 'en' ? setupEn : setupFr;
}
