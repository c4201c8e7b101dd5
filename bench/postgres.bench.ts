// Benchmark of the Postgres store: durable webhook ingest (delivery + task + queue job in one transaction) with
// 1, 2 and 4 worker processes on one Postgres, against the SQLite store in a single process.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../test/postgres-server.js';
import type { BenchContext, BenchReport } from './lib/benchmark.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { runCommand } from './lib/run-command.js';
import { round } from './lib/stats.js';
import { markdownTable } from './lib/table.js';

function option(args: readonly string[], name: string, fallback: number): number {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const value = raw === undefined ? fallback : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

interface Row {
  store: string;
  workers: number;
  deliveries: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Statements sent per stored delivery (each one a round trip; BEGIN/COMMIT count). */
  roundTrips: number;
  /** CPU time of the ingesting processes per stored delivery (the Node side only). */
  cpuMsPerIngest: number;
  load: number;
}

/** Runs `workers` ingesting processes at once against one store for `seconds`, each with `concurrency` in flight. */
async function ingest(
  ctx: BenchContext,
  url: string,
  label: string,
  workers: number,
  seconds: number,
  concurrency: number,
) {
  const script = join(ctx.root, 'bench', 'postgres-ingest.worker.ts');
  const outputs = await Promise.all(
    Array.from({ length: workers }, (_, i) =>
      runCommand(
        process.execPath,
        ['--import', 'tsx', script, url, String(seconds), String(concurrency), `${label}-${workers}-${i}`],
        {
          cwd: ctx.root,
        },
      ),
    ),
  );
  const results = outputs.map(
    (o) =>
      JSON.parse(o.split('\n').at(-1) ?? '{}') as {
        count: number;
        latencies: number[];
        roundTrips: number;
        cpuMs: number;
      },
  );
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const deliveries = results.reduce((sum, r) => sum + r.count, 0);
  return {
    deliveries,
    perSecond: round(deliveries / seconds, 0),
    p50: round(percentile(latencies, 50), 2),
    p99: round(percentile(latencies, 99), 2),
    roundTrips: round(results.reduce((sum, r) => sum + r.roundTrips, 0) / Math.max(1, deliveries), 2),
    cpuMsPerIngest: round(results.reduce((sum, r) => sum + r.cpuMs, 0) / Math.max(1, deliveries), 3),
  };
}

export async function run(ctx: BenchContext): Promise<BenchReport> {
  const seconds = option(ctx.args, 'seconds', 10);
  const concurrency = option(ctx.args, 'concurrency', 8);
  const rows: Row[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'cutter-bench-pg-'));
  ctx.progress('starting a durable Postgres (fsync on)');
  const server = await startPostgres({ durable: true });
  try {
    const sqlite = await ingest(ctx, `sqlite:${join(dir, 'cutter.db')}`, 'sqlite', 1, seconds, concurrency);
    rows.push({ store: 'SQLite (WAL, synchronous=NORMAL)', workers: 1, ...sqlite, load: round(loadavg()[0] ?? 0, 1) });
    ctx.progress(`sqlite: ${sqlite.perSecond}/s p99 ${sqlite.p99} ms`);
    for (const [workers, commit] of [
      [1, 'on'],
      [2, 'on'],
      [4, 'on'],
      [1, 'off'],
      [2, 'off'],
      [4, 'off'],
    ] as const) {
      const url = await server.createDatabase();
      // off = SQLite NORMAL's guarantee: a killed process loses nothing, a power cut may lose the last commits.
      await server.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET synchronous_commit = ${commit}`);
      // Migrate once before the clock starts, as a deployed database would be.
      await runCommand(
        process.execPath,
        ['--import', 'tsx', join(ctx.root, 'bench', 'postgres-ingest.worker.ts'), url, '0.01', '1', 'warm'],
        {
          cwd: ctx.root,
        },
      );
      const pg = await ingest(ctx, url, 'pg', workers, seconds, concurrency);
      const store = `Postgres 15 + graphile-worker job, synchronous_commit=${commit}`;
      rows.push({ store, workers, ...pg, load: round(loadavg()[0] ?? 0, 1) });
      ctx.progress(`postgres x${workers} (synchronous_commit=${commit}): ${pg.perSecond}/s p99 ${pg.p99} ms`);
    }
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const machine = machineLine(await machineInfo());
  const table = markdownTable(
    [
      'store',
      'worker processes',
      'deliveries stored',
      'per second',
      'p50 ms',
      'p99 ms',
      'round trips / ingest',
      'client CPU ms / ingest',
      'load (1 min)',
    ],
    rows.map((r) => [
      r.store,
      r.workers,
      r.deliveries,
      r.perSecond,
      r.p50,
      r.p99,
      r.roundTrips,
      r.cpuMsPerIngest,
      r.load,
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const pg4 = rows.find((r) => r.workers === 4 && r.store.endsWith('=off'));
  const sqlite = rows[0];
  const summary = `durable ingest: SQLite 1 process ${sqlite?.perSecond}/s p99 ${sqlite?.p99} ms; Postgres 4 workers (synchronous_commit=off) ${pg4?.perSecond}/s p99 ${pg4?.p99} ms`;
  const markdown = `# Postgres store: durable webhook ingest

What is measured: the part of a webhook's acknowledgement that waits on the store — \`ingestDelivery\`, which
writes the delivery row, its task and (Postgres) its graphile-worker job in one transaction, before the 202. Each
worker process runs ${concurrency} ingests in flight in a closed loop for ${seconds} s; latencies are per call. The
HTTP receiver and signature check are not in this figure (see server.md for the full HTTP ack on SQLite).
Postgres runs locally on the same 2 cores (shared with the other engineers' work), fsync on, started by the test
harness. \`synchronous_commit=on\` waits for the WAL fsync of every commit (SQLite's FULL); \`off\` gives SQLite
NORMAL's guarantee (a killed process loses nothing; a power cut may lose the last fraction of a second).

${table}

Machine: ${machine}

An ingest is one prepared statement (delivery, task and job; \`round trips / ingest\` counts the statements the
pg clients sent). What still serializes the commits of several workers is graphile-worker's \`add_job\`: it
issues a NOTIFY, and Postgres holds one database-wide lock from a notifying transaction's commit until its WAL
flush, so notifying commits cannot share an fsync.

The 1,000-repository fleet run with 4 queue worker processes on Postgres is \`npm run bench -- fleet-postgres\`
(bench/results/fleet-postgres.md).
`;
  return {
    name: 'postgres',
    title: 'Postgres store: ingest with 1, 2 and 4 workers',
    date: new Date().toISOString(),
    summary,
    data: { seconds, concurrency, rows, machine },
    markdown,
  };
}
