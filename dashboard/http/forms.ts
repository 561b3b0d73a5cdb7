/** Form posts: parsed with zod (SPEC §4: every input validated), amounts typed in euros. */
import type { z } from 'zod';
import type { DashContext } from '../context.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters being refused
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export async function formOf(c: DashContext): Promise<Record<string, string | string[]>> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

export async function parseForm<T extends z.ZodType>(
  c: DashContext,
  schema: T,
): Promise<{ ok: true; data: z.infer<T> } | { ok: false; fields: string[] }> {
  const form = await formOf(c);
  // Issue #9: no control characters in any text field (as on the API), tab and line breaks aside.
  const controls = Object.keys(form).filter((k) => [form[k]].flat().some((v) => CONTROL.test(v ?? '')));
  if (controls.length > 0) return { ok: false, fields: controls };
  const result = schema.safeParse(form);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, fields: [...new Set(result.error.issues.map((i) => String(i.path[0] ?? '')))] };
}

/** Amounts typed in a form, as cents (core/euros.ts: the CLI reads them the same way). */
export { parseEuros } from '../../core/euros.ts';

/** A list field (checkboxes): always an array. */
export function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' && v !== '' ? [v] : [];
}
