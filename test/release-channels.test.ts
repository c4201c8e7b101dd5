// Channels through the release flow on the sandbox: a beta line, its promotion to stable, and a hotfix on a
// maintenance branch while main is already a major ahead. Prereleases and maintenance releases never become latest.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubClient } from '../src/github/client.js';
import type { ReleaseTaskData } from '../src/steps/release-data.js';
import { runRelease } from '../src/steps/run-release.js';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import { pushFacts, type SandboxRepo, sandboxClient, sandboxRepo, tempStore } from './release-flow-support.js';
import { gitOk, type Harness, startSandbox } from './sandbox-harness.js';

let h: Harness;
let gh: GitHubClient;
const stores: SqliteStore[] = [];

beforeAll(async () => {
  h = await startSandbox();
  gh = await sandboxClient(h);
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const CHANNELS = `branches:
  - { name: main }
  - { name: next, prerelease: rc }
  - { name: beta, prerelease: beta }
  - { name: alpha, prerelease: alpha }
  - { name: "release/*", prerelease: rc }
  - { name: "1.x", range: "1.x" }
  - { name: "1.2.x", range: "1.2.x" }
`;

/** Commit on `branch` (created from `from` when new), push it, and run the release a push webhook would start. */
async function pushAndRelease(repo: SandboxRepo, branch: string, messages: string[], from?: string) {
  await gitOk(repo.dir, from ? ['checkout', '-q', '-B', branch, from] : ['checkout', '-q', branch]);
  for (const m of messages) await gitOk(repo.dir, ['commit', '-q', '--allow-empty', '-m', m]);
  await gitOk(repo.dir, ['push', '-q', 'origin', `HEAD:refs/heads/${branch}`]);
  repo.head = await gitOk(repo.dir, ['rev-parse', 'HEAD']);
  const store = await tempStore();
  stores.push(store);
  const data: ReleaseTaskData = {
    repo: { owner: 'acme', name: repo.name },
    push: await pushFacts(repo, { ref: `refs/heads/${branch}` }),
  };
  const { task } = await runRelease({ store, deps: { github: gh, env: {} }, data, timeoutMs: 120_000 });
  expect(task.error).toBeNull();
  expect(task.status).toBe('done');
  return (task.data as unknown as ReleaseTaskData).release ?? {};
}

async function releaseOf(repo: SandboxRepo, tag: string) {
  return (await gh.rest.repos.getReleaseByTag({ owner: 'acme', repo: repo.name, tag })).data;
}

async function latestRelease(repo: SandboxRepo): Promise<string> {
  return (await gh.rest.repos.getLatestRelease({ owner: 'acme', repo: repo.name })).data.tag_name;
}

describe('release channels', { timeout: 300_000 }, () => {
  it('runs a beta line (2.0.0-beta.1, -beta.2) as prereleases, then promotes it to 2.0.0 on main', async () => {
    const repo = await sandboxRepo(h, 'channel-beta', ['feat: first'], { '.cutter.yml': CHANNELS });
    expect((await pushAndRelease(repo, 'main', ['fix: settle'])).nextTag).toBe('v1.0.0');

    const beta1 = await pushAndRelease(repo, 'beta', ['feat!: new connector API'], 'main');
    expect(beta1).toMatchObject({ channel: 'beta', next: '2.0.0-beta.1', prerelease: true, makeLatest: false });
    expect(await releaseOf(repo, 'v2.0.0-beta.1')).toMatchObject({ prerelease: true });
    const beta2 = await pushAndRelease(repo, 'beta', ['fix: beta feedback']);
    expect(beta2.next).toBe('2.0.0-beta.2');
    expect(await latestRelease(repo)).toBe('v1.0.0');

    await gitOk(repo.dir, ['checkout', '-q', 'main']);
    await gitOk(repo.dir, ['merge', '-q', '--ff-only', 'beta']);
    const stable = await pushAndRelease(repo, 'main', []);
    expect(stable).toMatchObject({ next: '2.0.0', prerelease: false, makeLatest: true });
    expect(stable.channel ?? null).toBeNull();
    expect(await releaseOf(repo, 'v2.0.0')).toMatchObject({ prerelease: false });
    expect(await latestRelease(repo)).toBe('v2.0.0');
  });

  it('cuts rc and alpha prereleases from next, release/* and alpha', async () => {
    const repo = await sandboxRepo(h, 'channel-rc', ['feat: first'], { '.cutter.yml': CHANNELS });
    await pushAndRelease(repo, 'main', []);
    expect((await pushAndRelease(repo, 'next', ['feat: next thing'], 'main')).next).toBe('1.1.0-rc.1');
    expect((await pushAndRelease(repo, 'release/1.1', ['fix: rc fix'], 'next')).next).toBe('1.1.0-rc.2');
    expect((await pushAndRelease(repo, 'alpha', ['feat!: experiment'], 'main')).next).toBe('2.0.0-alpha.1');
    expect(await latestRelease(repo)).toBe('v1.0.0');
  });

  it('releases a hotfix 1.2.4 on the 1.x maintenance branch while main is at 2.0.0, and refuses a feat on 1.2.x', async () => {
    const repo = await sandboxRepo(h, 'channel-hotfix', ['feat: first'], { '.cutter.yml': CHANNELS });
    await gitOk(repo.dir, ['tag', '-a', 'v1.2.3', '-m', 'v1.2.3']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'v1.2.3']);
    expect((await pushAndRelease(repo, 'main', ['feat!: drop the v1 API'])).next).toBe('2.0.0');

    const hotfix = await pushAndRelease(repo, '1.x', ['fix: CVE in the v1 client'], 'v1.2.3');
    expect(hotfix).toMatchObject({ latest: { tag: 'v1.2.3' }, next: '1.2.4', prerelease: false, makeLatest: false });
    expect(await releaseOf(repo, 'v1.2.4')).toMatchObject({ prerelease: false });
    expect(await latestRelease(repo)).toBe('v2.0.0');

    // A stable release on main after that still reads main's own line, not the maintenance range.
    expect((await pushAndRelease(repo, 'main', ['fix: main fix'])).next).toBe('2.0.1');

    await gitOk(repo.dir, ['fetch', '-q', '--tags', 'origin']);
    await gitOk(repo.dir, ['checkout', '-q', '-B', '1.2.x', 'v1.2.4']);
    await gitOk(repo.dir, ['commit', '-q', '--allow-empty', '-m', 'feat: not for a patch line']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'HEAD:refs/heads/1.2.x']);
    repo.head = await gitOk(repo.dir, ['rev-parse', 'HEAD']);
    const store = await tempStore();
    stores.push(store);
    const { task } = await runRelease({
      store,
      deps: { github: gh, env: {} },
      data: { repo: { owner: 'acme', name: repo.name }, push: await pushFacts(repo, { ref: 'refs/heads/1.2.x' }) },
      timeoutMs: 120_000,
    });
    expect(task.status).toBe('done');
    expect((task.data as unknown as ReleaseTaskData).skipped?.reason).toMatch(/1\.2\.x/);
  });
});
