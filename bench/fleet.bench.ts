// Fleet benchmark: a generated org (default 1,000 connectors, about half pending) on a time-scaled sandbox; reads,
// writes, secondary-limit 403s and wall time against the floor the content-creation limit imposes.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Octokit } from '@octokit/rest';
import { runFleet } from '../src/fleet/run-fleet.js';
import { BudgetPacer } from '../src/github/budget-pacer.js';
import { createGitHubClient } from '../src/github/client.js';
import { writeFloorMs } from '../src/github/write-budget.js';
import type { CounterSnapshot } from '../src/sandbox/counters.js';
import { FLEET_TASK_KIND, type FleetSummary, fleetRequest, fleetTaskKey } from '../src/steps/fleet-flow.js';
import { PostgresStore } from '../src/store/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { startPostgres } from '../test/postgres-server.js';
import type { BenchContext, BenchReport } from './lib/benchmark.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { processCpuMs, type SandboxProcess, startSandboxProcess } from './lib/sandbox-process.js';
import { markdownTable } from './lib/table.js';

const seconds = (ms: number | null): string => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

function option(args: readonly string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  const n = hit ? Number(hit.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

const TOKEN = 'bench-fleet-token';
const ADMIN_TOKEN = 'bench-fleet-admin-token';

/** The sandbox's request counters, read (or reset) through its admin API. */
async function counters(url: string, method: 'GET' | 'DELETE' = 'GET'): Promise<CounterSnapshot | null> {
  const res = await fetch(`${url}/_sandbox/counters`, { method, headers: { authorization: `token ${ADMIN_TOKEN}` } });
  if (!res.ok) throw new Error(`${method} /_sandbox/counters answered ${res.status}`);
  return method === 'GET' ? ((await res.json()) as CounterSnapshot) : null;
}

/** `--fleet-store=postgres`: the run goes through the shared Postgres store, its jobs taken by worker processes. */
function storeKind(args: readonly string[]): 'sqlite' | 'postgres' {
  const value = args.find((a) => a.startsWith('--fleet-store='))?.split('=')[1] ?? 'sqlite';
  if (value !== 'sqlite' && value !== 'postgres') throw new Error('--fleet-store must be sqlite or postgres');
  return value;
}

interface FleetRun {
  summary: FleetSummary;
  pacer: { writes: number; reads: number; waitedMs: number; pushedBack: number };
  /** Real ms from the start until the release tasks existed (no write can start before): discovery and plan. */
  discoveryMs?: number | null;
}

/**
 * The fleet run as `cutter serve` workers on Postgres do it: the fleet task is enqueued (its job written with it),
 * `workers` processes take the jobs — the plan, then the releases of different repositories in parallel — each
 * pacing its writes under the one budget they share through the database.
 */
async function fleetOnQueue(
  ctx: BenchContext,
  o: { apiUrl: string; scale: number; perMinute: number; perHour: number; workers: number; concurrency: number },
): Promise<FleetRun> {
  const server = await startPostgres();
  const spawned: ChildProcess[] = [];
  try {
    const url = await server.createDatabase();
    const store = await PostgresStore.open(url);
    const script = join(ctx.root, 'bench', 'fleet-queue.worker.ts');
    const outputs: Array<Promise<string>> = [];
    const ready: Array<Promise<void>> = [];
    for (let i = 0; i < o.workers; i++) {
      const args = [url, o.apiUrl, TOKEN, o.scale, o.perMinute, o.perHour, o.concurrency].map(String);
      const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ctx.root });
      spawned.push(child);
      child.stderr?.on('data', (c: Buffer) => ctx.progress(`worker ${i}: ${c.toString().trim().slice(0, 300)}`));
      let out = '';
      const exited = new Promise<string>((resolve, reject) => {
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`worker ${i} exited ${code}`))));
      });
      exited.catch(() => {});
      outputs.push(exited);
      ready.push(
        new Promise<void>((resolve, reject) => {
          child.stdout?.on('data', (c: Buffer) => {
            out += c.toString();
            if (out.includes('ready')) resolve();
          });
          exited.then(() => reject(new Error(`worker ${i} stopped before it was ready`)), reject);
        }),
      );
    }
    await Promise.all(ready);
    const request = fleetRequest({ org: 'bench' });
    const { task } = await store.createTask({
      kind: FLEET_TASK_KIND,
      key: `${fleetTaskKey(request.org)}:${Date.now().toString(36)}`,
      data: { release: 'connectors', fleet: request } as never,
    });
    let lastLine = 0;
    for (;;) {
      const parent = await store.getTask(task.id);
      if (parent && ['done', 'failed', 'cancelled'].includes(parent.status)) break;
      if (performance.now() - lastLine > 10_000) {
        lastLine = performance.now();
        const c = parent?.children;
        ctx.progress(
          c ? `children ${c.done} done, ${c.failed} failed, ${c.pending} pending of ${c.total}` : 'planning',
        );
      }
      await sleep(250);
    }
    const finished = await store.getTask(task.id);
    await store.close();
    for (const child of spawned) child.kill('SIGTERM');
    const stats = (await Promise.all(outputs)).map(
      (text) => (JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as { pacer: FleetRun['pacer'] }).pacer,
    );
    const summary = (finished?.data as { summary?: FleetSummary } | undefined)?.summary;
    if (!summary)
      throw new Error(`the fleet run ended ${finished?.status} without a summary: ${finished?.error?.message}`);
    const pacer = { writes: 0, reads: 0, waitedMs: 0, pushedBack: 0 };
    for (const s of stats) for (const k of Object.keys(pacer) as Array<keyof typeof pacer>) pacer[k] += s[k];
    return { summary, pacer };
  } finally {
    for (const child of spawned) if (child.exitCode === null) child.kill('SIGKILL');
    await server.stop();
  }
}

/** Tags of every repository of the org: a tag created twice for one release would show as two new tags. */
async function tagsByRepo(octokit: Octokit, repos: readonly string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  const queue = [...repos];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let repo = queue.shift(); repo; repo = queue.shift()) {
        const tags = await octokit.paginate(octokit.rest.repos.listTags, { owner: 'bench', repo, per_page: 100 });
        result.set(repo, tags.map((t) => t.name).sort());
      }
    }),
  );
  return result;
}

export async function run(ctx: BenchContext): Promise<BenchReport> {
  const repos = option(ctx.args, 'fleet-repos', 1000);
  const kind = storeKind(ctx.args);
  const workers = option(ctx.args, 'fleet-workers', 4);
  const scale = option(ctx.args, 'fleet-scale', 10);
  const concurrency = option(ctx.args, 'fleet-concurrency', 16);
  const perMinute = 80;
  // The brief's floor is writes / 80 per minute: the hourly limit is lifted to 80 × 60 so the minute one binds
  // (with GitHub's 500/h, ~1,500 writes need 3 hours whatever the client does).
  const perHour = option(ctx.args, 'fleet-writes-per-hour', perMinute * 60);
  // The sandbox checks every REST answer against GitHub's OpenAPI description (in its own process, so the cost is
  // its own); `--fleet-no-validate` leaves that out.
  const validate = !ctx.args.includes('--fleet-no-validate');
  const root = await mkdtemp(join(ctx.workDir, 'fleet-'));
  let sandbox: SandboxProcess | null = null;
  try {
    ctx.progress(`seeding ${repos} connectors in the sandbox process`);
    await mkdir(join(root, 'github'));
    // GitHub is another machine: the sandbox runs in its own process, its CPU measured apart from Cutter's.
    sandbox = await startSandboxProcess(ctx.root, join(root, 'github'), [
      ...['--org', 'bench', '--connectors', String(repos), '--others', '0', '--seed', '7'],
      ...['--token', TOKEN, '--admin-token', ADMIN_TOKEN, '--clock-scale', String(scale)],
      ...['--writes-per-minute', String(perMinute), '--writes-per-hour', String(perHour), '--rate-limit', '1000000'],
      ...(validate ? ['--validate'] : []),
    ]);
    const { url } = sandbox;
    const reader = new Octokit({ baseUrl: url, auth: TOKEN });
    const names = (await reader.paginate(reader.rest.repos.listForOrg, { org: 'bench', per_page: 100 })).map(
      (r) => r.name,
    );
    if (names.length !== repos) throw new Error(`the sandbox seeded ${names.length} repositories, not ${repos}`);
    const tagsBefore = await tagsByRepo(reader, names);
    const limits = { perMinute, perHour, timeScale: scale };
    await counters(url, 'DELETE');
    ctx.progress(
      `fleet run on ${kind}: scale ${scale}, ${kind === 'postgres' ? `${workers} workers × ${concurrency / workers}` : `concurrency ${concurrency}`}`,
    );
    const t0 = performance.now();
    const startedAt = Date.now();
    const cpu0 = process.cpuUsage();
    const child0 = await processCpuMs('self');
    const sandbox0 = await sandbox.cpu();
    let run: FleetRun;
    if (kind === 'sqlite') {
      const store = new SqliteStore(join(root, 'cutter.db'));
      const pacer = new BudgetPacer({
        store,
        timeScale: scale,
        writesPerMinute: perMinute,
        writesPerHour: perHour,
        maxConcurrentWrites: 8,
      });
      const github = await createGitHubClient({ baseUrl: url, token: TOKEN, pacer, env: {}, requestTimeoutMs: 60_000 });
      let lastLine = 0;
      const result = await runFleet({
        store,
        deps: { github, notifiers: () => [] },
        request: fleetRequest({ org: 'bench' }),
        concurrency,
        limits,
        onProgress: (p) => {
          if (performance.now() - lastLine > 10_000) {
            lastLine = performance.now();
            ctx.progress(`released ${p.released}/${p.planned}, skipped ${p.skipped}, failed ${p.failed}`);
          }
        },
      });
      const fanOut = (await store.listStepLog(result.task.id)).find((e) => e.step === 'fan-out');
      const discoveryMs = fanOut ? Date.parse(fanOut.startedAt) + fanOut.durationMs - startedAt : null;
      run = { summary: result.summary!, pacer: pacer.stats, discoveryMs };
      await store.close();
    } else {
      run = await fleetOnQueue(ctx, {
        apiUrl: url,
        scale,
        perMinute,
        perHour,
        workers,
        concurrency: Math.max(1, Math.round(concurrency / workers)),
      });
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const child1 = await processCpuMs('self');
    const sandbox1 = await sandbox.cpu();
    const counted = (await counters(url))!;
    const tagsAfter = await tagsByRepo(reader, names);
    const violations = sandbox.violations();
    await sandbox.stop();
    const summary = run.summary;
    // A repository released once gains exactly one tag; more would be a duplicate (a release tagged twice).
    let newTags = 0;
    const duplicateTags: string[] = [];
    for (const name of names) {
      const before = new Set(tagsBefore.get(name) ?? []);
      const added = (tagsAfter.get(name) ?? []).filter((t) => !before.has(t));
      newTags += added.length;
      if (added.length > 1) duplicateTags.push(`${name}: ${added.join(', ')}`);
    }
    const released = summary.released;
    const graphql = counted.byProtocol['graphql'] ?? 0;
    const restReads = (counted.byKind['read'] ?? 0) - graphql;
    const writes = counted.byKind['write'] ?? 0;
    const floorMs = writeFloorMs(writes, limits);
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
      secondary403: counted.rateLimited.secondary,
      byStatus: counted.byStatus,
      wallMs: Math.round(wallMs),
      floorMs: Math.round(floorMs),
      wallOverFloor: floorMs > 0 ? wallMs / floorMs : null,
      store: kind,
      ...(kind === 'postgres' ? { workers } : {}),
      newTags,
      duplicateTags,
      pacer: run.pacer,
      discoveryMs: run.discoveryMs === undefined || run.discoveryMs === null ? null : Math.round(run.discoveryMs),
      nodeCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      childCpuMs: child0 === null || child1 === null ? null : child1.childrenMs - child0.childrenMs,
      sandboxCpuMs: sandbox0 === null || sandbox1 === null ? null : sandbox1.ownMs - sandbox0.ownMs,
      sandboxGitCpuMs: sandbox0 === null || sandbox1 === null ? null : sandbox1.childrenMs - sandbox0.childrenMs,
      validated: validate,
      openApiViolations: validate ? violations.length : null,
      machine: machineLine(await machineInfo()),
    };
    const ok = {
      reads: graphql <= Math.ceil(repos / 50) + 1,
      writes: released > 0 && writes / released <= 3,
      limit: counted.rateLimited.secondary === 0,
      tags: duplicateTags.length === 0 && newTags === released,
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
      ['secondary-limit 403s', counted.rateLimited.secondary, '0', mark(ok.limit)],
      [
        'new tags (repos tagged more than once)',
        `${newTags} (${duplicateTags.length})`,
        `= released (${released}), 0 twice`,
        mark(ok.tags),
      ],
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
      `${repos} generated connectors (seed 7, about half with releasable commits), sandbox clock ×${scale}, limits ${perMinute}/min and ${perHour}/h, concurrency ${concurrency}${kind === 'postgres' ? ` — on Postgres: ${workers} queue worker processes (graphile-worker jobs), ${Math.max(1, Math.round(concurrency / workers))} jobs each, one write budget shared through the database` : ' — Cutter in one process on a SQLite store, the sandbox in another'}.`,
      `Released ${released}, skipped ${summary.skipped}, failed ${summary.failed}. Floor = the least time ${writes} writes take at ${perMinute}/min evenly spaced (scaled), from \`writeFloorMs\`.`,
      '',
      markdownTable(['figure', 'measured', 'target', ''], rows),
      '',
      `Where the time went: ${data.discoveryMs === null ? '' : `${(data.discoveryMs / 1000).toFixed(1)} s of discovery before the release tasks existed; `}writes waited ${(run.pacer.waitedMs / 1000).toFixed(1)} s in all for the budget; CPU ${(data.nodeCpuMs / 1000).toFixed(1)} s in this Node process (${kind === 'postgres' ? 'the bench driver' : 'Cutter'}), ${seconds(data.childCpuMs)} in its child processes${kind === 'postgres' ? ' (the queue workers: Cutter)' : ''}; the sandbox (GitHub's side, its own process) ${seconds(data.sandboxCpuMs)}, plus ${seconds(data.sandboxGitCpuMs)} in its git children.`,
      '',
      validate
        ? `Every REST answer of the sandbox was checked against GitHub's OpenAPI description: ${violations.length} violations${violations.length ? ` (first: ${violations[0]})` : ''}.`
        : "The sandbox's REST answers were not checked against GitHub's OpenAPI description in this run (`--fleet-no-validate`; the sandbox's own tests always check them).",
      '',
      `Machine: ${data.machine}`,
    ].join('\n');
    return {
      name: kind === 'postgres' ? 'fleet-postgres' : 'fleet',
      title: kind === 'postgres' ? `Fleet release, ${workers} workers on Postgres` : 'Fleet release',
      date: new Date().toISOString(),
      summary: `${repos} repos${kind === 'postgres' ? ` (${workers} workers on Postgres)` : ''}: ${graphql} GraphQL queries, ${data.writesPerReleased?.toFixed(2)} writes/release, ${counted.rateLimited.secondary} 403s, ${duplicateTags.length} repos tagged twice, wall ${data.wallOverFloor?.toFixed(2)}× floor`,
      data,
      markdown,
    };
  } finally {
    await sandbox?.stop();
    await rm(root, { recursive: true, force: true });
  }
}
