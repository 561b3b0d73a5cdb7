/** Form posts: parsed with zod (SPEC §4: every input validated), amounts typed in euros. */
import type { z } from 'zod';
import type { DashContext } from '../context.ts';

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
  const result = schema.safeParse(await formOf(c));
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, fields: [...new Set(result.error.issues.map((i) => String(i.path[0] ?? '')))] };
}

/** "12,50", "12.5", "12 €", "-3" → cents; null when not an amount. */
export function parseEuros(raw: string): number | null {
  const s = raw.replace(/[\s\u00a0€]/g, '').replace(',', '.');
  if (!/^-?\d{1,7}(\.\d{1,2})?$/.test(s)) return null;
  const [units, decimals = ''] = s.replace('-', '').split('.');
  const cents = Number(units) * 100 + Number(decimals.padEnd(2, '0'));
  return s.startsWith('-') ? -cents : cents;
}

/** A list field (checkboxes): always an array. */
export function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' && v !== '' ? [v] : [];
}
