/** What every CLI command gets (issue #5): the database, the environment, and output streams. */
import { writeFileSync } from 'node:fs';
import type { Db } from '../db/client.ts';
import type { Env } from '../server/env.ts';

export interface CliContext {
  db: Db;
  env: Env;
  now: Date;
  /** the command's result (a file's content, JSON, a secret shown once) */
  out: (text: string) => void;
  /** progress and messages for people, on stderr */
  say: (text: string) => void;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  /** option names taking a value; flags are the others */
  options: Record<string, { type: 'string' | 'boolean'; help: string }>;
  run(
    ctx: CliContext,
    positionals: string[],
    values: Record<string, string | boolean | undefined>,
  ): Promise<void>;
}

/** A user mistake: printed as one line, exit code 2. */
export class UsageError extends Error {}

export function need(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** Writes to --out if given (and says so), else to stdout. */
export function emit(
  ctx: CliContext,
  content: string,
  out: string | boolean | undefined,
  what: string,
): void {
  if (typeof out === 'string' && out !== '') {
    writeFileSync(out, content);
    ctx.say(`${what} written to ${out}`);
  } else {
    ctx.out(content);
  }
}
