// A fleet run tells the team once: in summary mode its release tasks stay quiet and the run sends one summary.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleet } from '../src/fleet/run-fleet.js';
import type { Notifier, ReleaseMessage } from '../src/notify/notifier.js';
import { seedOrg } from '../src/sandbox/seed.js';
import { type FleetRequest, fleetRequest } from '../src/steps/fleet-flow.js';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import { sandboxClient, tempStore } from './release-flow-support.js';
import { type Harness, startSandbox } from './sandbox-harness.js';

function recorder(channel: string, sent: ReleaseMessage[]): Notifier {
  return {
    channel,
    async send(message) {
      sent.push(message);
      return { channel, ok: true, attempts: 1 };
    },
  };
}

const pending = (name: string) => ({
  name,
  history: [{ commit: 'feat: init', files: { 'README.md': `# ${name}\n` } }, { tag: 'v1.0.0' }, { commit: 'fix: x' }],
});

describe('fleet notifications', () => {
  let h: Harness;
  let store: SqliteStore;
  beforeAll(async () => {
    h = await startSandbox({ clockScale: 60, validateResponses: false });
    const repos = ['connector-quiet-a', 'connector-quiet-b', 'connector-loud-a', 'connector-loud-b'].map(pending);
    await h.sandbox.registerRepos('acme', await seedOrg(h.root, { org: 'acme', repos }));
    store = await tempStore();
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await h?.close();
  });

  async function run(pattern: string, notify: FleetRequest['notify']) {
    const perRepo: ReleaseMessage[] = [];
    const summaries: ReleaseMessage[] = [];
    const { summary } = await runFleet({
      store,
      deps: {
        github: await sandboxClient(h),
        notifiers: () => [recorder('team', perRepo)],
        summaryNotifiers: () => [recorder('team-summary', summaries)],
      },
      request: fleetRequest({ org: 'acme', patterns: [pattern], notify }),
      concurrency: 4,
    });
    return { summary: summary!, perRepo, summaries };
  }

  it('sends one summary and no per-repository message when notify is summary', async () => {
    const { summary, perRepo, summaries } = await run('connector-quiet-*', 'summary');
    expect(summary.released).toBe(2);
    expect(perRepo).toEqual([]);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.kind).toBe('fleet-summary');
    expect(summaries[0]!.summary!.rows.map((r) => r.repo).sort()).toEqual(['connector-quiet-a', 'connector-quiet-b']);
  }, 120_000);

  it('lets every release notify as well when notify is each', async () => {
    const { summary, perRepo, summaries } = await run('connector-loud-*', 'each');
    expect(summary.released).toBe(2);
    expect(perRepo.map((m) => m.repo).sort()).toEqual(['acme/connector-loud-a', 'acme/connector-loud-b']);
    expect(summaries).toHaveLength(1);
  }, 120_000);
});
