// Fleet benchmark: a generated org (default 1,000 connectors, about half pending) on a time-scaled sandbox; reads,
// writes, secondary-limit 403s and wall time against the floor the content-creation limit imposes.

import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runFleet } from '../src/fleet/run-fleet.js';
import { BudgetPacer } from '../src/github/budget-pacer.js';
import { createGitHubClient } from '../src/github/client.js';
import { writeFloorMs } from '../src/github/write-budget.js';
import { generateOrg } from '../src/sandbox/orgs/generated.js';
import { seedOrg } from '../src/sandbox/seed.js';
import { createSandbox } from '../src/sandbox/server.js';
import { fleetRequest } from '../src/steps/fleet-flow.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { BenchContext, BenchReport } from './lib/benchmark.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { markdownTable } from './lib/table.js';

function option(args: readonly string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  const n = hit ? Number(hit.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

const TOKEN = 'bench-fleet-token';

export async function run(ctx: BenchContext): Promise<BenchReport> {
  const repos = option(ctx.args, 'fleet-repos', 1000);
  const scale = option(ctx.args, 'fleet-scale', 10);
  const concurrency = option(ctx.args, 'fleet-concurrency', 16);
  const perMinute = 80;
  // The brief's floor is writes / 80 per minute: the hourly limit is lifted to 80 × 60 so the minute one binds
  // (with GitHub's 500/h, ~1,500 writes need 3 hours whatever the client does).
  const perHour = option(ctx.args, 'fleet-writes-per-hour', perMinute * 60);
  const root = await mkdtemp(join(ctx.workDir, 'fleet-'));
  try {
    ctx.progress(`seeding ${repos} connectors`);
    const spec = generateOrg({ org: 'bench', connectors: repos, others: 0, seed: 7, pendingShare: 0.5 });
    const sandbox = await createSandbox({
      root: join(root, 'github'),
      tokens: { [TOKEN]: { orgs: '*', login: 'bench-bot' } },
      clockScale: scale,
      limits: { writesPerMinute: perMinute, writesPerHour: perHour, core: 1_000_000, graphql: 1_000_000 },
    });
    sandbox.createOrg('bench');
    await sandbox.registerRepos('bench', await seedOrg(join(root, 'github'), spec));
    const { url } = await sandbox.listen(0);
    const store = new SqliteStore(join(root, 'cutter.db'));
    const pacer = new BudgetPacer({
      store,
      timeScale: scale,
      writesPerMinute: perMinute,
      writesPerHour: perHour,
      maxConcurrentWrites: 8,
    });
    const github = await createGitHubClient({ baseUrl: url, token: TOKEN, pacer, env: {}, requestTimeoutMs: 60_000 });
    sandbox.resetCounters();
    ctx.progress(`fleet run: scale ${scale}, concurrency ${concurrency}`);
    const t0 = performance.now();
    let lastLine = 0;
    const result = await runFleet({
      store,
      deps: { github, notifiers: () => [] },
      request: fleetRequest({ org: 'bench' }),
      concurrency,
      limits: pacer.limits,
      onProgress: (p) => {
        if (performance.now() - lastLine > 10_000) {
          lastLine = performance.now();
          ctx.progress(`released ${p.released}/${p.planned}, skipped ${p.skipped}, failed ${p.failed}`);
        }
      },
    });
    const wallMs = performance.now() - t0;
    const counters = sandbox.counters();
    await store.close();
    await sandbox.close();
    const summary = result.summary!;
    const released = summary.released;
    const graphql = counters.byProtocol['graphql'] ?? 0;
    const restReads = (counters.byKind['read'] ?? 0) - graphql;
    const writes = counters.byKind['write'] ?? 0;
    const floorMs = writeFloorMs(writes, pacer.limits);
    const data = {
      repos,
      released,
      skipped: summary.skipped,
      failed: summary.failed,
      scale,
      concurrency,
      limits: { perMinute, perHour },
      graphqlQueries: graphql,
      graphqlPerRepo: graphql / repos,
      restReads,
      restReadsPerReleased: released ? restReads / released : null,
      writes,
      writesPerReleased: released ? writes / released : null,
      secondary403: counters.rateLimited.secondary,
      byStatus: counters.byStatus,
      wallMs: Math.round(wallMs),
      floorMs: Math.round(floorMs),
      wallOverFloor: floorMs > 0 ? wallMs / floorMs : null,
      pacer: pacer.stats,
      machine: machineLine(await machineInfo()),
    };
    const ok = {
      reads: graphql <= Math.ceil(repos / 50) + 1,
      writes: released > 0 && writes / released <= 3,
      limit: counters.rateLimited.secondary === 0,
      wall: data.wallOverFloor !== null && data.wallOverFloor <= 1.1,
    };
    const mark = (b: boolean) => (b ? 'met' : 'MISSED');
    const rows = [
      [
        'GraphQL queries (discovery + tags)',
        `${graphql} (${(graphql / repos).toFixed(3)} per repo)`,
        '≤ 1 per 50 repos',
        mark(ok.reads),
      ],
      [
        'REST reads per released repo',
        data.restReadsPerReleased?.toFixed(2) ?? '—',
        '(config, commits, adoption checks)',
        '',
      ],
      ['writes per released repo', data.writesPerReleased?.toFixed(2) ?? '—', '≤ 3', mark(ok.writes)],
      ['secondary-limit 403s', counters.rateLimited.secondary, '0', mark(ok.limit)],
      [
        'wall / floor',
        `${(wallMs / 1000).toFixed(1)} s / ${(floorMs / 1000).toFixed(1)} s = ${data.wallOverFloor?.toFixed(2)}`,
        '≤ 1.1',
        mark(ok.wall),
      ],
    ];
    const markdown = [
      '# Fleet release benchmark',
      '',
      `${repos} generated connectors (seed 7, about half with releasable commits), sandbox clock ×${scale}, limits ${perMinute}/min and ${perHour}/h, concurrency ${concurrency}.`,
      `Released ${released}, skipped ${summary.skipped}, failed ${summary.failed}. Floor = the least time ${writes} writes take at ${perMinute}/min evenly spaced (scaled), from \`writeFloorMs\`.`,
      '',
      markdownTable(['figure', 'measured', 'target', ''], rows),
      '',
      `Machine: ${data.machine}`,
    ].join('\n');
    return {
      name: 'fleet',
      title: 'Fleet release',
      date: new Date().toISOString(),
      summary: `${repos} repos: ${graphql} GraphQL queries, ${data.writesPerReleased?.toFixed(2)} writes/release, ${counters.rateLimited.secondary} 403s, wall ${data.wallOverFloor?.toFixed(2)}× floor`,
      data,
      markdown,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
