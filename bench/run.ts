// The bench driver: `node --import tsx bench/run.ts [name…] [--option…]` runs the named benchmarks (all by default).
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchmarkModule } from './lib/benchmark.js';
import { writeIndex, writeReport } from './lib/results.js';

/** Every benchmark, in the order `npm run bench` runs them. Adding one is adding a line. */
const BENCHMARKS: Record<string, () => Promise<BenchmarkModule>> = {
  core: () => import('./core.bench.js'),
  server: () => import('./server.bench.js'),
  fleet: () => import('./fleet.bench.js'),
  'log-parse': () => import('./log-parse.bench.js'),
  postgres: () => import('./postgres.bench.js'),
  // The fleet benchmark through the shared Postgres store and 4 queue worker processes (--fleet-workers=N).
  'fleet-postgres': async () => {
    const fleet = await import('./fleet.bench.js');
    return { run: (ctx) => fleet.run({ ...ctx, args: ['--fleet-store=postgres', ...ctx.args] }) };
  },
  supply: () => import('./supply.bench.js'),
};

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const resultsDir = join(benchDir, 'results');
const workDir = join(benchDir, 'work');

async function main(argv: readonly string[]): Promise<number> {
  const names = argv.filter((arg) => !arg.startsWith('-'));
  const options = argv.filter((arg) => arg.startsWith('-'));
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`,
    );
    return 2;
  }
  await mkdir(workDir, { recursive: true });
  let failed = 0;
  for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) {
    const started = Date.now();
    const progress = (line: string): void => {
      process.stderr.write(`[${name} +${Math.round((Date.now() - started) / 1000)}s] ${line}\n`);
    };
    try {
      const benchmark = await BENCHMARKS[name]!();
      const report = await benchmark.run({ root, workDir, args: options, progress });
      await writeReport(resultsDir, report);
      progress(`wrote bench/results/${report.name}.json and ${report.name}.md — ${report.summary}`);
    } catch (error) {
      failed += 1;
      progress(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  await writeIndex(resultsDir);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
