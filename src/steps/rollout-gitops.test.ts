// A GitOps roll-out waits for its pull request to be merged by a human, then records and announces the image.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startSandbox } from '../../test/sandbox-harness.js';
import { kvRolloutHistory } from '../deploy/rollout-history.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { BuildTaskData } from './rollout-data.js';
import { runBuild } from './run-build.js';

let h: Harness;
beforeAll(async () => {
  h = await startSandbox();
});
afterAll(async () => {
  await h.close();
});

describe('a GitOps build', () => {
  it('waits while its pull request is open and finishes when someone merges it', { timeout: 180_000 }, async () => {
    await h.octokit.rest.repos.createInOrg({ org: 'acme', name: 'manifests', auto_init: true });
    await h.octokit.rest.repos.createOrUpdateFileContents({
      owner: 'acme',
      repo: 'manifests',
      path: 'apps/connector-x/values.yaml',
      message: 'chore: values',
      content: Buffer.from(
        '# the image\nimage:\n  repository: ghcr.io/acme/connector-x\n  tag: "1.0.0" # pinned\n',
      ).toString('base64'),
    });
    const store = new SqliteStore(':memory:');
    const history = kvRolloutHistory(store);
    const data: BuildTaskData = {
      build: { type: 'connector', connectorId: 'connector-x', image: 'ghcr.io/acme/connector-x:1.1.0' },
      deploy: {
        driver: { type: 'gitops', repository: 'acme/manifests', files: ['apps/{connectorId}/values.yaml'] },
        source: 'test',
      },
    };
    try {
      const running = runBuild({ store, deps: { github: h.octokit as never, history, mergePollMs: 50 }, data });
      let waiting = null;
      for (let i = 0; i < 400 && !waiting; i++) {
        waiting = (await store.listTasks({ status: 'waiting' })).tasks[0] ?? null;
        if (!waiting) await new Promise((r) => setTimeout(r, 25));
      }
      expect(waiting?.waitReason).toMatch(/waiting for .*pull.* to be merged/);
      expect(await history.list()).toEqual([]);
      const { data: pulls } = await h.octokit.rest.pulls.list({ owner: 'acme', repo: 'manifests', state: 'open' });
      expect(pulls).toHaveLength(1);
      await h.octokit.rest.pulls.merge({ owner: 'acme', repo: 'manifests', pull_number: pulls[0]!.number });

      const { task } = await running;
      expect([task.status, task.error]).toEqual(['done', null]);
      expect(task.data['rollout']).toMatchObject({ outcome: 'updated', url: pulls[0]!.html_url });
      expect(await history.list()).toMatchObject([{ image: 'ghcr.io/acme/connector-x:1.1.0', ok: true }]);
    } finally {
      await store.close();
    }
  });
});
