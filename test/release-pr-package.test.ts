// `cutter draft-release --package NAME` on the sandbox: the package's release PR exactly as PR mode opens it on push.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubClient } from '../src/github/client.js';
import { readRepoFile } from '../src/github/repo-api.js';
import type { ReleaseTaskData } from '../src/steps/release-data.js';
import { runRelease } from '../src/steps/run-release.js';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import {
  commitFile,
  pushFacts,
  remoteTags,
  type SandboxRepo,
  sandboxClient,
  sandboxRepo,
  tempStore,
} from './release-flow-support.js';
import { gitOk, type Harness, readyAndMerge, startSandbox, TOKEN } from './sandbox-harness.js';
import { type CutterRun, runCutterSource } from './support/run-cutter.js';

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

const cutter = (args: string[]): Promise<CutterRun> =>
  runCutterSource(args, { CUTTER_GITHUB_TOKEN: TOKEN, GITHUB_TOKEN: '', GITHUB_API_URL: h.url });

const MONOREPO = [
  'release:',
  '  mode: pr',
  'packages:',
  '  - name: api',
  '    path: packages/api',
  '    versionFiles:',
  '      - path: package.json',
  '  - name: web',
  '    path: packages/web',
  '    tagFormat: web-v{version}',
  '',
].join('\n');

/** A monorepo released as api@1.0.0 and web-v1.0.0, then a feature in api and a fix in web. */
async function monorepo(name: string): Promise<SandboxRepo> {
  const repo = await sandboxRepo(h, name, ['chore: start'], {
    '.cutter.yml': MONOREPO,
    'packages/api/package.json': '{\n  "name": "api",\n  "version": "1.0.0"\n}\n',
    'packages/web/index.js': 'export {};\n',
  });
  for (const t of ['api@1.0.0', 'web-v1.0.0']) await gitOk(repo.dir, ['tag', '-a', t, '-m', t]);
  await gitOk(repo.dir, ['push', '-q', 'origin', 'api@1.0.0', 'web-v1.0.0']);
  await commitFile(repo, 'packages/api/search.js', 'export const search = 1;\n', 'feat(api): search');
  await commitFile(repo, 'packages/web/index.js', 'export const x = 1;\n', 'fix(web): fix the typo');
  return repo;
}

async function release(data: ReleaseTaskData) {
  return runRelease({
    store,
    deps: { github: gh, env: {}, notifyOptions: { baseDelayMs: 5 } },
    data,
    engine: { retry: { baseMs: 10, maxMs: 200 } },
    timeoutMs: 200_000,
  });
}

const openPrs = async (name: string) =>
  (await h.octokit.rest.pulls.list({ owner: 'acme', repo: name, state: 'open' })).data.sort((a, b) =>
    a.head.ref.localeCompare(b.head.ref),
  );

const writes = () => h.sandbox.counters().byKind['write'] ?? 0;

describe('cutter draft-release --package', { timeout: 300_000 }, () => {
  it('drafts the very PR that PR mode keeps for the package on push: a re-run over it writes nothing', async () => {
    const name = 'mono-draft-same';
    const repo = await monorepo(name);
    const pushed = await release({ repo: { owner: 'acme', name }, push: await pushFacts(repo) });
    expect(pushed.task.status).toBe('done');
    const [api, web] = await openPrs(name);
    expect([api?.head.ref, web?.head.ref]).toEqual(['release-api@1.1.0', 'release-web-v1.0.1']);
    const changelog = (await readRepoFile(gh, { owner: 'acme', name }, 'packages/api/CHANGELOG.md', api!.head.ref))!;
    const date = /\((\d{4}-\d\d-\d\d)\)/.exec(changelog)?.[1] ?? '';

    const plan = await cutter([
      'draft-release',
      'minor',
      '--package',
      'api',
      '--repo',
      `acme/${name}`,
      '--date',
      date,
      '--dry-run',
      '--json',
    ]);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({
      tag: 'api@1.1.0',
      previousTag: 'api@1.0.0',
      branch: api!.head.ref,
      title: api!.title,
      body: api!.body,
      commits: 1,
      files: [
        { path: 'packages/api/package.json', changed: true },
        { path: 'packages/api/CHANGELOG.md', changed: true },
      ],
      dryRun: true,
      pr: null,
    });

    const before = writes();
    const run = await cutter(['draft-release', 'minor', '--package', 'api', '--repo', `acme/${name}`, '--date', date]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Drafted api@1.1.0 (api@1.0.0 → 1.1.0, 1 commits) on release-api@1.1.0 from main@`);
    expect(run.stdout).toContain('  unchanged packages/api/package.json\n  unchanged packages/api/CHANGELOG.md\n');
    expect(run.stdout).toContain(`Updated draft PR #${api!.number}`);
    // Same branch, same bytes in every file, same title and body: nothing to write.
    expect(writes()).toBe(before);
    expect((await openPrs(name)).map((p) => p.number)).toEqual([api!.number, web!.number]);
  });

  it('plans with --dry-run without writing, then opens the package PR that merging releases as that package', async () => {
    const name = 'mono-draft-web';
    await monorepo(name);
    const before = writes();
    const plan = await cutter([
      'draft-release',
      'minor',
      '--package',
      'web',
      '--repo',
      `acme/${name}`,
      '--date',
      '2026-11-25',
      '--dry-run',
    ]);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /^Would draft web-v1\.1\.0 \(web-v1\.0\.0 → 1\.1\.0, 1 commits\) on release-web-v1\.1\.0 from main@/,
    );
    expect(plan.stdout).toContain('  edit packages/web/CHANGELOG.md\n');
    expect(plan.stdout).toContain('fix the typo');
    expect(plan.stdout).not.toContain('search');
    expect(writes()).toBe(before);
    expect((await h.octokit.rest.repos.listBranches({ owner: 'acme', repo: name })).data.map((b) => b.name)).toEqual([
      'main',
    ]);
    expect(await openPrs(name)).toEqual([]);

    const run = await cutter([
      'draft-release',
      'minor',
      '--package',
      'web',
      '--repo',
      `acme/${name}`,
      '--date',
      '2026-11-25',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const drafted = JSON.parse(run.stdout) as { pr: { number: number; created: boolean } };
    expect(drafted.pr.created).toBe(true);
    const [pr] = await openPrs(name);
    expect(pr).toMatchObject({ number: drafted.pr.number, title: 'chore(release): web-v1.1.0', draft: true });
    expect(pr!.head.ref).toBe('release-web-v1.1.0');
    expect(pr!.body).toContain('fix the typo');
    expect(pr!.body).not.toContain('search');
    const changelog = await readRepoFile(gh, { owner: 'acme', name }, 'packages/web/CHANGELOG.md', pr!.head.ref);
    expect(changelog).toMatch(/## \[1\.1\.0\][^\n]*2026-11-25/);
    expect(await readRepoFile(gh, { owner: 'acme', name }, 'CHANGELOG.md', pr!.head.ref)).toBeNull();

    // Merged, it is released as web's, like a PR mode package PR.
    const { data: merge } = await readyAndMerge(h.octokit, { owner: 'acme', repo: name, pull_number: pr!.number });
    const { data: merged } = await h.octokit.rest.pulls.get({ owner: 'acme', repo: name, pull_number: pr!.number });
    const done = await release({
      repo: { owner: 'acme', name },
      releasePr: {
        number: merged.number,
        branch: merged.head.ref,
        base: merged.base.ref,
        headSha: merged.head.sha,
        mergeSha: merge.sha,
        body: merged.body ?? '',
      },
    } as never);
    expect(done.task.status).toBe('done');
    const remote = await remoteTags(h, name);
    expect([...remote.keys()].filter((k) => !k.endsWith('^{}')).sort()).toEqual([
      'api@1.0.0',
      'web-v1.0.0',
      'web-v1.1.0',
    ]);
    expect(remote.get('web-v1.1.0^{}')).toBe(merge.sha);
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: name });
    expect(releases.map((r) => r.tag_name)).toEqual(['web-v1.1.0']);
  });

  it('refuses an unknown package, naming the configured ones, and --package in a repo without packages', async () => {
    await monorepo('mono-draft-bad');
    const unknown = await cutter(['draft-release', 'minor', '--package', 'apps', '--repo', 'acme/mono-draft-bad']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'CUTTER_BAD_INPUT: --package "apps" is not a package of acme/mono-draft-bad — configured packages: api, web',
    );

    await sandboxRepo(h, 'single-draft', ['feat: first'], { 'package.json': '{\n  "version": "1.0.0"\n}\n' });
    const before = writes();
    const single = await cutter(['draft-release', 'minor', '--package', 'api', '--repo', 'acme/single-draft']);
    expect(single.code).toBe(2);
    expect(single.stderr).toContain('CUTTER_BAD_INPUT: --package "api": acme/single-draft configures no packages');
    expect(single.stderr).toContain('leave --package out');
    expect(writes()).toBe(before);
  });
});
