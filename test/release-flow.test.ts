// The single-repository release flow end to end on the sandbox: real git, real HTTP, real Octokit, real SQLite.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubClient } from '../src/github/client.js';
import { ensureAnnotatedTag, ensureRelease } from '../src/github/repo-api.js';
import { type RecordingReceiver, startRecordingReceiver } from '../src/notify/recording-receiver.js';
import { blockKitViolations, type SlackPayload } from '../src/notify/slack-blocks.js';
import type { ReleaseTaskData } from '../src/steps/release-data.js';
import { releaseFlow } from '../src/steps/release-flow.js';
import { runRelease } from '../src/steps/run-release.js';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import { pushCommits, pushFacts, remoteTags, sandboxClient, sandboxRepo, tempStore } from './release-flow-support.js';
import { gitOk, type Harness, startSandbox } from './sandbox-harness.js';

let h: Harness;
let gh: GitHubClient;
let slack: RecordingReceiver;
const stores: SqliteStore[] = [];
const SLACK_URL_ENV = 'SLACK_RELEASES_URL';

beforeAll(async () => {
  [h, slack] = await Promise.all([startSandbox(), startRecordingReceiver()]);
  gh = await sandboxClient(h);
});
afterAll(async () => {
  await Promise.all([h.close(), slack.close()]);
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function release(data: ReleaseTaskData) {
  const store = await tempStore();
  stores.push(store);
  const r = await runRelease({
    store,
    deps: {
      github: gh,
      env: { [SLACK_URL_ENV]: `${slack.url}/services/T0/B0/secret` },
      notifyOptions: { baseDelayMs: 5 },
    },
    data,
    engine: { retry: { baseMs: 10, maxMs: 200 } },
    timeoutMs: 200_000,
  });
  if (process.env.DEBUG_RELEASE)
    for (const e of r.log)
      console.log(e.step, e.durationMs, e.outcome, JSON.stringify(e.error), JSON.stringify(e.messages));
  return r;
}

const acme = (name: string) => ({ owner: 'acme', name });

describe('the release flow table', () => {
  it('reads as the seed: one step per line with its condition shape', () => {
    const table = releaseFlow.describe();
    expect(table.split('\n').map((l) => l.split(/\s+/)[0])).toEqual([
      'classify',
      'release-pr-merged',
      'load-config',
      'package-fan-out',
      'latest-tag',
      'next-version',
      'dry-run-stop',
      'release-pr-update',
      'checks-gate',
      'freeze-gate',
      'tag',
      'create-release',
      'upload-assets',
      'confirm',
      'supply',
      'supply-keyless',
      'notify',
      'verify',
      'verify-signed-elsewhere',
    ]);
    expect(table).toContain('config: { supply: { publicKeys: Array, signingKey: null, keyless: null } }');
    expect(table).toContain('config: { supply: { keyless: Object, signingKey: null } }');
    expect(table).toContain('release: { next: String, tagged: null }');
    // Monorepos only: an empty package list is left out of the data, so other repositories never see this step.
    expect(table).toContain('config: { packages: Array }, package: null');
    expect(table).toContain('release: { released: { url: String }, notified: null }');
  });
});

// Each test drives real git and a real HTTP server many times: generous on a shared, loaded machine.
describe('releasing a repository from a push to main', { timeout: 240_000 }, () => {
  it('creates exactly one annotated tag and one release with the notes, and posts to Slack', async () => {
    const repo = await sandboxRepo(h, 'connector-feats', ['feat: first connector', 'fix: handle empty pages'], {
      '.cutter.yml': `notify:\n  team:\n    type: slack-webhook\n    urlEnv: ${SLACK_URL_ENV}\n`,
    });
    await gitOk(repo.dir, ['tag', '-a', 'v1.2.0', '-m', 'v1.2.0']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'v1.2.0']);
    await pushCommits(repo, ['feat(api): stream results', 'fix: retry on reset', 'docs: explain paging']);
    const before = slack.received.length;

    const { task, log } = await release({ repo: acme(repo.name), push: await pushFacts(repo) });

    expect(task.status).toBe('done');
    expect(log.map((e) => e.step)).toEqual([
      'classify',
      'latest-tag',
      'next-version',
      'checks-gate',
      'freeze-gate',
      'tag',
      'create-release',
      'confirm',
      'notify',
    ]);
    const state = task.data['release'] as Record<string, unknown>;
    expect(state).toMatchObject({ next: '1.3.0', nextTag: 'v1.3.0', bump: 'minor', commitCount: 3 });
    expect(state['causes']).toEqual([
      { hash: expect.any(String), header: 'feat(api): stream results', bump: 'minor', why: 'feat → minor' },
    ]);
    expect(state['commits']).toEqual({
      total: 3,
      byType: { feat: 1, fix: 1, docs: 1 },
      nonConventional: 0,
      skipped: 0,
      ignoredAuthors: 0,
    });
    // Lead time starts at the release's earliest commit, not at the push that triggered it.
    const dates = (await gitOk(repo.dir, ['log', '--format=%aI', 'v1.2.0..HEAD'])).split('\n').map(Date.parse);
    expect(Date.parse(String(state['firstCommitAt']))).toBe(Math.min(...dates));

    const tags = await remoteTags(h, repo.name);
    expect([...tags.keys()].sort()).toEqual(['v1.2.0', 'v1.2.0^{}', 'v1.3.0', 'v1.3.0^{}']);
    expect(tags.get('v1.3.0^{}')).toBe(repo.head);
    await gitOk(repo.dir, ['fetch', '-q', '--tags', 'origin']);
    expect(await gitOk(repo.dir, ['cat-file', '-t', 'v1.3.0'])).toBe('tag');

    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: repo.name });
    expect(releases.map((r) => r.tag_name)).toEqual(['v1.3.0']);
    const body = releases[0]?.body ?? '';
    expect(body).toContain('stream results');
    expect(body).toContain('retry on reset');
    expect(body).not.toContain('explain paging');
    expect(releases[0]?.draft).toBe(false);
    expect(state['released']).toMatchObject({ url: releases[0]?.html_url });

    const posts = slack.received.slice(before);
    expect(posts).toHaveLength(1);
    const payload = posts[0]?.body as unknown as SlackPayload;
    expect(blockKitViolations(payload)).toEqual([]);
    expect(payload.text).toContain('1.3.0');
    // The repository links to the sandbox it was released on, not to github.com.
    expect(JSON.stringify(payload.blocks)).toContain(`<${h.url}/acme/${repo.name}|acme/${repo.name}>`);
    expect(JSON.stringify(payload.blocks)).not.toContain('github.com');
    expect(state['notified']).toEqual([{ channel: 'team', ok: true }]);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('adopts the tag and release a crashed earlier attempt left behind, creating no duplicates', async () => {
    const repo = await sandboxRepo(h, 'connector-crashed', ['feat: one']);
    // The earlier attempt got as far as the tag and the release, then died before recording them.
    await ensureAnnotatedTag(gh, acme(repo.name), { tag: 'v1.0.0', sha: repo.head, message: 'v1.0.0' });
    await ensureRelease(gh, acme(repo.name), {
      tag: 'v1.0.0',
      name: 'v1.0.0',
      body: 'notes',
      draft: false,
      prerelease: false,
      targetCommitish: repo.head,
    });
    const { task } = await release({
      repo: acme(repo.name),
      release: { head: repo.head, branch: 'main', latest: { tag: null, version: null, commit: null } },
    });
    expect(task.status).toBe('done');
    expect(task.data['release']).toMatchObject({
      next: '1.0.0',
      tagged: { tag: 'v1.0.0', adopted: true },
      published: { adopted: true },
    });
    const tags = await remoteTags(h, repo.name);
    expect([...tags.keys()].filter((t) => !t.endsWith('^{}'))).toEqual(['v1.0.0']);
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: repo.name });
    expect(releases).toHaveLength(1);
  });

  it('re-running a finished release from its tag step adopts everything and changes nothing', async () => {
    const repo = await sandboxRepo(h, 'connector-rerun', ['feat: one', 'fix: two']);
    const first = await release({ repo: acme(repo.name), push: await pushFacts(repo) });
    expect(first.task.status).toBe('done');
    const state = first.task.data['release'] as Record<string, unknown>;
    const again = await release({
      ...(first.task.data as unknown as ReleaseTaskData),
      release: { ...state, tagged: undefined, published: undefined, released: undefined, notified: undefined },
    });
    expect(again.task.status).toBe('done');
    expect(again.task.data['release']).toMatchObject({ tagged: { adopted: true }, published: { adopted: true } });
    const rerunPush = await release({ repo: acme(repo.name), push: await pushFacts(repo) });
    expect(rerunPush.task.data['skipped']).toEqual({ reason: 'no commits since v1.0.0' });
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: repo.name });
    expect(releases.map((r) => r.tag_name)).toEqual(['v1.0.0']);
    expect([...(await remoteTags(h, repo.name)).keys()].filter((t) => !t.endsWith('^{}'))).toEqual(['v1.0.0']);
  });

  it('fails with CUTTER_TAG_CONFLICT when the next tag already names another commit, and leaves it alone', async () => {
    const repo = await sandboxRepo(h, 'connector-conflict', ['feat: one']);
    await gitOk(repo.dir, ['tag', '-a', 'v1.0.0', '-m', 'v1.0.0']);
    // Someone tagged v1.1.0 by hand on a side branch that never reached main.
    await gitOk(repo.dir, ['checkout', '-q', '-b', 'side']);
    await gitOk(repo.dir, ['commit', '-q', '--allow-empty', '-m', 'feat: experiment']);
    await gitOk(repo.dir, ['tag', '-a', 'v1.1.0', '-m', 'by hand']);
    const side = await gitOk(repo.dir, ['rev-parse', 'HEAD']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'v1.0.0', 'v1.1.0']);
    await gitOk(repo.dir, ['checkout', '-q', 'main']);
    await pushCommits(repo, ['feat: two']);
    const before = await remoteTags(h, repo.name);

    const { task, log } = await release({ repo: acme(repo.name), push: await pushFacts(repo) });

    expect(task.status).toBe('failed');
    expect(task.step).toBe('tag');
    expect(task.error).toMatchObject({ code: 'CUTTER_TAG_CONFLICT', transient: false });
    expect(task.error?.message).toContain(`tag v1.1.0 already points at ${side.slice(0, 7)}`);
    expect(task.error?.hint).toContain('fix forward');
    expect(log.filter((e) => e.step === 'tag')).toHaveLength(1);
    expect(
      log
        .find((e) => e.step === 'latest-tag')
        ?.messages.map((m) => m.message)
        .join('\n'),
    ).toContain('skipped tags not contained in');
    expect(await remoteTags(h, repo.name)).toEqual(before);
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: repo.name });
    expect(releases).toEqual([]);
  });

  it('releases the site repository with its t-prefixed tags', async () => {
    const repo = await sandboxRepo(h, 'site', ['feat: landing page'], { '.cutter.yml': "tagFormat: 't{version}'\n" });
    await gitOk(repo.dir, ['tag', '-a', 't2.4.1', '-m', 't2.4.1']);
    await gitOk(repo.dir, ['tag', '-a', 'v9.9.9', '-m', 'a foreign tag for this repository']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 't2.4.1', 'v9.9.9']);
    await pushCommits(repo, ['fix: broken footer link']);

    const { task } = await release({ repo: acme(repo.name), push: await pushFacts(repo) });

    expect(task.status).toBe('done');
    expect(task.data['release']).toMatchObject({
      latest: { tag: 't2.4.1', version: '2.4.1' },
      next: '2.4.2',
      nextTag: 't2.4.2',
      tagged: { ref: 'refs/tags/t2.4.2', adopted: false },
    });
    expect((await remoteTags(h, repo.name)).get('t2.4.2^{}')).toBe(repo.head);
    const { data: latest } = await h.octokit.rest.repos.getReleaseByTag({
      owner: 'acme',
      repo: repo.name,
      tag: 't2.4.2',
    });
    expect(latest.body).toContain('broken footer link');
  });

  it('stops a dry run before the tag with the plan in the task, writing nothing', async () => {
    const repo = await sandboxRepo(h, 'connector-dry', ['feat!: new wire format\n\nBREAKING CHANGE: v2 payloads']);
    const { task, log } = await release({
      repo: acme(repo.name),
      release: {},
      dryRun: true,
      trigger: 'cutter release',
    });
    expect(task.status).toBe('done');
    expect(log.map((e) => e.step)).toEqual(['load-config', 'latest-tag', 'next-version', 'dry-run-stop']);
    expect(task.data['release']).toMatchObject({ head: repo.head, branch: 'main', next: '1.0.0', nextTag: 'v1.0.0' });
    expect((task.data['release'] as { notes: string }).notes).toContain('new wire format');
    expect(await remoteTags(h, repo.name)).toEqual(new Map());
  });

  it('skips a [skip release] push and a docs-only push, saying why', async () => {
    const repo = await sandboxRepo(h, 'connector-quiet', ['feat: one']);
    await gitOk(repo.dir, ['tag', '-a', 'v1.0.0', '-m', 'v1.0.0']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'v1.0.0']);

    await pushCommits(repo, ['feat: not yet [skip release]']);
    const skipped = await release({ repo: acme(repo.name), push: await pushFacts(repo) });
    expect(skipped.task.status).toBe('done');
    expect(skipped.task.data['skipped']).toEqual({ reason: 'the head commit says [skip release]' });

    await pushCommits(repo, ['docs: readme', 'chore: tidy']);
    const docs = await release({ repo: acme(repo.name), push: await pushFacts(repo) });
    const why = docs.task.data['skipped'] as { reason: string; details: string[] };
    expect(why.reason).toMatch(/^no releasable commits since v1\.0\.0/);
    expect(why.details.join('\n')).toContain('docs: readme');
    expect(why.details.join('\n')).toContain('[skip release] → excluded');
    expect((await remoteTags(h, repo.name)).has('v1.1.0')).toBe(false);
  });
});
