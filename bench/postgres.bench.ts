// Benchmark of the Postgres store: durable webhook ingest (delivery + task + queue job in one transaction) with
// 1, 2 and 4 worker processes on one Postgres, and the full HTTP acknowledgement of 1, 2 and 4 `cutter serve`
// processes on one Postgres database, each against the SQLite store in a single process.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createSandbox } from '../src/sandbox/server.js';
import { type PostgresServer, startPostgres } from '../test/postgres-server.js';
import type { BenchContext, BenchReport } from './lib/benchmark.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { nonNegativeOption, positiveOption } from './lib/options.js';
import { runCommand } from './lib/run-command.js';
import { BENCH_GITHUB_TOKEN, type Serve, startServe, stopServe } from './lib/serve-process.js';
import { percentile, round } from './lib/stats.js';
import { steadyLoad } from './lib/steady-load.js';
import { markdownTable } from './lib/table.js';

/** The issue's target for the SQLite server's acknowledgement; the Postgres rows are reported against nothing. */
const TARGET_P99_MS = 20;
/** Before each measured run: a second of pushes at a modest rate, stored too, not counted. */
const WARMUP_RATE = 100;
const WARMUP_SECONDS = 1;

/** `--NAME=0` is allowed here: it turns the run off. */

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

interface AckRow {
  store: string;
  serves: number;
  offeredPerS: number;
  requests: number;
  accepted2xx: number;
  non2xx: number;
  errors: number;
  throughputPerS: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Rows in the deliveries table afterwards: every request has a unique delivery id, so this must be `requests`. */
  deliveriesStored: number;
  /** CPU of all serve processes (HTTP and engine; not Postgres's backends) per request. */
  serveCpuMsPerRequest: number;
  generatorCpuMsPerRequest: number;
  load: number;
}

async function countDeliveries(store: string): Promise<number> {
  if (store.startsWith('postgres://')) {
    const client = new pg.Client({ connectionString: store });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM cutter.deliveries');
      return rows[0]?.n ?? 0;
    } finally {
      await client.end();
    }
  }
  const db = new Database(store, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM deliveries').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * `serves` fresh `cutter serve` processes on `store` (started one after the other: the first migrates, before the
 * clock starts), the open-loop generator round-robin across their webhook URLs, then the deliveries counted.
 */
async function acknowledgements(
  ctx: BenchContext,
  options: { store: string; label: string; serves: number; rate: number; seconds: number; apiUrl: string; dir: string },
): Promise<AckRow> {
  const serves: Serve[] = [];
  try {
    for (let i = 0; i < options.serves; i++) {
      const probeFile = join(options.dir, `probe-${options.label}-${options.rate}-${options.serves}-${i}`);
      serves.push(await startServe({ root: ctx.root, store: options.store, apiUrl: options.apiUrl, probeFile }));
    }
    const urls = serves.map((s) => `${s.url}/webhooks/github`);
    // A deployed server has been answering for a while: its Postgres pool connected, its code paths compiled.
    await steadyLoad(ctx.root, urls, WARMUP_RATE, WARMUP_SECONDS);
    const before = await countDeliveries(options.store);
    const load = round(loadavg()[0] ?? 0, 1);
    for (const serve of serves) await serve.probe.begin();
    const measured = await steadyLoad(ctx.root, urls, options.rate, options.seconds);
    let serveCpuMs = 0;
    for (const serve of serves) serveCpuMs += (await serve.probe.end()).probe.processCpuMs;
    await Promise.all(serves.map(stopServe));
    const perRequest = (ms: number) => round(ms / Math.max(1, measured.requests), 3);
    return {
      store: options.label,
      serves: options.serves,
      offeredPerS: options.rate,
      requests: measured.requests,
      accepted2xx: measured.accepted2xx,
      non2xx: measured.non2xx,
      errors: measured.errors,
      throughputPerS: measured.throughputPerS,
      p50Ms: measured.p50Ms,
      p90Ms: measured.p90Ms,
      p99Ms: measured.p99Ms,
      maxMs: measured.maxMs,
      deliveriesStored: (await countDeliveries(options.store)) - before,
      serveCpuMsPerRequest: perRequest(serveCpuMs),
      generatorCpuMsPerRequest: measured.generatorProcess.cpuMsPerRequest,
      load,
    };
  } finally {
    await Promise.all(serves.map(stopServe));
  }
}

/**
 * At each offered rate: the SQLite single process, then 1, 2 and 4 serve processes on one Postgres database (a fresh
 * one per row) for each `synchronous_commit` setting asked for.
 */
async function ackRows(
  ctx: BenchContext,
  server: PostgresServer,
  dir: string,
  options: {
    rates: readonly { rate: number; seconds: number }[];
    commits: readonly ('on' | 'off')[];
  },
) {
  const { rates } = options;
  const configs = [
    { serves: 1, commit: null },
    ...options.commits.flatMap((commit) => [1, 2, 4].map((serves) => ({ serves, commit }))),
  ];
  const sandbox = await createSandbox({
    root: join(dir, 'sandbox'),
    tokens: { [BENCH_GITHUB_TOKEN]: { orgs: '*' } },
  });
  const { url: apiUrl } = await sandbox.listen();
  sandbox.createOrg('acme');
  const rows: AckRow[] = [];
  try {
    for (const { rate, seconds } of rates) {
      for (const { serves, commit } of configs) {
        // No commit setting = the SQLite reference: one process, a fresh file.
        const store = commit === null ? join(dir, `ack-${rate}.db`) : await server.createDatabase();
        if (commit !== null)
          await server.query(`ALTER DATABASE ${new URL(store).pathname.slice(1)} SET synchronous_commit = ${commit}`);
        const label =
          commit === null ? 'SQLite (WAL, synchronous=NORMAL)' : `Postgres 15, synchronous_commit=${commit}`;
        ctx.progress(`HTTP ack: ${label}, ${serves} serve process(es), ${rate}/s for ${seconds} s`);
        const row = await acknowledgements(ctx, {
          store,
          label,
          serves,
          rate,
          seconds,
          apiUrl,
          dir,
        });
        ctx.progress(
          `  ${row.accepted2xx}/${row.requests} 2xx, ${row.throughputPerS}/s, p50 ${row.p50Ms} / p99 ${row.p99Ms} / ` +
            `max ${row.maxMs} ms, ${row.deliveriesStored} deliveries stored, serve CPU ${row.serveCpuMsPerRequest} ms/req, load ${row.load}`,
        );
        rows.push(row);
      }
    }
  } finally {
    await sandbox.close();
  }
  return rows;
}

function ackTable(rows: readonly AckRow[]): string {
  return markdownTable(
    [
      'store',
      'serve processes',
      'requests',
      '2xx',
      'non-2xx',
      'errors',
      'throughput achieved/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'deliveries stored',
      'serve CPU ms/req',
      'load (1 min)',
    ],
    rows.map((r) => [
      r.store,
      r.serves,
      r.requests,
      r.accepted2xx,
      r.non2xx,
      r.errors,
      r.throughputPerS,
      r.p50Ms,
      r.p90Ms,
      r.p99Ms,
      r.maxMs,
      r.deliveriesStored === r.requests ? `${r.deliveriesStored}` : `${r.deliveriesStored} (≠ requests)`,
      r.serveCpuMsPerRequest,
      r.load,
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

export async function run(ctx: BenchContext): Promise<BenchReport> {
  const seconds = positiveOption(ctx.args, 'seconds', 10);
  const concurrency = positiveOption(ctx.args, 'concurrency', 8);
  const ackRate = positiveOption(ctx.args, 'ack-rate', 200);
  const ackSeconds = positiveOption(ctx.args, 'ack-seconds', 20);
  // A second, higher offered rate: where the servers stop keeping up, throughput achieved is their capacity.
  const ackMaxRate = nonNegativeOption(ctx.args, 'ack-max-rate', 1000);
  // Shorter by default: a server that falls behind answers the backlog for a long time after the arrivals stop.
  const ackMaxSeconds = positiveOption(ctx.args, 'ack-max-seconds', Math.min(10, ackSeconds));
  const ackRates = [
    { rate: ackRate, seconds: ackSeconds },
    ...(ackMaxRate > 0 && ackMaxRate !== ackRate ? [{ rate: ackMaxRate, seconds: ackMaxSeconds }] : []),
  ];
  // `on` is Postgres's default; `--ack-commit=on,off` adds the rows with SQLite NORMAL's guarantee.
  const ackCommits = (ctx.args.find((a) => a.startsWith('--ack-commit='))?.split('=')[1] ?? 'on')
    .split(',')
    .filter((c): c is 'on' | 'off' => c === 'on' || c === 'off');
  if (ackCommits.length === 0) throw new Error('--ack-commit= takes on and/or off');
  let acks: AckRow[] = [];
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
    acks = await ackRows(ctx, server, dir, { rates: ackRates, commits: ackCommits });
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const info = await machineInfo();
  const machine = machineLine(info);
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
  const atRate = acks.filter((r) => r.offeredPerS === ackRate);
  const atMax = acks.filter((r) => r.offeredPerS === ackMaxRate && ackRates.length > 1);
  const sqliteAck = atRate.find((r) => r.store.startsWith('SQLite'));
  const pgAck = (serves: number, from: readonly AckRow[]) =>
    from.find((r) => r.serves === serves && !r.store.startsWith('SQLite'));
  const exactlyOnce = acks.every((r) => r.deliveriesStored === r.requests);
  const met = (sqliteAck?.p99Ms ?? Number.POSITIVE_INFINITY) < TARGET_P99_MS;
  const summary =
    `durable ingest: SQLite 1 process ${sqlite?.perSecond}/s p99 ${sqlite?.p99} ms; Postgres 4 workers (synchronous_commit=off) ${pg4?.perSecond}/s p99 ${pg4?.p99} ms; ` +
    `HTTP ack at ${ackRate}/s: SQLite p99 ${sqliteAck?.p99Ms} ms (target < ${TARGET_P99_MS} ms: ${met ? 'met' : 'MISSED'}), ` +
    `Postgres (synchronous_commit=${ackCommits[0]}) ${[1, 2, 4].map((n) => `${n} serve${n > 1 ? 's' : ''} p99 ${pgAck(n, atRate)?.p99Ms} ms`).join(', ')}` +
    (atMax.length > 0
      ? `; at ${ackMaxRate}/s offered: SQLite ${atMax.find((r) => r.store.startsWith('SQLite'))?.throughputPerS}/s, Postgres 4 serves ${pgAck(4, atMax)?.throughputPerS}/s`
      : '') +
    `; every delivery stored once: ${exactlyOnce ? 'yes' : 'NO'}`;
  const loads = acks.map((r) => r.load);
  const ackSection = `## HTTP acknowledgement

What is measured: the whole acknowledgement of a webhook by \`cutter serve\` (the built CLI, each process on its
own): the signed push received over HTTP, its signature verified, the delivery and its task (on Postgres also its
graphile-worker job) stored in one transaction, the 202 answered. The load is bench/webhook-load.ts in its own
process, as in server.md's \`steady\` row: signed tag pushes, each with a unique delivery id, arriving open loop
(independent, seeded Poisson arrivals at the offered rate, which a slow server does not slow down), each latency
counted from the moment its request was **due** to the end of its response, so waiting for a free connection (and
for a late timer of the generator) is in it. With several serve processes the requests go to their URLs in turn,
as a round-robin load balancer would send them, over 10 keep-alive connections to each. The engines run the stored
tasks meanwhile (tag pushes, which the classify step skips without API calls; on Postgres as graphile-worker jobs
shared by the processes), as deployed.

Each row starts fresh serve processes on a fresh store: a SQLite file (WAL) for the single-process reference, or a
new database on the Postgres above (fsync on; \`synchronous_commit=${ackCommits.join(' and ')}\`, as in the ingest table, \`on\`
being Postgres's default), migrated by the first serve process, then warmed up with ${WARMUP_RATE * WARMUP_SECONDS} pushes
(${WARMUP_RATE}/s, not counted) before the clock starts. \`throughput achieved\` is the 2xx answers per second of the
run's offered duration, or of the time from the first request's due time to the last response when that is longer
(a server that falls behind). \`deliveries stored\` counts the deliveries table afterwards: every request has its
own delivery id, so it must equal \`requests\` (each stored exactly once) — ${exactlyOnce ? 'it does in every row' : '**it does not in every row**'}.
\`serve CPU ms/req\` is the CPU time of all serve processes (HTTP and engine; not Postgres's own backends) per
request, from /proc. \`load\` is the 1-minute load average before the row (${Math.min(...loads)} to ${Math.max(...loads)} in this run)
on ${info.cpuCount} cores shared by Postgres, the generator, every serve process and other work: read the percentiles
against it (a starved process waits for a core, not for the store).

### ${ackRate} requests/s offered for ${ackSeconds} s

The issue's target, p99 < ${TARGET_P99_MS} ms, applies to the SQLite server's acknowledgement: ${sqliteAck?.p99Ms} ms here, ${met ? 'met' : '**missed**'}.
The Postgres rows are reported as they are.

${ackTable(atRate)}
${
  atMax.length > 0
    ? `
### ${ackMaxRate} requests/s offered for ${ackMaxSeconds} s (throughput)

The same runs at a rate meant to be above what the machine can answer: where a row's throughput achieved stays
below ${ackMaxRate}/s, that is its capacity here, and its latencies are mostly the queue in front of it.

${ackTable(atMax)}
`
    : ''
}`;
  const markdown = `# Postgres store: durable webhook ingest and HTTP acknowledgement

## Ingest (store only)

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

${ackSection}
The 1,000-repository fleet run with 4 queue worker processes on Postgres is \`npm run bench -- fleet-postgres\`
(bench/results/fleet-postgres.md).
`;
  return {
    name: 'postgres',
    title: 'Postgres store: ingest and HTTP ack with 1, 2 and 4 workers',
    date: new Date().toISOString(),
    summary,
    data: {
      seconds,
      concurrency,
      rows,
      ack: {
        runs: ackRates,
        commits: ackCommits,
        connectionsPerServe: 10,
        targetP99Ms: TARGET_P99_MS,
        exactlyOnce,
        rows: acks,
      },
      machine,
    },
    markdown,
  };
}
