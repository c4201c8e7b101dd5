// Release PRs on the sandbox: draft-release opens a draft PR, re-runs converge, merging tags and publishes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCutterError } from '../src/core/errors.js';
import type { GitHubClient } from '../src/github/client.js';
import { readRepoFile } from '../src/github/repo-api.js';
import { type DraftReleaseInput, draftRelease } from '../src/release-pr/draft-release.js';
import { isReleasePr, onReleasePrMerged } from '../src/release-pr/on-merged.js';
import { pushCommits, sandboxClient, sandboxRepo } from './release-flow-support.js';
import { gitOk, type Harness, readyAndMerge, startSandbox } from './sandbox-harness.js';

let h: Harness;
let gh: GitHubClient;

beforeAll(async () => {
  h = await startSandbox();
  gh = await sandboxClient(h, { requestTimeoutMs: 20_000 });
});
afterAll(async () => {
  await h.close();
});

const PACKAGE_JSON = '{\n  "name": "widget",\n  "version": "1.2.0",\n  "private": true\n}\n';

/** A repo released as v1.2.0, then a feature and a fix on main. */
async function releasedRepo(name: string) {
  const repo = await sandboxRepo(h, name, ['chore: start'], { 'package.json': PACKAGE_JSON });
  await gitOk(repo.dir, ['tag', '-a', 'v1.2.0', '-m', 'v1.2.0']);
  await gitOk(repo.dir, ['push', '-q', 'origin', 'v1.2.0']);
  await pushCommits(repo, ['feat: export to CSV', 'fix: keep the header row']);
  return repo;
}

function input(name: string, over: Partial<DraftReleaseInput> = {}): DraftReleaseInput {
  return {
    repo: { owner: 'acme', name },
    request: 'minor',
    tagFormat: 'v{version}',
    firstRelease: '1.0.0',
    versionFiles: [{ path: 'package.json' }],
    date: '2026-11-25',
    ...over,
  };
}

async function tagCommit(name: string, tag: string): Promise<string | null> {
  try {
    const { data } = await gh.rest.git.getRef({ owner: 'acme', repo: name, ref: `tags/${tag}` });
    if (data.object.type !== 'tag') return data.object.sha;
    const { data: t } = await gh.rest.git.getTag({ owner: 'acme', repo: name, tag_sha: data.object.sha });
    return t.object.sha;
  } catch {
    return null;
  }
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; line: string }> {
  try {
    await p;
  } catch (err) {
    if (isCutterError(err)) return { code: err.code, line: err.toLine() };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('cutter draft-release on GitHub', { timeout: 300_000 }, () => {
  it('opens a draft PR on release-v1.3.0 that bumps package.json and CHANGELOG.md, with the notes as body', async () => {
    await releasedRepo('widget');
    const r = await draftRelease(gh, input('widget'));
    expect(r).toMatchObject({ version: '1.3.0', tag: 'v1.3.0', previousTag: 'v1.2.0', branch: 'release-v1.3.0' });
    expect(r.commits).toBe(2);
    expect(r.files).toEqual([
      { path: 'package.json', changed: true },
      { path: 'CHANGELOG.md', changed: true },
    ]);
    expect(r.pr?.created).toBe(true);

    const { data: pr } = await gh.rest.pulls.get({ owner: 'acme', repo: 'widget', pull_number: r.pr?.number ?? 0 });
    expect(pr.draft).toBe(true);
    expect(pr.base.ref).toBe('main');
    expect(pr.head.ref).toBe('release-v1.3.0');
    expect(pr.body).toContain('export to CSV');
    expect(pr.body).toContain('keep the header row');
    // Links point at the GitHub the client talks to (here the sandbox), never at github.com.
    expect(pr.body).toContain(`${h.url}/acme/widget/`);
    expect(pr.body).not.toContain('github.com');

    const pkg = await readRepoFile(gh, { owner: 'acme', name: 'widget' }, 'package.json', 'release-v1.3.0');
    expect(pkg).toBe(PACKAGE_JSON.replace('1.2.0', '1.3.0'));
    const changelog = await readRepoFile(gh, { owner: 'acme', name: 'widget' }, 'CHANGELOG.md', 'release-v1.3.0');
    expect(changelog).toMatch(/## \[1\.3\.0\][^\n]*2026-11-25/);
    // main itself is untouched until the PR is merged.
    expect(await readRepoFile(gh, { owner: 'acme', name: 'widget' }, 'package.json', 'main')).toBe(PACKAGE_JSON);
  });

  it('changes nothing when run again, and updates the same PR when main moved on', async () => {
    const again = await draftRelease(gh, input('widget'));
    expect(again.pr?.created).toBe(false);
    expect(again.files.every((f) => !f.changed)).toBe(true);

    const repo = { dir: '', head: '', name: 'widget' };
    const work = await h.tmp();
    await gitOk(work, ['clone', '-q', h.remote('acme', 'widget'), 'c']);
    repo.dir = `${work}/c`;
    await pushCommits(repo, ['fix: escape commas']);
    const moved = await draftRelease(gh, input('widget'));
    expect(moved.pr?.number).toBe(again.pr?.number);
    expect(moved.commits).toBe(3);
    expect(moved.files.every((f) => f.changed)).toBe(true);
    const { data: pr } = await gh.rest.pulls.get({ owner: 'acme', repo: 'widget', pull_number: moved.pr?.number ?? 0 });
    expect(pr.body).toContain('escape commas');
    const { data: open } = await gh.rest.pulls.list({ owner: 'acme', repo: 'widget', state: 'open' });
    expect(open).toHaveLength(1);
  });

  it('tags the merge commit with the version from the branch name and publishes the release, once', async () => {
    const { data: open } = await gh.rest.pulls.list({ owner: 'acme', repo: 'widget', state: 'open' });
    const number = open[0]?.number ?? 0;
    await readyAndMerge(h.octokit, { owner: 'acme', repo: 'widget', pull_number: number });
    const { data: pr } = await gh.rest.pulls.get({ owner: 'acme', repo: 'widget', pull_number: number });
    expect(isReleasePr(pr)).toBe(true);

    const out = await onReleasePrMerged(gh, { owner: 'acme', name: 'widget' }, pr, { tagFormat: 'v{version}' });
    expect(out).toMatchObject({ tag: 'v1.3.0', version: '1.3.0', tagAdopted: false });
    expect(await tagCommit('widget', 'v1.3.0')).toBe(pr.merge_commit_sha);
    const { data: release } = await gh.rest.repos.getReleaseByTag({ owner: 'acme', repo: 'widget', tag: 'v1.3.0' });
    expect(release.body).toContain('export to CSV');
    expect(release.prerelease).toBe(false);
    expect(await readRepoFile(gh, { owner: 'acme', name: 'widget' }, 'package.json', 'main')).toContain('"1.3.0"');

    const rerun = await onReleasePrMerged(gh, { owner: 'acme', name: 'widget' }, pr, { tagFormat: 'v{version}' });
    expect(rerun.tagAdopted).toBe(true);
    expect(rerun.release).toMatchObject({ id: out.release.id, adopted: true });
    const { data: releases } = await gh.rest.repos.listReleases({ owner: 'acme', repo: 'widget' });
    expect(releases.filter((r) => r.tag_name === 'v1.3.0')).toHaveLength(1);
  });

  it('refuses a merged release PR whose branch names no version, and tags nothing', async () => {
    const repo = await releasedRepo('gadget');
    await gitOk(repo.dir, ['checkout', '-q', '-b', 'release-candidate']);
    await gitOk(repo.dir, ['commit', '-q', '--allow-empty', '-m', 'chore: prepare']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'release-candidate']);
    const { data: created } = await gh.rest.pulls.create({
      owner: 'acme',
      repo: 'gadget',
      head: 'release-candidate',
      base: 'main',
      title: 'release',
    });
    await gh.rest.pulls.merge({ owner: 'acme', repo: 'gadget', pull_number: created.number });
    const { data: pr } = await gh.rest.pulls.get({ owner: 'acme', repo: 'gadget', pull_number: created.number });

    const r = await refusal(onReleasePrMerged(gh, { owner: 'acme', name: 'gadget' }, pr, { tagFormat: 'v{version}' }));
    expect(r.code).toBe('CUTTER_REFUSED');
    expect(r.line).toContain('"release-candidate" does not name a valid version');
    expect(r.line).toContain('release-v1.4.0');
    const { data: tags } = await gh.rest.git.listMatchingRefs({ owner: 'acme', repo: 'gadget', ref: 'tags/' });
    expect(tags.map((t) => t.ref)).toEqual(['refs/tags/v1.2.0']);
  });

  it('reports a conflict instead of moving a tag that already points at another commit', async () => {
    const repo = await releasedRepo('gizmo');
    await gitOk(repo.dir, ['tag', '-a', 'v1.2.1', '-m', 'v1.2.1']);
    await gitOk(repo.dir, ['push', '-q', 'origin', 'v1.2.1']);
    const r = await draftRelease(gh, input('gizmo', { request: 'patch', from: '1.2.0' }));
    expect(r).toMatchObject({ version: '1.2.1', previousTag: 'v1.2.0', branch: 'release-v1.2.1' });
    await readyAndMerge(h.octokit, { owner: 'acme', repo: 'gizmo', pull_number: r.pr?.number ?? 0 });
    const { data: pr } = await gh.rest.pulls.get({ owner: 'acme', repo: 'gizmo', pull_number: r.pr?.number ?? 0 });
    const conflict = await refusal(
      onReleasePrMerged(gh, { owner: 'acme', name: 'gizmo' }, pr, { tagFormat: 'v{version}' }),
    );
    expect(conflict.code).toBe('CUTTER_TAG_CONFLICT');
    expect(await tagCommit('gizmo', 'v1.2.1')).toBe(repo.head);
  });

  it('plans without writing on a dry run, and refuses a version that does not go up', async () => {
    await releasedRepo('doohickey');
    const plan = await draftRelease(gh, input('doohickey', { request: '2.0.0', dryRun: true }));
    expect(plan).toMatchObject({ version: '2.0.0', branch: 'release-v2.0.0', dryRun: true, pr: null });
    const branches = await gh.rest.repos.listBranches({ owner: 'acme', repo: 'doohickey' });
    expect(branches.data.map((b) => b.name)).toEqual(['main']);

    const down = await refusal(draftRelease(gh, input('doohickey', { request: '1.1.0' })));
    expect(down).toMatchObject({ code: 'CUTTER_REFUSED' });
    expect(down.line).toContain('1.1.0 is not above the current version 1.2.0');
  });

  it('names a missing version file clearly', async () => {
    const r = await refusal(draftRelease(gh, input('doohickey', { versionFiles: [{ path: 'pyproject.toml' }] })));
    expect(r.code).toBe('CUTTER_NOT_FOUND');
    expect(r.line).toContain('pyproject.toml');
  });
});
