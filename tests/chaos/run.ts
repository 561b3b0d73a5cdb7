/**
 * `npm run chaos` (issue #10): the deterministic simulation over many seeds, split across
 * worker processes, with progress, the count and the time, and the first failing seed to
 * replay. `npm run chaos -- --processes` runs the real server and simulated boards instead,
 * killing the server at random moments (tests/chaos/processes.ts).
 *
 *   npm run chaos                          10,000 seeds on 2 workers (PGlite, or DATABASE_URL)
 *   npm run chaos -- --seeds 500 --from 9000
 *   npm run chaos -- --seed 4242           replay one seed, with its error
 *   npm run chaos -- --processes [--sessions 200 --boards 50]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const argsSchema = z.object({
  seeds: z.coerce.number().int().positive().max(1_000_000).default(10_000),
  from: z.coerce.number().int().nonnegative().default(1),
  seed: z.coerce.number().int().nonnegative().optional(),
  steps: z.coerce.number().int().positive().max(10_000).default(40),
  workers: z.coerce.number().int().positive().max(16).default(2),
  faultRate: z.coerce.number().min(0).max(1).default(0.15),
  worker: z.boolean().default(false),
  processes: z.boolean().default(false),
  sessions: z.coerce.number().int().positive().max(10_000).default(200),
  boards: z.coerce.number().int().positive().max(500).default(50),
});

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    from: { type: 'string' },
    seed: { type: 'string' },
    steps: { type: 'string' },
    workers: { type: 'string' },
    'fault-rate': { type: 'string' },
    worker: { type: 'boolean' },
    processes: { type: 'boolean' },
    sessions: { type: 'string' },
    boards: { type: 'string' },
  },
});
const parsed = argsSchema.safeParse({ ...values, faultRate: values['fault-rate'] });
if (!parsed.success) {
  console.error(`chaos: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  process.exit(2);
}
const args = parsed.data;

if (args.processes) {
  const { runProcessChaos } = await import('./processes.ts');
  process.exit((await runProcessChaos({ sessions: args.sessions, boards: args.boards })) ? 0 : 1);
} else if (args.worker) {
  await worker(args.from, args.seeds);
} else if (args.seed !== undefined) {
  process.exit((await replay(args.seed)) ? 0 : 1);
} else {
  process.exit((await coordinate()) ? 0 : 1);
}

/** One seed, in this process, with the whole error. */
async function replay(seed: number): Promise<boolean> {
  const { testApp } = await import('../support/test-app.ts');
  const { prepareContext, runSeed } = await import('./sim.ts');
  const t = await testApp();
  try {
    const report = await runSeed(await prepareContext(t), seed, {
      steps: args.steps,
      faultRate: args.faultRate,
    });
    console.log(
      `seed ${seed}: ok (${report.sessions} sessions, ${report.delivered} events applied, ${report.faults} faults injected)`,
    );
    return true;
  } catch (err) {
    console.error(`seed ${seed}: FAILED\n${(err as Error).stack}`);
    return false;
  } finally {
    await t.close();
  }
}

/** A worker: runs its seeds in order, one JSON line per seed on stdout. */
async function worker(from: number, count: number): Promise<void> {
  const { testApp } = await import('../support/test-app.ts');
  const { prepareContext, runSeed } = await import('./sim.ts');
  const t = await testApp();
  const ctx = await prepareContext(t);
  for (let seed = from; seed < from + count; seed++) {
    try {
      const r = await runSeed(ctx, seed, { steps: args.steps, faultRate: args.faultRate });
      process.stdout.write(`${JSON.stringify({ seed, ok: true, faults: r.faults, sessions: r.sessions })}\n`);
    } catch (err) {
      process.stdout.write(`${JSON.stringify({ seed, ok: false, error: (err as Error).message })}\n`);
      break;
    }
  }
  await t.close();
}

/** Splits the seeds between workers, shows progress, prints the summary. */
async function coordinate(): Promise<boolean> {
  const started = performance.now();
  const per = Math.ceil(args.seeds / args.workers);
  const me = fileURLToPath(import.meta.url);
  let done = 0;
  let faults = 0;
  let sessions = 0;
  const failures: { seed: number; error: string }[] = [];
  const last = args.from + args.seeds - 1;
  console.log(
    `chaos: seeds ${args.from}..${last} (${args.seeds}), ${args.steps} steps each, fault rate ${args.faultRate}, ${args.workers} workers, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`,
  );
  const progress = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    console.log(`  ${done}/${args.seeds} seeds, ${failures.length} failed, ${s.toFixed(0)} s`);
  }, 10_000);
  const runs: Promise<void>[] = [];
  for (let w = 0; w < args.workers; w++) {
    const from = args.from + w * per;
    const count = Math.min(per, last - from + 1);
    if (count <= 0) continue;
    runs.push(
      new Promise<void>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            me,
            '--worker',
            '--from',
            String(from),
            '--seeds',
            String(count),
            '--steps',
            String(args.steps),
            '--fault-rate',
            String(args.faultRate),
          ],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let buffer = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString('utf8');
          for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            try {
              const msg = JSON.parse(line) as {
                seed: number;
                ok: boolean;
                error?: string;
                faults?: number;
                sessions?: number;
              };
              done++;
              faults += msg.faults ?? 0;
              sessions += msg.sessions ?? 0;
              if (!msg.ok) failures.push({ seed: msg.seed, error: msg.error ?? '' });
            } catch {
              process.stdout.write(`${line}\n`);
            }
          }
        });
        child.on('exit', (code) => {
          if (code !== 0 && failures.length === 0)
            failures.push({ seed: from, error: `worker exited with ${code}` });
          resolve();
        });
      }),
    );
  }
  await Promise.all(runs);
  clearInterval(progress);
  const seconds = (performance.now() - started) / 1000;
  failures.sort((a, b) => a.seed - b.seed);
  console.log(
    `chaos: ${done} seeds run in ${seconds.toFixed(1)} s (${sessions} sessions, ${faults} faults injected), ${failures.length} failed`,
  );
  const first = failures[0];
  if (first !== undefined) {
    console.log(
      `first failing seed: ${first.seed}\n  ${first.error}\n  replay: npm run chaos -- --seed ${first.seed}`,
    );
    return false;
  }
  return done === args.seeds;
}
