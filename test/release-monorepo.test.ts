// A monorepo through the API release flow on the sandbox: each package is released on its own, from the commits
// that touched it, with its own `{package}@{version}` tag and notes.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubClient } from '../src/github/client.js';
import type { ReleaseTaskData } from '../src/steps/release-data.js';
import { runRelease } from '../src/steps/run-release.js';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import type { TaskRecord } from '../src/store/types.js';
import {
  pushFacts,
  remoteTags,
  type SandboxRepo,
  sandboxClient,
  sandboxRepo,
  tempStore,
} from './release-flow-support.js';
import { gitOk, type Harness, startSandbox } from './sandbox-harness.js';

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

const CONFIG = ['packages:', '  - { name: api, path: packages/api }', '  - { name: web, path: packages/web }', ''].join(
  '\n',
);

/** One commit per entry, each changing its own file, then one push; returns the new head. */
async function pushChanges(repo: SandboxRepo, changes: Array<{ message: string; file: string }>): Promise<string> {
  for (const [i, c] of changes.entries()) {
    const path = join(repo.dir, c.file);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${c.message} ${i}\n`, { flag: 'a' });
    await gitOk(repo.dir, ['add', '--', c.file]);
    await gitOk(repo.dir, ['commit', '-q', '-m', c.message]);
  }
  await gitOk(repo.dir, ['push', '-q', 'origin', 'main']);
  repo.head = await gitOk(repo.dir, ['rev-parse', 'HEAD']);
  return repo.head;
}

/** Runs the task and its package tasks to the end; returns the parent, its step names and the package tasks by name. */
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

const releaseOf = (t: TaskRecord | undefined) => (t?.data['release'] ?? {}) as Record<string, unknown>;

async function releasesByTag(name: string): Promise<Map<string, string>> {
  const { data } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: name, per_page: 100 });
  return new Map(data.map((r) => [r.tag_name, r.body ?? '']));
}

describe('a monorepo with two packages released independently', { timeout: 240_000 }, () => {
  it('tags and releases only the packages a push touched, each with its own notes, and a rerun adds nothing', async () => {
    const repo = await sandboxRepo(h, 'mono', ['chore: scaffold api and web'], {
      '.cutter.yml': CONFIG,
      'packages/api/index.js': 'export {};\n',
      'packages/web/index.js': 'export {};\n',
    });
    const repoRef = { owner: 'acme', name: repo.name };

    // A push that touches api only: api@1.0.0; web has no releasable commit of its own.
    await pushChanges(repo, [{ message: 'feat(api): list users', file: 'packages/api/users.js' }]);
    const first = await release({ repo: repoRef, push: await pushFacts(repo) });
    expect(first.task.status).toBe('done');
    expect(first.steps).toEqual(['classify', 'package-fan-out']);
    expect(first.task.data['skipped']).toEqual({ reason: 'fanned out to 2 packages', details: ['api', 'web'] });
    expect([...first.packages.keys()].sort()).toEqual(['api', 'web']);
    for (const t of first.packages.values()) expect(t.status).toBe('done');
    // Its first release counts its whole history that touched packages/api: the scaffold and the feature.
    expect(releaseOf(first.packages.get('api'))).toMatchObject({ next: '1.0.0', nextTag: 'api@1.0.0', commitCount: 2 });
    expect(first.packages.get('web')?.data['skipped']).toMatchObject({
      reason: expect.stringMatching(/no releasable/),
    });
    const apiTag = first.packages.get('api')!;
    expect((await store.listStepLog(apiTag.id)).map((e) => e.step)).toEqual([
      'latest-tag',
      'next-version',
      'checks-gate',
      'freeze-gate',
      'tag',
      'create-release',
      'confirm',
      'notify',
    ]);
    let tags = await remoteTags(h, repo.name);
    expect([...tags.keys()].filter((t) => !t.endsWith('^{}'))).toEqual(['api@1.0.0']);
    expect(tags.get('api@1.0.0^{}')).toBe(repo.head);
    let releases = await releasesByTag(repo.name);
    expect([...releases.keys()]).toEqual(['api@1.0.0']);
    expect(releases.get('api@1.0.0')).toContain('list users');

    // A push that touches both (and the root): each package releases from its own commits only.
    await pushChanges(repo, [
      { message: 'fix(api): escape user names', file: 'packages/api/users.js' },
      { message: 'feat(web): dark mode', file: 'packages/web/theme.css' },
      { message: 'feat: root tooling', file: 'tools/lint.js' },
    ]);
    const second = await release({ repo: repoRef, push: await pushFacts(repo) });
    expect(second.task.status).toBe('done');
    expect(releaseOf(second.packages.get('api'))).toMatchObject({
      next: '1.0.1',
      nextTag: 'api@1.0.1',
      bump: 'patch',
      commitCount: 1,
    });
    expect(releaseOf(second.packages.get('web'))).toMatchObject({ next: '1.0.0', nextTag: 'web@1.0.0', bump: 'minor' });
    tags = await remoteTags(h, repo.name);
    expect([...tags.keys()].filter((t) => !t.endsWith('^{}')).sort()).toEqual(['api@1.0.0', 'api@1.0.1', 'web@1.0.0']);
    expect(tags.get('api@1.0.1^{}')).toBe(repo.head);
    expect(tags.get('web@1.0.0^{}')).toBe(repo.head);
    releases = await releasesByTag(repo.name);
    expect([...releases.keys()].sort()).toEqual(['api@1.0.0', 'api@1.0.1', 'web@1.0.0']);
    const apiNotes = releases.get('api@1.0.1') ?? '';
    const webNotes = releases.get('web@1.0.0') ?? '';
    expect(apiNotes).toContain('escape user names');
    expect(apiNotes).not.toContain('dark mode');
    expect(apiNotes).not.toContain('root tooling');
    expect(webNotes).toContain('dark mode');
    expect(webNotes).not.toContain('escape user names');
    expect(webNotes).not.toContain('root tooling');

    // A rerun (as `cutter release --repo` starts one): every package is up to date, nothing is written.
    const rerun = await release({ repo: repoRef, trigger: 'cutter release', release: {} });
    expect(rerun.task.status).toBe('done');
    expect(rerun.steps).toEqual(['load-config', 'package-fan-out']);
    for (const name of ['api', 'web']) {
      const t = rerun.packages.get(name);
      expect(t?.status).toBe('done');
      expect(releaseOf(t)['tagged']).toBeUndefined();
      expect(t?.data['skipped']).toBeDefined();
    }
    const after = await remoteTags(h, repo.name);
    expect(after).toEqual(tags);
    expect([...(await releasesByTag(repo.name)).keys()].sort()).toEqual(['api@1.0.0', 'api@1.0.1', 'web@1.0.0']);
  });
});
