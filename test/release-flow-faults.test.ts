// Releases keep their promise when GitHub misbehaves: 5xx, hung and dropped connections, secondary rate limits.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseDeps } from '../src/steps/release-deps.js';
import { RELEASE_TASK_KIND, releaseFlow, releaseTaskKey } from '../src/steps/release-flow.js';
import { Engine } from '../src/workflow/engine.js';
import {
  pushCommits,
  pushFacts,
  remoteTags,
  type SandboxRepo,
  sandboxClient,
  sandboxRepo,
  tempStore,
} from './release-flow-support.js';
import { gitOk, type Harness, startSandbox } from './sandbox-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startSandbox({ seed: 20261125 });
});
afterAll(async () => {
  await h.close();
});

const REPOS = 6;

describe('releasing under injected GitHub failures', () => {
  it('completes every release exactly once with 10% faults on every route', async () => {
    const repos: SandboxRepo[] = [];
    for (let i = 0; i < REPOS; i++) {
      const repo = await sandboxRepo(h, `connector-flaky-${i}`, ['feat: first']);
      await gitOk(repo.dir, ['tag', '-a', 'v1.0.0', '-m', 'v1.0.0']);
      await gitOk(repo.dir, ['push', '-q', 'origin', 'v1.0.0']);
      await pushCommits(repo, [`feat: capability ${i}`, `fix: bug ${i}`]);
      repos.push(repo);
    }
    const facts = await Promise.all(repos.map((r) => pushFacts(r)));

    // From here on every REST route answers 5xx, GitHub's 429 secondary limit, hangs past the client's timeout or
    // drops the connection, 10% of the time in all.
    h.sandbox.setFaults(
      [
        { route: '*', rate: 0.03, kind: 'error', status: 502 },
        { route: '*', rate: 0.02, kind: 'error', status: 503 },
        { route: '*', rate: 0.02, kind: 'error', status: 429 },
        { route: '*', rate: 0.02, kind: 'slow', delayMs: 12_000 },
        { route: '*', rate: 0.01, kind: 'drop' },
      ],
      7,
    );

    const github = await sandboxClient(h, { requestTimeoutMs: 8_000, retries: 2, retryBaseMs: 20 });
    const store = await tempStore();
    const engine = new Engine<ReleaseDeps>({
      store,
      flows: { [RELEASE_TASK_KIND]: releaseFlow },
      deps: { github },
      concurrency: REPOS,
      pollMs: 20,
      retry: { maxAttempts: 10, baseMs: 50, maxMs: 1_000 },
    });
    const tasks = await Promise.all(
      repos.map((r, i) =>
        engine.enqueue({
          kind: RELEASE_TASK_KIND,
          key: releaseTaskKey({ owner: 'acme', name: r.name }),
          data: { repo: { owner: 'acme', name: r.name }, push: { ...facts[i]! } } as never,
        }),
      ),
    );
    await engine.runUntilIdle({ timeoutMs: 240_000 });

    const counters = h.sandbox.counters();
    h.sandbox.setFaults([]);
    try {
      const finished = await Promise.all(tasks.map((t) => store.getTask(t.id)));
      expect(finished.map((t) => [t?.key, t?.status, t?.error?.message ?? null])).toEqual(
        repos.map((r) => [`acme/${r.name}`, 'done', null]),
      );
      for (const [i, repo] of repos.entries()) {
        const tags = await remoteTags(h, repo.name);
        expect([...tags.keys()].filter((t) => !t.endsWith('^{}')).sort()).toEqual(['v1.0.0', 'v1.1.0']);
        expect(tags.get('v1.1.0^{}')).toBe(repo.head);
        const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: repo.name });
        expect(releases.map((r) => r.tag_name)).toEqual(['v1.1.0']);
        expect(releases[0]?.body).toContain(`capability ${i}`);
      }
      const injected = Object.values(counters.faults).reduce((a, b) => a + b, 0);
      expect(injected).toBeGreaterThan(0);
      expect(Object.keys(counters.faults).sort()).toEqual(['drop', 'error', 'slow']);
    } finally {
      await store.close();
    }
  }, 300_000);
});
