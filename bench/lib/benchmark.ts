// The contract between the bench driver (bench/run.ts) and each benchmark module (bench/<name>.bench.ts).

export interface BenchContext {
  /** The repository root (where package.json and bin/cutter.js live). */
  root: string;
  /** Scratch space for generated fixtures (gitignored `bench/work/`), kept between runs as a cache. */
  workDir: string;
  /** Options given after the benchmark names, e.g. `--sizes=1000,10000`; each benchmark reads its own. */
  args: readonly string[];
  /** Progress line to stderr, prefixed with the benchmark's name. */
  progress(line: string): void;
}

export interface BenchReport {
  /** File stem of the results: `bench/results/<name>.json` and `<name>.md`. */
  name: string;
  title: string;
  /** ISO date-time the run finished. */
  date: string;
  /** One line for the results index: the headline figures and whether targets were met. */
  summary: string;
  /** Everything measured, machine-readable. */
  data: Record<string, unknown>;
  /** The human page: tables, targets, notes. */
  markdown: string;
}

/** What a benchmark module exports. */
export interface BenchmarkModule {
  run(context: BenchContext): Promise<BenchReport>;
}
