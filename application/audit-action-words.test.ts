/**
 * Every audit action code written in the source has words in French and English (issue #12
 * item 9: the audit log page showed raw codes such as declare_lost, renew, topup). Scans the
 * source: literal `action: '…'` values (including ternaries), the member changes' action
 * argument, the money kinds and the HelloAsso payment statuses, which are audited by template.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helloassoPayments } from '../db/schema.ts';
import { AUDIT_ACTION_WORDS } from './words.ts';

const ROOT = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

function actionCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of [
    ...sources('application'),
    ...sources('api'),
    ...sources('cli'),
    ...sources('machine-loop'),
  ]) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('audit(') && !text.includes('changeMember(')) continue;
    // The value up to the next property (`, entity:`) or line end; ternaries give several.
    for (const m of text.matchAll(/\baction: (.*?)(?:, [a-zA-Z]+:|,?\s*$)/gm)) {
      // `action: kind` / `action: entry.action` are variables, covered below.
      for (const lit of m[1]!.matchAll(/(?<![=!]== )'([a-z_]+)'/g)) codes.add(lit[1]!);
    }
    for (const m of text.matchAll(/changeMember\(\s*ctx,[^,]+,\s*'([a-z_]+)'/g)) codes.add(m[1]!);
  }
  // money.ts audits `action: kind` for the three hand-made movements.
  for (const kind of ['topup', 'refund', 'adjustment']) codes.add(kind);
  // helloasso/payments.ts audits `helloasso_${status}`.
  for (const status of helloassoPayments.status.enumValues) codes.add(`helloasso_${status}`);
  codes.delete('unchanged'); // member-import's preview row, never audited
  return codes;
}

describe('audit action words', () => {
  const codes = actionCodes();

  it('finds the codes the audit log showed raw', () => {
    for (const c of ['declare_lost', 'first_run', 'renew', 'topup', 'suspend', 'reset_sign_in_throttle'])
      expect(codes).toContain(c);
  });

  it.each(['fr', 'en'] as const)('every code has a word in %s', (lang) => {
    const missing = [...codes].filter((c) => AUDIT_ACTION_WORDS[lang][c] === undefined);
    expect(missing).toEqual([]);
  });

  it('French and English cover the same codes', () => {
    expect(Object.keys(AUDIT_ACTION_WORDS.en).sort()).toEqual(Object.keys(AUDIT_ACTION_WORDS.fr).sort());
  });
});
