// Release notes link to the GitHub the client is configured for (GHES, the sandbox), never to github.com blindly.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubClient } from '../src/github/client.js';
import { runRelease } from '../src/steps/run-release.js';
import { pushCommits, pushFacts, sandboxClient, sandboxRepo, tempStore } from './release-flow-support.js';
import { gitOk, type Harness, startSandbox } from './sandbox-harness.js';

let h: Harness;
let gh: GitHubClient;

beforeAll(async () => {
  h = await startSandbox();
  gh = await sandboxClient(h);
});
afterAll(async () => {
  await h.close();
});

describe('release notes links', { timeout: 240_000 }, () => {
  it('use the configured GitHub base URL for the compare and commit links', async () => {
    const repo = await sandboxRepo(h, 'connector-links', ['feat: first']);
    await gitOk(repo.dir, ['tag', '-a', 'v1.0.0', '-m', 'v1.0.0']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'v1.0.0']);
    await pushCommits(repo, ['feat: linked feature']);
    const store = await tempStore();
    try {
      const { task } = await runRelease({
        store,
        deps: { github: gh, env: {} },
        data: { repo: { owner: 'acme', name: repo.name }, push: await pushFacts(repo) },
        timeoutMs: 200_000,
      });
      expect(task.status).toBe('done');
      const { data: release } = await h.octokit.rest.repos.getReleaseByTag({
        owner: 'acme',
        repo: repo.name,
        tag: 'v1.1.0',
      });
      expect(release.body).toContain(`(${h.url}/acme/${repo.name}/compare/v1.0.0...v1.1.0)`);
      expect(release.body).toContain(`${h.url}/acme/${repo.name}/commit/`);
      expect(release.body).not.toContain('github.com');
    } finally {
      await store.close();
    }
  });
});
