// The sandbox answers compare, tag and ref requests with fewer git processes; the answers must stay GitHub's.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startSandbox } from './sandbox-harness.js';

const owner = 'acme';
const repo = 'connector-compare';

async function put(h: Harness, path: string, text: string, message: string, branch = 'main') {
  let sha: string | undefined;
  try {
    const { data } = await h.octokit.rest.repos.getContent({ owner, repo, path, ref: branch });
    if (!Array.isArray(data)) sha = data.sha;
  } catch {
    sha = undefined;
  }
  const { data } = await h.octokit.rest.repos.createOrUpdateFileContents({
    owner,
    repo,
    path,
    message,
    branch,
    content: Buffer.from(text).toString('base64'),
    ...(sha ? { sha } : {}),
  });
  return data.commit.sha ?? '';
}

describe('sandbox compare, tags and refs', () => {
  let h: Harness;
  let base = '';
  let head = '';
  let side = '';
  beforeAll(async () => {
    h = await startSandbox();
    await h.octokit.rest.repos.createInOrg({ org: owner, name: repo, auto_init: true });
    await put(h, 'keep.txt', 'one\ntwo\n', 'chore: keep');
    base = await put(h, 'gone.txt', 'bye\n', 'chore: gone');
    await h.octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/side', sha: base });
    side = await put(h, 'side.txt', 'side\n', 'feat: side', 'side');
    await put(h, 'keep.txt', 'one\nthree\nfour\n', 'fix: keep');
    // The contents API cannot delete: a removal is a commit made with git itself, then the branch moved to it.
    const git = h.sandbox.git;
    const parent = (await git.resolveCommit(owner, repo, 'refs/heads/main')) ?? '';
    const who = { name: 'dev', email: 'dev@example.com', date: '2026-01-02T03:04:05Z' };
    const listing = (await git.git(owner, repo, ['ls-tree', parent])).stdout.toString('utf8');
    const kept = listing
      .split('\n')
      .filter((l) => l && !l.endsWith('\tgone.txt'))
      .join('\n');
    const tree = (await git.git(owner, repo, ['mktree'], { input: `${kept}\n` })).stdout.toString('utf8').trim();
    const commit = await git.commitTree(owner, repo, {
      tree,
      parents: [parent],
      message: 'chore: drop gone',
      author: who,
      committer: who,
    });
    await git.updateRef(owner, repo, 'refs/heads/main', commit, parent);
    head = await put(h, 'new.txt', 'new\n', 'feat: new');
  });
  afterAll(async () => {
    expect(h.sandbox.violations).toEqual([]);
    await h.close();
  });

  it('counts ahead and behind and lists added, modified and removed files with their line stats', async () => {
    const { data } = await h.octokit.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: `${base}...${head}`,
    });
    expect(data).toMatchObject({ status: 'ahead', ahead_by: 3, behind_by: 0, total_commits: 3 });
    expect(data.commits.map((c) => c.commit.message)).toEqual(['fix: keep', 'chore: drop gone', 'feat: new']);
    const files = Object.fromEntries((data.files ?? []).map((f) => [f.filename, [f.status, f.additions, f.deletions]]));
    expect(files).toEqual({
      'gone.txt': ['removed', 0, 1],
      'keep.txt': ['modified', 2, 1],
      'new.txt': ['added', 1, 0],
    });
  });

  it('says behind and diverged when the base is not contained in the head', async () => {
    const behind = await h.octokit.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: `${head}...${base}`,
    });
    expect(behind.data).toMatchObject({ status: 'behind', ahead_by: 0, behind_by: 3, total_commits: 0 });
    const diverged = await h.octokit.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: `${side}...${head}`,
    });
    expect(diverged.data).toMatchObject({ status: 'diverged', ahead_by: 3, behind_by: 1 });
    expect(diverged.data.merge_base_commit.sha).toBe(base);
    const same = await h.octokit.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `${head}...main` });
    expect(same.data).toMatchObject({ status: 'identical', ahead_by: 0, behind_by: 0 });
  });

  it("names git's own merge base when head contains base, base contains head, both or neither", async () => {
    const pairs = [
      [base, head],
      [head, base],
      [head, head],
      [side, head],
      [head, side],
    ] as const;
    for (const [from, to] of pairs) {
      const { data } = await h.octokit.rest.repos.compareCommitsWithBasehead({
        owner,
        repo,
        basehead: `${from}...${to}`,
      });
      const git = (await h.sandbox.git.git(owner, repo, ['merge-base', from, to])).stdout.toString('utf8').trim();
      expect(data.merge_base_commit.sha, `${from}...${to}`).toBe(git);
      const count = async (range: string) =>
        Number((await h.sandbox.git.git(owner, repo, ['rev-list', '--count', range])).stdout.toString('utf8'));
      expect([data.ahead_by, data.behind_by]).toEqual([await count(`${from}..${to}`), await count(`${to}..${from}`)]);
    }
  });

  it('answers 404 for a full sha that names no commit', async () => {
    const missing = await h.octokit.rest.repos
      .compareCommitsWithBasehead({ owner, repo, basehead: `${'e'.repeat(40)}...${head}` })
      .catch((e) => e);
    expect(missing.status).toBe(404);
  });

  it('answers a new annotated tag with the object git stored, and refs to it as tags', async () => {
    const { data: made } = await h.octokit.rest.git.createTag({
      owner,
      repo,
      tag: 'v1.0.0',
      message: 'Release v1.0.0\n\n- feat: new',
      object: head,
      type: 'commit',
    });
    const { data: read } = await h.octokit.rest.git.getTag({ owner, repo, tag_sha: made.sha });
    expect(made).toEqual(read);
    const { data: ref } = await h.octokit.rest.git.createRef({ owner, repo, ref: 'refs/tags/v1.0.0', sha: made.sha });
    expect(ref.object).toMatchObject({ type: 'tag', sha: made.sha });
  });

  it('still asks git about ref names that are not plain, and refuses invalid ones', async () => {
    const odd = await h.octokit.rest.git.createRef({ owner, repo, ref: 'refs/tags/v1@2', sha: head });
    expect(odd.status).toBe(201);
    for (const bad of ['refs/tags/v1..2', 'refs/tags/.v1', 'refs/tags/v1.lock', 'refs/tags/v1.', 'refs/tags/a b']) {
      const refused = await h.octokit.rest.git.createRef({ owner, repo, ref: bad, sha: head }).catch((e) => e);
      expect(refused.status, bad).toBe(422);
    }
  });
});
