/**
 * Small-count suppression for anonymous aggregates (issue #5): a count from 1 to threshold−1
 * could single a person out, so it is shown as null. When a breakdown's total is published,
 * one hidden cell could be recovered by subtraction, so the next smallest non-zero cell is
 * hidden too (secondary suppression). Zero stays visible: it reveals nobody. Pure.
 */

export const DEFAULT_MIN_COUNT = 5;

export function suppressCount(n: number, threshold = DEFAULT_MIN_COUNT): number | null {
  return n > 0 && n < threshold ? null : n;
}

export function suppressBreakdown<K extends string>(
  counts: Record<K, number>,
  threshold = DEFAULT_MIN_COUNT,
): Record<K, number | null> {
  const keys = Object.keys(counts) as K[];
  const out = {} as Record<K, number | null>;
  for (const k of keys) out[k] = suppressCount(counts[k], threshold);
  const hidden = keys.filter((k) => out[k] === null);
  if (hidden.length === 1) {
    const next = keys
      .filter((k) => out[k] !== null && counts[k] > 0)
      .sort((a, b) => counts[a] - counts[b])[0];
    if (next !== undefined) out[next] = null;
  }
  return out;
}
