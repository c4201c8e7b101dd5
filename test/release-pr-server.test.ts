// Release PRs through the real server and the sandbox's webhooks: PR mode, merged release PRs, refusals, PR lint.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServe } from '../src/server/serve.js';
import { silentLogger } from '../src/server/server-logger.js';
import type { TaskRecord } from '../src/store/types.js';
import { pushCommits, remoteTags, type SandboxRepo, sandboxRepo } from './release-flow-support.js';
import { gitOk, type Harness, readyAndMerge, startSandbox, TOKEN } from './sandbox-harness.js';

const SECRET = 'release-pr-server-secret';
const PACKAGE_JSON = '{\n  "name": "widget",\n  "version": "1.2.0"\n}\n';
const PR_MODE = 'release:\n  mode: pr\nversionFiles:\n  - path: package.json\n';

let h: Harness;
let server: RunningServer;
let dbDir: string;

async function settled(key?: string, timeoutMs = 180_000): Promise<TaskRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await h.sandbox.webhookDispatcher?.whenIdle();
    const { tasks } = await server.store.listTasks({ limit: 500 });
    const mine = key ? tasks.filter((t) => t.key.startsWith(key)) : tasks;
    if (tasks.every((t) => ['done', 'failed', 'cancelled'].includes(t.status))) return mine;
    if (Date.now() > deadline) throw new Error(`tasks unfinished: ${JSON.stringify(tasks.map((t) => t.status))}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  h = await startSandbox();
  dbDir = await mkdtemp(join(tmpdir(), 'cutter-release-pr-'));
  server = await startServe({
    db: join(dbDir, 'cutter.db'),
    port: 0,
    env: { CUTTER_WEBHOOK_SECRET: SECRET, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: h.url },
    logger: silentLogger,
    pollMs: 20,
  });
  await h.octokit.rest.orgs.createWebhook({
    org: 'acme',
    name: 'web',
    events: ['push', 'pull_request'],
    config: { url: `${server.url}/webhooks/github`, content_type: 'json', secret: SECRET },
  });
});
afterAll(async () => {
  await server?.close();
  await h?.close();
  await rm(dbDir, { recursive: true, force: true });
});

/** Tag names on the remote (ls-remote also lists peeled `^{}` lines). */
const tagNames = async (repo: string) =>
  [...(await remoteTags(h, repo)).keys()].filter((k) => !k.endsWith('^{}')).sort();

const openReleasePrs = async (repo: string) =>
  (await h.octokit.rest.pulls.list({ owner: 'acme', repo, state: 'open' })).data.filter((p) =>
    p.head.ref.startsWith('release-'),
  );

/** A repo released as v1.2.0 whose pushes to main maintain a release PR. */
async function prModeRepo(name: string): Promise<SandboxRepo> {
  const repo = await sandboxRepo(h, name, ['chore: start'], { 'package.json': PACKAGE_JSON, '.cutter.yml': PR_MODE });
  await gitOk(repo.dir, ['tag', '-a', 'v1.2.0', '-m', 'v1.2.0']);
  await gitOk(repo.dir, ['push', '-q', 'origin', 'v1.2.0']);
  await settled();
  return repo;
}

async function branchWith(repo: SandboxRepo, branch: string, messages: string[]): Promise<string> {
  await gitOk(repo.dir, ['checkout', '-q', '-B', branch, 'origin/main']);
  for (const m of messages) await gitOk(repo.dir, ['commit', '-q', '--allow-empty', '-m', m]);
  await gitOk(repo.dir, ['push', '-q', 'origin', `${branch}:refs/heads/${branch}`]);
  const sha = await gitOk(repo.dir, ['rev-parse', 'HEAD']);
  await gitOk(repo.dir, ['checkout', '-q', 'main']);
  return sha;
}

describe('release PRs through cutter serve', { timeout: 300_000 }, () => {
  it('PR mode: pushes keep one release PR up to date; merging it tags the merge commit and publishes', async () => {
    const name = 'widget-pr-mode';
    const repo = await prModeRepo(name);

    await pushCommits(repo, ['feat: export to CSV']);
    await settled();
    const first = await openReleasePrs(name);
    expect(first.map((p) => [p.head.ref, p.draft])).toEqual([['release-v1.3.0', true]]);

    await pushCommits(repo, ['fix: keep the header row']);
    await settled();
    const second = await openReleasePrs(name);
    expect(second.map((p) => p.number)).toEqual([first[0]?.number]);
    expect(second[0]?.body).toContain('keep the header row');
    expect(second[0]?.body).toContain('export to CSV');

    // a breaking change renames the release: the old PR is closed as superseded, one stays open
    await pushCommits(repo, ['feat!: drop the v1 API']);
    await settled();
    const third = await openReleasePrs(name);
    expect(third.map((p) => p.head.ref)).toEqual(['release-v2.0.0']);
    const old = await h.octokit.rest.pulls.get({ owner: 'acme', repo: name, pull_number: first[0]!.number });
    expect(old.data.state).toBe('closed');
    expect(await tagNames(name)).toEqual(['v1.2.0']);

    const pr = third[0]!;
    const { data: merged } = await readyAndMerge(h.octokit, { owner: 'acme', repo: name, pull_number: pr.number });
    const tasks = await settled(`acme/${name}`);
    expect(await tagNames(name)).toEqual(['v1.2.0', 'v2.0.0']);
    const tagCommit = await gitOk(repo.dir, ['ls-remote', h.remote('acme', name), 'refs/tags/v2.0.0^{}']);
    expect(tagCommit.split('\t')[0]).toBe(merged.sha);
    const { data: release } = await h.octokit.rest.repos.getReleaseByTag({ owner: 'acme', repo: name, tag: 'v2.0.0' });
    expect(release.body).toContain('drop the v1 API');
    expect(release.draft).toBe(false);
    // the merge's own push was recognised and skipped: one release, no new release PR
    const skipped = tasks.map((t) => (t.data as { skipped?: { reason: string } }).skipped?.reason ?? '');
    expect(skipped.some((r) => /merges a release PR/.test(r))).toBe(true);
    expect(await openReleasePrs(name)).toEqual([]);
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: name });
    expect(releases.map((r) => r.tag_name)).toEqual(['v2.0.0']);
    const main = await h.octokit.rest.repos.getContent({ owner: 'acme', repo: name, path: 'package.json' });
    expect(Buffer.from((main.data as { content: string }).content, 'base64').toString()).toContain('"2.0.0"');
    expect(tasks.filter((t) => t.status === 'failed')).toEqual([]);
  });

  it('refuses a merged release-* PR whose branch names no version, with a failed status on the PR', async () => {
    const name = 'widget-bad-branch';
    const repo = await prModeRepo(name);
    const head = await branchWith(repo, 'release-next', ['fix: a fix on a badly named branch']);
    const { data: pr } = await h.octokit.rest.pulls.create({
      owner: 'acme',
      repo: name,
      head: 'release-next',
      base: 'main',
      title: 'fix: a fix on a badly named branch',
    });
    await settled();
    const { data: merged } = await h.octokit.rest.pulls.merge({ owner: 'acme', repo: name, pull_number: pr.number });
    const tasks = await settled(`acme/${name}`);
    const refused = tasks.find((t) => (t.data as { releasePr?: unknown }).releasePr !== undefined);
    expect(refused?.status).toBe('done');
    expect((refused?.data as { skipped?: { reason: string } } | undefined)?.skipped?.reason).toMatch(
      /merged branch "release-next" does not name a valid version/,
    );
    for (const sha of [head, merged.sha]) {
      const { data: statuses } = await h.octokit.rest.repos.listCommitStatusesForRef({
        owner: 'acme',
        repo: name,
        ref: sha,
      });
      expect(statuses.find((s) => s.context === 'cutter/release')).toMatchObject({ state: 'failure' });
    }
    expect(await tagNames(name)).toEqual(['v1.2.0']);
  });

  it('posts cutter/lint on opened and synchronized PRs: success for conventional commits, failure naming the problem', async () => {
    const name = 'widget-lint';
    const repo = await prModeRepo(name);
    const good = await branchWith(repo, 'feature-good', ['feat(api): add paging']);
    await h.octokit.rest.pulls.create({
      owner: 'acme',
      repo: name,
      head: 'feature-good',
      base: 'main',
      title: 'feat(api): add paging',
    });
    const bad = await branchWith(repo, 'feature-bad', ['Add stuff.']);
    const { data: badPr } = await h.octokit.rest.pulls.create({
      owner: 'acme',
      repo: name,
      head: 'feature-bad',
      base: 'main',
      title: 'feat: add stuff',
    });
    await settled();
    const lint = async (sha: string) =>
      (await h.octokit.rest.repos.listCommitStatusesForRef({ owner: 'acme', repo: name, ref: sha })).data.find(
        (s) => s.context === 'cutter/lint',
      );
    expect(await lint(good)).toMatchObject({ state: 'success' });
    const failed = await lint(bad);
    expect(failed?.state).toBe('failure');
    expect(failed?.description).toMatch(/Add stuff/);

    // pushing to the PR's branch raises synchronize: the new head gets its own verdict
    await gitOk(repo.dir, ['checkout', '-q', 'feature-bad']);
    await gitOk(repo.dir, ['commit', '-q', '--allow-empty', '-m', 'fix: tidy up']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'feature-bad']);
    const next = await gitOk(repo.dir, ['rev-parse', 'HEAD']);
    await gitOk(repo.dir, ['checkout', '-q', 'main']);
    await settled();
    expect((await lint(next))?.state).toBe('failure');
    const tasks = (await server.store.listTasks({ key: `acme/${name}#${badPr.number}` })).tasks;
    expect(tasks.map((t) => t.status)).toEqual(['done', 'done']);
  });
});
