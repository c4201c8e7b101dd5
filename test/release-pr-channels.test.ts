// PR mode beyond one stable line, through cutter serve and the sandbox's webhooks: one release PR per monorepo
// package (merging one releases only that package), and release PRs on a prerelease branch.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServe } from '../src/server/serve.js';
import { silentLogger } from '../src/server/server-logger.js';
import type { TaskRecord } from '../src/store/types.js';
import { commitFile, PR_MODE_MONOREPO, remoteTags, type SandboxRepo, sandboxRepo } from './release-flow-support.js';
import { gitOk, type Harness, readyAndMerge, startSandbox, TOKEN } from './sandbox-harness.js';

const SECRET = 'release-pr-channels-secret';

let h: Harness;
let server: RunningServer;
let dbDir: string;

async function settled(timeoutMs = 240_000): Promise<TaskRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await h.sandbox.webhookDispatcher?.whenIdle();
    const { tasks } = await server.store.listTasks({ limit: 500 });
    if (tasks.every((t) => ['done', 'failed', 'cancelled'].includes(t.status))) return tasks;
    if (Date.now() > deadline) throw new Error(`tasks unfinished: ${JSON.stringify(tasks.map((t) => t.status))}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  h = await startSandbox();
  dbDir = await mkdtemp(join(tmpdir(), 'cutter-release-pr-channels-'));
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

const tagNames = async (repo: string) =>
  [...(await remoteTags(h, repo)).keys()].filter((k) => !k.endsWith('^{}')).sort();

const openReleasePrs = async (repo: string, base?: string) =>
  (await h.octokit.rest.pulls.list({ owner: 'acme', repo, state: 'open', ...(base ? { base } : {}) })).data
    .filter((p) => p.head.ref.startsWith('release-'))
    .sort((a, b) => a.head.ref.localeCompare(b.head.ref));

async function fileOn(repo: string, path: string, ref: string): Promise<string> {
  const { data } = await h.octokit.rest.repos.getContent({ owner: 'acme', repo, path, ref });
  return Buffer.from((data as { content: string }).content, 'base64').toString();
}

async function tag(repo: SandboxRepo, ...names: string[]) {
  for (const n of names) await gitOk(repo.dir, ['tag', '-a', n, '-m', n]);
  await gitOk(repo.dir, ['push', '-q', 'origin', ...names]);
}

describe('PR mode for monorepo packages and prerelease branches', { timeout: 600_000 }, () => {
  it('keeps one release PR per package; merging one tags and publishes only that package', async () => {
    const name = 'mono-pr-mode';
    const repo = await sandboxRepo(h, name, ['chore: start'], {
      '.cutter.yml': PR_MODE_MONOREPO,
      'packages/api/package.json': '{\n  "name": "api",\n  "version": "1.0.0"\n}\n',
      'packages/web/index.js': 'export {};\n',
    });
    await tag(repo, 'api@1.0.0', 'web@1.0.0');
    await settled();

    await commitFile(repo, 'packages/api/search.js', 'export const search = 1;\n', 'feat(api): search');
    await settled();
    await commitFile(repo, 'packages/web/index.js', 'export const x = 1;\n', 'fix(web): fix the typo');
    const tasks = await settled();
    expect(tasks.filter((t) => t.status === 'failed').map((t) => t.error)).toEqual([]);
    const prs = await openReleasePrs(name);
    expect(prs.map((p) => [p.head.ref, p.draft])).toEqual([
      ['release-api@1.1.0', true],
      ['release-web@1.0.1', true],
    ]);
    const api = prs[0]!;
    expect(api.body).toContain('search');
    expect(api.body).not.toContain('fix the typo');
    expect(await fileOn(name, 'packages/api/package.json', api.head.ref)).toContain('"version": "1.1.0"');
    expect(await fileOn(name, 'packages/api/CHANGELOG.md', api.head.ref)).toContain('1.1.0');

    await readyAndMerge(h.octokit, { owner: 'acme', repo: name, pull_number: api.number });
    const after = await settled();
    expect(after.filter((t) => t.status === 'failed').map((t) => t.error)).toEqual([]);
    expect(await tagNames(name)).toEqual(['api@1.0.0', 'api@1.1.0', 'web@1.0.0']);
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: name });
    expect(releases.map((r) => r.tag_name)).toEqual(['api@1.1.0']);
    expect((await openReleasePrs(name)).map((p) => p.head.ref)).toEqual(['release-web@1.0.1']);
  });

  it('opens a release PR for 2.0.0-beta.1 on the beta branch; merging it tags a release marked prerelease', async () => {
    const name = 'beta-pr-mode';
    const repo = await sandboxRepo(h, name, ['chore: start'], {
      '.cutter.yml': 'release:\n  mode: pr\nversionFiles:\n  - path: package.json\n',
      'package.json': '{\n  "name": "beta-pr-mode",\n  "version": "1.2.0"\n}\n',
    });
    await tag(repo, 'v1.2.0');
    await settled();

    await gitOk(repo.dir, ['checkout', '-q', '-b', 'beta']);
    await commitFile(repo, 'src/api.js', 'export const v2 = true;\n', 'feat!: the v2 API', 'beta');
    const tasks = await settled();
    expect(tasks.filter((t) => t.status === 'failed').map((t) => t.error)).toEqual([]);
    const prs = await openReleasePrs(name, 'beta');
    expect(prs.map((p) => [p.head.ref, p.base.ref, p.draft])).toEqual([['release-v2.0.0-beta.1', 'beta', true]]);
    expect(await fileOn(name, 'package.json', prs[0]!.head.ref)).toContain('"version": "2.0.0-beta.1"');
    expect(await tagNames(name)).toEqual(['v1.2.0']);

    await readyAndMerge(h.octokit, { owner: 'acme', repo: name, pull_number: prs[0]!.number });
    const after = await settled();
    expect(after.filter((t) => t.status === 'failed').map((t) => t.error)).toEqual([]);
    expect(await tagNames(name)).toEqual(['v1.2.0', 'v2.0.0-beta.1']);
    const { data: release } = await h.octokit.rest.repos.getReleaseByTag({
      owner: 'acme',
      repo: name,
      tag: 'v2.0.0-beta.1',
    });
    expect(release.prerelease).toBe(true);
    expect(release.draft).toBe(false);
  });
});
