// A fleet run survives a SIGKILL (resume releases each planned connector exactly once) and GitHub pushing back.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runFleet } from '../src/fleet/run-fleet.js';
import { BudgetPacer } from '../src/github/budget-pacer.js';
import { ACME_EXPECTED, ACME_ORG } from '../src/sandbox/orgs/acme.js';
import { seedOrg } from '../src/sandbox/seed.js';
import { fleetRequest } from '../src/steps/fleet-flow.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { sandboxClient, tempStore } from './release-flow-support.js';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';
import { CUTTER_BIN, ensureBuilt } from './support/ensure-built.js';

const SCALE = 60;
const RELEASED = ACME_EXPECTED.filter((e) => e.fleet === 'release');

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function acmeSandbox(opts: Parameters<typeof startSandbox>[0] = {}): Promise<Harness> {
  h = await startSandbox({ clockScale: SCALE, validateResponses: false, ...opts });
  await h.sandbox.registerRepos('acme', await seedOrg(h.root, ACME_ORG));
  return h;
}

/** Every release of every expected repo, by tag: a duplicate would show as a count of 2. */
async function releaseCounts(harness: Harness): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const e of RELEASED) {
    const { data } = await harness.octokit.rest.repos.listReleases({ owner: 'acme', repo: e.repo, per_page: 100 });
    counts[e.repo] = data.filter((r) => r.tag_name === e.nextTag).length;
  }
  return counts;
}

const once = Object.fromEntries(RELEASED.map((e) => [e.repo, 1]));

function cutter(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CUTTER_BIN, ...args], { env: { ...process.env, ...env } });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('fleet runs that are interrupted or pushed back', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 300_000);

  it('resumes a run killed mid-way and releases each planned connector exactly once', async () => {
    const harness = await acmeSandbox();
    const db = join(await harness.tmp(), 'cutter.db');
    const env = { GITHUB_TOKEN: TOKEN, CUTTER_GITHUB_TOKEN: TOKEN };
    const args = ['fleet', '--org', 'acme', '--api-url', harness.url, '--db', db, '--time-scale', String(SCALE)];
    const first = cutter(args, env);
    // Kill it once a few releases are out (3 writes each), well before all of them.
    const deadline = Date.now() + 240_000;
    while ((harness.sandbox.counters().byRoute['POST /repos/{owner}/{repo}/releases'] ?? 0) < 3) {
      if (Date.now() > deadline) throw new Error(`no releases within 240 s: ${first.err()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const store = new SqliteStore(db);
    const run = (await store.listTasks({ kind: 'fleet' })).tasks[0]!;
    await store.close();
    expect(run.status).not.toBe('done');

    const second = cutter(
      ['fleet', '--resume', run.id, '--db', db, '--api-url', harness.url, '--json', '--time-scale', String(SCALE)],
      env,
    );
    expect(await second.exited).toBe(0);
    const result = JSON.parse(second.out()) as {
      runId: string;
      summary: { released: number; rows: Array<{ repo: string; outcome: string; nextTag: string }> };
    };
    expect(result.runId).toBe(run.id);
    for (const e of RELEASED) {
      const row = result.summary.rows.find((r) => r.repo === e.repo);
      expect({ repo: e.repo, outcome: row?.outcome, tag: row?.nextTag }).toEqual({
        repo: e.repo,
        outcome: 'released',
        tag: e.nextTag,
      });
    }
    expect(await releaseCounts(harness)).toEqual(once);
  }, 600_000);

  it('completes under injected secondary-limit 403s and 5xx, slowing down and duplicating nothing', async () => {
    // The sandbox enforces a far tighter write limit (4/min) than the pacer believes (80/min), and fails about one
    // write in seven with a 502. A slower clock (×6) so that this machine's request rate surely reaches the limit.
    const scale = 6;
    const harness = await acmeSandbox({
      clockScale: scale,
      limits: { writesPerMinute: 4 },
      faults: [{ route: /^POST /, rate: 0.15, kind: 'error', status: 502 }],
    });
    const store = await tempStore();
    const pacer = new BudgetPacer({ store, timeScale: scale });
    const github = await sandboxClient(harness, {
      pacer,
      requestTimeoutMs: 30_000,
      retryBaseMs: 20,
      maxRetryAfterMs: 60_000,
    });
    const { task, summary } = await runFleet({
      store,
      deps: { github, notifiers: () => [] },
      request: fleetRequest({ org: 'acme' }),
      concurrency: 8,
      engine: { retry: { baseMs: 50, maxMs: 2_000, maxAttempts: 10 } },
    });
    await store.close();
    expect(task.status).toBe('done');
    expect(summary!.failed).toBe(0);
    expect(summary!.released).toBe(RELEASED.length);
    const counters = harness.sandbox.counters();
    expect(counters.rateLimited.secondary).toBeGreaterThan(0);
    expect(counters.faults['error'] ?? Object.values(counters.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(pacer.stats.pushedBack).toBeGreaterThan(0);
    expect(await releaseCounts(harness)).toEqual(once);
  }, 600_000);
});
