// A squash-merged monorepo package release PR whose title was edited: the merge is still that package's release.
// The push of the merge is delivered before the PR's merge event, the order GitHub does not rule out.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubClient } from '../src/github/client.js';
import type { MergedReleasePr } from '../src/release-pr/pr-events.js';
import type { ReleaseTaskData } from '../src/steps/release-data.js';
import { runRelease } from '../src/steps/run-release.js';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import type { TaskRecord } from '../src/store/types.js';
import {
  commitFile,
  PR_MODE_MONOREPO,
  pushFacts,
  remoteTags,
  type SandboxRepo,
  sandboxClient,
  sandboxRepo,
  tempStore,
} from './release-flow-support.js';
import { gitOk, type Harness, readyAndMerge, startSandbox } from './sandbox-harness.js';

let h: Harness;
let gh: GitHubClient;
let store: SqliteStore;

beforeAll(async () => {
  h = await startSandbox();
  gh = await sandboxClient(h);
  store = await tempStore();
});
afterAll(async () => {
  await store.close();
  await h.close();
});
afterEach(() => {
  expect(h.sandbox.violations).toEqual([]);
});

/** Runs one task and its package tasks to the end. */
async function release(data: ReleaseTaskData) {
  const { task, log } = await runRelease({
    store,
    deps: { github: gh, env: {}, notifyOptions: { baseDelayMs: 5 } },
    data,
    engine: { retry: { baseMs: 10, maxMs: 200 } },
    timeoutMs: 200_000,
  });
  const { tasks } = await store.listTasks({ parentId: task.id, limit: 50 });
  const byPackage = new Map<string, TaskRecord>();
  for (const t of tasks) byPackage.set((t.data['package'] as { name: string }).name, t);
  return { task, steps: log.map((e) => e.step), packages: byPackage };
}

const tagNames = async (name: string) =>
  [...(await remoteTags(h, name)).keys()].filter((k) => !k.endsWith('^{}')).sort();

const openReleasePrs = async (name: string) =>
  (await h.octokit.rest.pulls.list({ owner: 'acme', repo: name, state: 'open' })).data
    .filter((p) => p.head.ref.startsWith('release-'))
    .map((p) => p.head.ref);

const writes = () => h.sandbox.counters().byKind['write'] ?? 0;

describe('a squash-merged package release PR whose title was edited', { timeout: 300_000 }, () => {
  it('is released by its branch, once, for that package only, and its subject is never counted', async () => {
    const name = 'mono-retitled';
    const repoRef = { owner: 'acme', name };
    const repo = await sandboxRepo(h, name, ['chore: start'], {
      '.cutter.yml': PR_MODE_MONOREPO,
      'packages/api/package.json': '{\n  "name": "api",\n  "version": "1.0.0"\n}\n',
      'packages/web/index.js': 'export {};\n',
    });
    for (const t of ['api@1.0.0', 'web@1.0.0']) await gitOk(repo.dir, ['tag', '-a', t, '-m', t]);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'api@1.0.0', 'web@1.0.0']);

    await commitFile(repo, 'packages/api/search.js', 'export const search = 1;\n', 'feat(api): search');
    const opened = await release({ repo: repoRef, push: await pushFacts(repo) });
    expect(opened.packages.get('api')?.status).toBe('done');
    expect(await openReleasePrs(name)).toEqual(['release-api@1.1.0']);
    const { data: listed } = await h.octokit.rest.pulls.list({ owner: 'acme', repo: name, state: 'open' });
    const number = listed[0]!.number;

    // Someone retitles it, then squash-merges it: GitHub makes the commit subject from the edited title.
    await h.octokit.rest.pulls.update({ owner: 'acme', repo: name, pull_number: number, title: 'Release api 1.1.0' });
    const { data: merge } = await readyAndMerge(h.octokit, {
      owner: 'acme',
      repo: name,
      pull_number: number,
      merge_method: 'squash',
    });
    await gitOk(repo.dir, ['pull', '-q', '--ff-only', 'origin', 'main']);
    repo.head = await gitOk(repo.dir, ['rev-parse', 'HEAD']);
    expect(repo.head).toBe(merge.sha);
    const mergePush = await pushFacts(repo);
    expect(mergePush.headCommit?.message.split('\n')[0]).toBe(`Release api 1.1.0 (#${number})`);

    // The merge's push comes first: recognised as the release PR's merge by GitHub's PR association, it writes nothing.
    const before = writes();
    const pushed = await release({ repo: repoRef, push: mergePush });
    expect(pushed.task.status).toBe('done');
    expect(pushed.steps).toEqual(['classify']);
    expect(pushed.task.data['skipped']).toMatchObject({ reason: expect.stringMatching(/merges a release PR/) });
    expect(pushed.packages.size).toBe(0);
    expect(writes()).toBe(before);
    expect(await tagNames(name)).toEqual(['api@1.0.0', 'web@1.0.0']);

    // Then the merge event: the branch names api@1.1.0, which is tagged on the merge commit and published.
    const { data: pr } = await h.octokit.rest.pulls.get({ owner: 'acme', repo: name, pull_number: number });
    const releasePr: MergedReleasePr = {
      number,
      branch: pr.head.ref,
      base: pr.base.ref,
      headSha: pr.head.sha,
      mergeSha: pr.merge_commit_sha!,
      body: pr.body ?? '',
    };
    const merged = await release({ repo: repoRef, releasePr, trigger: `release PR #${number} merged` } as never);
    expect(merged.task.status).toBe('done');
    expect(merged.task.data['release']).toMatchObject({ nextTag: 'api@1.1.0', tagged: { sha: merge.sha } });
    expect(await tagNames(name)).toEqual(['api@1.0.0', 'api@1.1.0', 'web@1.0.0']);
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: name });
    expect(releases.map((r) => r.tag_name)).toEqual(['api@1.1.0']);
    expect(await openReleasePrs(name)).toEqual([]);

    // A redelivery of the push after the release: still the release PR's merge, still nothing written.
    const again = writes();
    const redelivered = await release({ repo: repoRef, push: mergePush });
    expect(redelivered.task.data['skipped']).toMatchObject({ reason: expect.stringMatching(/merges a release PR/) });
    expect(writes()).toBe(again);

    // The next api release counts the new commit only, not the retitled merge.
    await commitFile(repo, 'packages/api/search.js', 'export const search = 2;\n', 'fix(api): page the results');
    const next = await release({ repo: repoRef, push: await pushFacts(repo) });
    expect(next.packages.get('api')?.data['release']).toMatchObject({
      next: '1.1.1',
      commitCount: 1,
      pr: { branch: 'release-api@1.1.1' },
    });
    expect(next.packages.get('web')?.data['skipped']).toMatchObject({ reason: 'no commits since web@1.0.0' });
    expect(await openReleasePrs(name)).toEqual(['release-api@1.1.1']);
    const { data: releasedNow } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: name });
    expect(releasedNow.map((r) => r.tag_name)).toEqual(['api@1.1.0']);
  });

  it('releases an ordinary push when the token may not list the pull requests of a commit (judged by subject)', async () => {
    const name = 'mono-no-pr-access';
    const repoRef = { owner: 'acme', name };
    const repo = await sandboxRepo(h, name, ['chore: start'], {
      '.cutter.yml': PR_MODE_MONOREPO,
      'packages/api/package.json': '{\n  "name": "api",\n  "version": "1.0.0"\n}\n',
      'packages/web/index.js': 'export {};\n',
    });
    await commitFile(repo, 'packages/api/search.js', 'export const search = 1;\n', 'feat(api): search');
    // GitHub's answer to a token without pull requests: read.
    h.sandbox.setFaults([
      { route: 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', rate: 1, kind: 'error', status: 403 },
    ]);
    try {
      const { task, log } = await runRelease({
        store,
        deps: { github: gh, env: {}, notifyOptions: { baseDelayMs: 5 } },
        data: { repo: repoRef, push: await pushFacts(repo) },
        engine: { retry: { baseMs: 10, maxMs: 200 } },
        timeoutMs: 200_000,
      });
      expect(h.sandbox.counters().faults['error']).toBeGreaterThan(0);
      expect(task.status).toBe('done');
      const classify = log.find((e) => e.step === 'classify');
      expect(classify?.outcome).toBe('patch');
      expect(classify?.messages.map((m) => m.message).join('\n')).toMatch(
        /HTTP 403; the token needs pull requests: read/,
      );
      // No package tag yet: the first release.
      expect(await openReleasePrs(name)).toEqual(['release-api@1.0.0']);
    } finally {
      h.sandbox.setFaults([]);
    }
  });
});
