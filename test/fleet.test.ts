// The fleet run against the sandbox: the right connectors released with the right versions, the rest skipped with reasons.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleet } from '../src/fleet/run-fleet.js';
import { BudgetPacer } from '../src/github/budget-pacer.js';
import { seedOrg } from '../src/sandbox/seed.js';
import { fleetRequest } from '../src/steps/fleet-flow.js';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import { fleetOrg } from './fleet-support.js';
import { remoteTags, sandboxClient, tempStore } from './release-flow-support.js';
import { type Harness, startSandbox } from './sandbox-harness.js';

const SCALE = 60;
const org = fleetOrg();

async function tagsOf(h: Harness, names: string[]): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  for (const name of names) out.set(name, await remoteTags(h, name));
  return out;
}

describe('cutter fleet on a 60-repository org', () => {
  let h: Harness;
  let store: SqliteStore;
  let before: Map<string, Map<string, string>>;

  beforeAll(async () => {
    h = await startSandbox({ clockScale: SCALE, validateResponses: false });
    const seeded = await seedOrg(h.root, org.spec);
    await h.sandbox.registerRepos('acme', seeded);
    store = await tempStore();
    before = await tagsOf(h, org.others);
  });
  afterAll(async () => {
    await store?.close();
    await h?.close();
  });

  async function run() {
    const pacer = new BudgetPacer({ store, timeScale: SCALE });
    const github = await sandboxClient(h, { pacer, requestTimeoutMs: 30_000 });
    const result = await runFleet({
      store,
      deps: { github, notifiers: () => [] },
      request: fleetRequest({ org: 'acme', patterns: ['connector-*', '!connector-legacy-*'] }),
      concurrency: 12,
    });
    return { ...result, pacer };
  }

  it('releases exactly the connectors with releasable commits, at the versions derived by hand', async () => {
    const { task, summary } = await run();
    expect(task.status).toBe('done');
    expect(summary).not.toBeNull();
    const rows = new Map(summary!.rows.map((r) => [r.repo, r]));
    expect([...rows.keys()].sort()).toEqual(org.expected.map((e) => e.repo).sort());
    for (const e of org.expected) {
      const row = rows.get(e.repo)!;
      expect({ repo: e.repo, outcome: row.outcome }).toEqual({ repo: e.repo, outcome: e.outcome });
      if (e.outcome === 'released')
        expect({ repo: e.repo, tag: row.nextTag }).toEqual({ repo: e.repo, tag: e.nextTag });
      else expect(row.reason).toMatch(e.reason!);
    }
    // The tags exist on the remote, on the head the run saw.
    for (const e of org.expected.filter((x) => x.outcome === 'released')) {
      const tags = await remoteTags(h, e.repo);
      expect(tags.has(e.nextTag!), `${e.repo} has ${e.nextTag}`).toBe(true);
    }
    expect(summary!.failed).toBe(0);
  }, 600_000);

  it('leaves every repository outside the pattern untouched', async () => {
    expect(await tagsOf(h, org.others)).toEqual(before);
  });

  it('releases nothing when run again right away', async () => {
    const counters = h.sandbox.counters();
    const { summary } = await run();
    expect(summary!.released).toBe(0);
    expect(summary!.failed).toBe(0);
    const writes = (h.sandbox.counters().byKind['write'] ?? 0) - (counters.byKind['write'] ?? 0);
    expect(writes).toBe(0);
    const released = org.expected.filter((e) => e.outcome === 'released').map((e) => e.repo);
    for (const repo of released) {
      expect(summary!.rows.find((r) => r.repo === repo)?.reason).toMatch(/is on the main head/);
    }
  }, 300_000);
});
