import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, OTHER_TOKEN, startSandbox } from './sandbox-harness.js';

const owner = 'acme';

/** Commit a file through the contents API (a real commit in the bare repo); returns the commit sha. */
async function commitFile(h: Harness, repo: string, path: string, text: string, message: string, branch?: string) {
  let sha: string | undefined;
  try {
    const { data } = await h.octokit.rest.repos.getContent({ owner, repo, path, ...(branch ? { ref: branch } : {}) });
    if (!Array.isArray(data)) sha = data.sha;
  } catch {
    sha = undefined;
  }
  const { data } = await h.octokit.rest.repos.createOrUpdateFileContents({
    owner,
    repo,
    path,
    message,
    content: Buffer.from(text).toString('base64'),
    ...(sha ? { sha } : {}),
    ...(branch ? { branch } : {}),
  });
  return data.commit.sha ?? '';
}

describe('sandbox REST', () => {
  let h: Harness;
  let first = '';
  let head = '';
  beforeAll(async () => {
    h = await startSandbox();
    await h.octokit.rest.repos.createInOrg({ org: owner, name: 'connector-rest', auto_init: true });
    first = await commitFile(h, 'connector-rest', 'src/a.ts', 'export const a = 1;\n', 'feat: add a');
    head = await commitFile(h, 'connector-rest', 'src/a.ts', 'export const a = 2;\n', 'fix: correct a');
  });
  afterAll(async () => {
    expect(h.sandbox.violations).toEqual([]);
    await h.close();
  });

  it('lists an org repositories page by page with Link headers', async () => {
    for (const n of ['connector-p1', 'connector-p2', 'connector-p3'])
      await h.octokit.rest.repos.createInOrg({ org: owner, name: n });
    const page1 = await h.octokit.rest.repos.listForOrg({ org: owner, per_page: 2, sort: 'full_name' });
    expect(page1.data.map((r) => r.name)).toEqual(['connector-p1', 'connector-p2']);
    expect(page1.headers.link).toMatch(/rel="next"/);
    const all = await h.octokit.paginate(h.octokit.rest.repos.listForOrg, { org: owner, per_page: 2 });
    expect(all.map((r) => r.name).sort()).toEqual(['connector-p1', 'connector-p2', 'connector-p3', 'connector-rest']);
  });

  it('creates one repository when several creates of one name arrive at once (the rest get 422)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.octokit.rest.repos.createInOrg({ org: owner, name: 'connector-twin', auto_init: true }).then(
          (r) => r.status,
          (e: { status: number }) => e.status,
        ),
      ),
    );
    expect(answers.sort()).toEqual([201, 422, 422, 422, 422]);
    const all = await h.octokit.paginate(h.octokit.rest.repos.listForOrg, { org: owner, per_page: 100 });
    expect(all.filter((r) => r.name === 'connector-twin')).toHaveLength(1);
    const { data: main } = await h.octokit.rest.git.getRef({ owner, repo: 'connector-twin', ref: 'heads/main' });
    const { data: commit } = await h.octokit.rest.git.getCommit({
      owner,
      repo: 'connector-twin',
      commit_sha: main.object.sha,
    });
    expect(commit.message).toBe('Initial commit');
    expect(commit.parents).toEqual([]);
  });

  it('reads a repository with GitHub fields and answers 304 to a matching ETag', async () => {
    const r1 = await h.octokit.rest.repos.get({ owner, repo: 'connector-rest' });
    expect(r1.data.default_branch).toBe('main');
    expect(r1.data.full_name).toBe('acme/connector-rest');
    const etag = r1.headers.etag ?? '';
    const r2 = await h.octokit.rest.repos
      .get({ owner, repo: 'connector-rest', headers: { 'if-none-match': etag } })
      .catch((e) => e);
    expect(r2.status).toBe(304);
  });

  it('creates an annotated tag object and its ref, then refuses to create the ref again', async () => {
    const { data: tag } = await h.octokit.rest.git.createTag({
      owner,
      repo: 'connector-rest',
      tag: 'v1.0.0',
      message: 'Release v1.0.0',
      object: head,
      type: 'commit',
      tagger: { name: 'Release Bot', email: 'bot@acme.example', date: '2024-05-01T10:00:00Z' },
    });
    expect(tag.object.sha).toBe(head);
    const { data: ref } = await h.octokit.rest.git.createRef({
      owner,
      repo: 'connector-rest',
      ref: 'refs/tags/v1.0.0',
      sha: tag.sha,
    });
    expect(ref.object).toMatchObject({ type: 'tag', sha: tag.sha });
    const again = await h.octokit.rest.git
      .createRef({ owner, repo: 'connector-rest', ref: 'refs/tags/v1.0.0', sha: first })
      .catch((e) => e);
    expect(again.status).toBe(422);
    expect(again.response.data.message).toBe('Reference already exists');
    const { data: read } = await h.octokit.rest.git.getTag({ owner, repo: 'connector-rest', tag_sha: tag.sha });
    expect(read).toMatchObject({
      tag: 'v1.0.0',
      message: 'Release v1.0.0\n',
      tagger: { name: 'Release Bot', date: '2024-05-01T10:00:00Z' },
    });
    const { data: still } = await h.octokit.rest.git.getRef({ owner, repo: 'connector-rest', ref: 'tags/v1.0.0' });
    expect(still.object.sha).toBe(tag.sha);
  });

  it('moves a branch only forward unless forced', async () => {
    await h.octokit.rest.git.createRef({ owner, repo: 'connector-rest', ref: 'refs/heads/side', sha: head });
    const back = await h.octokit.rest.git
      .updateRef({ owner, repo: 'connector-rest', ref: 'heads/side', sha: first })
      .catch((e) => e);
    expect(back.status).toBe(422);
    const { data } = await h.octokit.rest.git.updateRef({
      owner,
      repo: 'connector-rest',
      ref: 'heads/side',
      sha: first,
      force: true,
    });
    expect(data.object.sha).toBe(first);
  });

  it('reads commits, a commit with its files, and compares two revisions', async () => {
    const { data: commits } = await h.octokit.rest.repos.listCommits({ owner, repo: 'connector-rest', per_page: 2 });
    expect(commits.map((c) => c.commit.message)).toEqual(['fix: correct a', 'feat: add a']);
    const { data: one } = await h.octokit.rest.repos.getCommit({ owner, repo: 'connector-rest', ref: head });
    expect(one.files?.map((f) => [f.filename, f.additions, f.deletions])).toEqual([['src/a.ts', 1, 1]]);
    const { data: git } = await h.octokit.rest.git.getCommit({ owner, repo: 'connector-rest', commit_sha: head });
    expect(git.parents.map((p) => p.sha)).toEqual([first]);
    const { data: cmp } = await h.octokit.rest.repos.compareCommitsWithBasehead({
      owner,
      repo: 'connector-rest',
      basehead: `${first}...main`,
    });
    expect(cmp).toMatchObject({ status: 'ahead', ahead_by: 1, behind_by: 0, total_commits: 1 });
    expect(cmp.commits.map((c) => c.sha)).toEqual([head]);
  });

  it('creates a release, finds it by id, tag and latest, lists and updates it', async () => {
    const { data: rel } = await h.octokit.rest.repos.createRelease({
      owner,
      repo: 'connector-rest',
      tag_name: 'v1.0.0',
      name: 'v1.0.0',
      body: 'notes',
    });
    expect(
      (await h.octokit.rest.repos.getRelease({ owner, repo: 'connector-rest', release_id: rel.id })).data.tag_name,
    ).toBe('v1.0.0');
    expect((await h.octokit.rest.repos.getReleaseByTag({ owner, repo: 'connector-rest', tag: 'v1.0.0' })).data.id).toBe(
      rel.id,
    );
    expect((await h.octokit.rest.repos.getLatestRelease({ owner, repo: 'connector-rest' })).data.id).toBe(rel.id);
    const { data: upd } = await h.octokit.rest.repos.updateRelease({
      owner,
      repo: 'connector-rest',
      release_id: rel.id,
      body: 'better notes',
    });
    expect(upd.body).toBe('better notes');
    const { data: list } = await h.octokit.rest.repos.listReleases({ owner, repo: 'connector-rest' });
    expect(list.map((r) => r.id)).toEqual([rel.id]);
  });

  it('answers 422 already_exists for a second release with the same tag name', async () => {
    const dup = await h.octokit.rest.repos
      .createRelease({ owner, repo: 'connector-rest', tag_name: 'v1.0.0' })
      .catch((e) => e);
    expect(dup.status).toBe(422);
    expect(dup.response.data.errors).toEqual([{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
  });

  it('leaves one release when several creates for one new tag arrive at once (the rest get 422 already_exists)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.octokit.rest.repos
          .createRelease({ owner, repo: 'connector-rest', tag_name: 'v0.0.9', target_commitish: first })
          .then(
            (r) => r.status,
            (e: { status: number }) => e.status,
          ),
      ),
    );
    expect(answers.sort()).toEqual([201, 422, 422, 422, 422]);
    const { data: all } = await h.octokit.rest.repos.listReleases({ owner, repo: 'connector-rest', per_page: 100 });
    expect(all.filter((r) => r.tag_name === 'v0.0.9')).toHaveLength(1);
  });

  it('creates the missing tag at target_commitish when publishing a release', async () => {
    await h.octokit.rest.repos.createRelease({
      owner,
      repo: 'connector-rest',
      tag_name: 'v0.1.0',
      target_commitish: first,
    });
    const { data } = await h.octokit.rest.git.getRef({ owner, repo: 'connector-rest', ref: 'tags/v0.1.0' });
    expect(data.object).toMatchObject({ type: 'commit', sha: first });
  });

  it('opens and merges a pull request into a real merge commit, and squash-merges another', async () => {
    await h.octokit.rest.git.createRef({ owner, repo: 'connector-rest', ref: 'refs/heads/feature', sha: head });
    const c = await commitFile(h, 'connector-rest', 'src/b.ts', 'export const b = 1;\n', 'feat: add b', 'feature');
    const { data: pr } = await h.octokit.rest.pulls.create({
      owner,
      repo: 'connector-rest',
      title: 'feat: add b',
      head: 'feature',
      base: 'main',
    });
    expect(pr).toMatchObject({ number: 1, state: 'open', mergeable: true, commits: 1 });
    const { data: merged } = await h.octokit.rest.pulls.merge({
      owner,
      repo: 'connector-rest',
      pull_number: 1,
      merge_method: 'merge',
    });
    expect(merged.merged).toBe(true);
    const { data: mc } = await h.octokit.rest.git.getCommit({ owner, repo: 'connector-rest', commit_sha: merged.sha });
    expect(mc.parents.map((p) => p.sha)).toEqual([head, c]);
    const { data: after } = await h.octokit.rest.pulls.get({ owner, repo: 'connector-rest', pull_number: 1 });
    expect(after).toMatchObject({ merged: true, state: 'closed', merge_commit_sha: merged.sha });

    await commitFile(h, 'connector-rest', 'src/c.ts', 'export const c = 1;\n', 'fix: add c', 'feature');
    const { data: pr2 } = await h.octokit.rest.pulls.create({
      owner,
      repo: 'connector-rest',
      title: 'fix: add c',
      head: 'feature',
      base: 'main',
    });
    const { data: sq } = await h.octokit.rest.pulls.merge({
      owner,
      repo: 'connector-rest',
      pull_number: pr2.number,
      merge_method: 'squash',
    });
    const { data: sc } = await h.octokit.rest.git.getCommit({ owner, repo: 'connector-rest', commit_sha: sq.sha });
    expect(sc.parents.map((p) => p.sha)).toEqual([merged.sha]);
    expect(sc.message).toMatch(/^fix: add c \(#2\)/);
    const { data: open } = await h.octokit.rest.pulls.list({ owner, repo: 'connector-rest', state: 'all' });
    expect(open.map((p) => p.number)).toEqual([2, 1]);
  });

  it('associates commits with pull requests: the merged one on the default branch, open ones elsewhere', async () => {
    const repo = 'connector-assoc';
    await h.octokit.rest.repos.createInOrg({ org: owner, name: repo, auto_init: true });
    const base = await commitFile(h, repo, 'a.ts', '1\n', 'feat: a');
    const pulls = async (sha: string) =>
      (await h.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha })).data.map(
        (p) => [p.number, p.head.ref, p.merged_at !== null],
      );
    await h.octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/release-v1.4.0', sha: base });
    const onPr = await commitFile(h, repo, 'b.ts', '1\n', 'chore(release): v1.4.0', 'release-v1.4.0');
    const { data: pr } = await h.octokit.rest.pulls.create({
      owner,
      repo,
      title: 'chore(release): v1.4.0',
      head: 'release-v1.4.0',
      base: 'main',
    });
    expect(await pulls(onPr)).toEqual([[pr.number, 'release-v1.4.0', false]]);
    expect(await pulls(base)).toEqual([]);
    await h.octokit.rest.pulls.update({ owner, repo, pull_number: pr.number, title: 'Release 1.4.0' });
    const { data: sq } = await h.octokit.rest.pulls.merge({
      owner,
      repo,
      pull_number: pr.number,
      merge_method: 'squash',
    });
    const { data: sc } = await h.octokit.rest.git.getCommit({ owner, repo, commit_sha: sq.sha });
    expect(sc.message).toMatch(/^Release 1\.4\.0 \(#1\)/);
    const [merged] = (
      await h.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sq.sha })
    ).data;
    expect(merged).toMatchObject({ number: pr.number, merge_commit_sha: sq.sha, head: { ref: 'release-v1.4.0' } });
    expect(merged?.merged_at).not.toBeNull();
    const missing = await h.octokit.rest.repos
      .listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: 'f'.repeat(40) })
      .then(
        () => 0,
        (e: { status: number }) => e.status,
      );
    expect(missing).toBe(422);
  });

  it('refuses to merge a draft pull request (405) until it is marked ready for review', async () => {
    await h.octokit.rest.git.createRef({ owner, repo: 'connector-rest', ref: 'refs/heads/drafty', sha: head });
    await commitFile(h, 'connector-rest', 'src/d.ts', 'export const d = 1;\n', 'feat: add d', 'drafty');
    const { data: pr } = await h.octokit.rest.pulls.create({
      owner,
      repo: 'connector-rest',
      title: 'feat: add d',
      head: 'drafty',
      base: 'main',
      draft: true,
    });
    const refused = await h.octokit.rest.pulls.merge({ owner, repo: 'connector-rest', pull_number: pr.number }).then(
      () => null,
      (err: { status: number; response?: { data?: { message?: string } } }) => err,
    );
    expect(refused?.status).toBe(405);
    expect(refused?.response?.data?.message).toBe('Pull Request is still a draft');
    const { data: still } = await h.octokit.rest.pulls.get({ owner, repo: 'connector-rest', pull_number: pr.number });
    expect(still).toMatchObject({ state: 'open', merged: false, draft: true });

    const ready = await h.octokit.graphql<{
      markPullRequestReadyForReview: { pullRequest: { number: number; isDraft: boolean } };
    }>(
      'mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { number isDraft } } }',
      { id: pr.node_id },
    );
    expect(ready.markPullRequestReadyForReview.pullRequest).toEqual({ number: pr.number, isDraft: false });
    const { data: merged } = await h.octokit.rest.pulls.merge({
      owner,
      repo: 'connector-rest',
      pull_number: pr.number,
    });
    expect(merged.merged).toBe(true);
    await expect(
      h.octokit.graphql(
        'mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }',
        { id: 'PR_nonsense' },
      ),
    ).rejects.toThrow(/Could not resolve to a node with the global id of 'PR_nonsense'/);
  });

  it('refuses to merge a pull request whose branches conflict', async () => {
    const base = (await h.octokit.rest.git.getRef({ owner, repo: 'connector-rest', ref: 'heads/main' })).data.object
      .sha;
    await h.octokit.rest.git.createRef({ owner, repo: 'connector-rest', ref: 'refs/heads/clash', sha: base });
    await commitFile(h, 'connector-rest', 'src/a.ts', 'export const a = 3;\n', 'fix: a on main');
    await commitFile(h, 'connector-rest', 'src/a.ts', 'export const a = 4;\n', 'fix: a on branch', 'clash');
    const { data: pr } = await h.octokit.rest.pulls.create({
      owner,
      repo: 'connector-rest',
      title: 'clash',
      head: 'clash',
      base: 'main',
    });
    expect(pr.mergeable).toBe(false);
    const res = await h.octokit.rest.pulls
      .merge({ owner, repo: 'connector-rest', pull_number: pr.number })
      .catch((e) => e);
    expect(res.status).toBe(405);
  });

  it('reads file contents and refuses an update without the current blob sha', async () => {
    const { data } = await h.octokit.rest.repos.getContent({ owner, repo: 'connector-rest', path: 'README.md' });
    if (Array.isArray(data) || data.type !== 'file') throw new Error('expected a file');
    expect(Buffer.from(data.content, 'base64').toString()).toBe('# connector-rest\n');
    const stale = await h.octokit.rest.repos
      .createOrUpdateFileContents({
        owner,
        repo: 'connector-rest',
        path: 'README.md',
        message: 'docs: x',
        content: 'eA==',
        sha: first,
      })
      .catch((e) => e);
    expect(stale.status).toBe(409);
    const { data: dir } = await h.octokit.rest.repos.getContent({ owner, repo: 'connector-rest', path: 'src' });
    // the tests above build this repository in order: b.ts and c.ts came by merged PRs, d.ts by the ready draft
    expect(Array.isArray(dir) && dir.map((e) => e.name)).toEqual(['a.ts', 'b.ts', 'c.ts', 'd.ts']);
  });

  it('records commit statuses, combines them, and lists check runs', async () => {
    await h.octokit.rest.repos.createCommitStatus({
      owner,
      repo: 'connector-rest',
      sha: head,
      state: 'pending',
      context: 'ci',
    });
    await h.octokit.rest.repos.createCommitStatus({
      owner,
      repo: 'connector-rest',
      sha: head,
      state: 'success',
      context: 'ci',
    });
    await h.octokit.rest.repos.createCommitStatus({
      owner,
      repo: 'connector-rest',
      sha: head,
      state: 'success',
      context: 'cutter',
    });
    const { data: combined } = await h.octokit.rest.repos.getCombinedStatusForRef({
      owner,
      repo: 'connector-rest',
      ref: head,
    });
    expect(combined).toMatchObject({ state: 'success', total_count: 2 });
    const { data: all } = await h.octokit.rest.repos.listCommitStatusesForRef({
      owner,
      repo: 'connector-rest',
      ref: head,
    });
    expect(all.length).toBe(3);
    await h.octokit.rest.checks.create({
      owner,
      repo: 'connector-rest',
      name: 'build',
      head_sha: head,
      status: 'completed',
      conclusion: 'success',
    });
    const { data: runs } = await h.octokit.rest.checks.listForRef({ owner, repo: 'connector-rest', ref: head });
    expect(runs.check_runs.map((r) => [r.name, r.conclusion])).toEqual([['build', 'success']]);
  });

  it('configures repository and org webhooks without ever returning the secret', async () => {
    const { data: hook } = await h.octokit.rest.repos.createWebhook({
      owner,
      repo: 'connector-rest',
      config: { url: 'http://127.0.0.1:9/hook', content_type: 'json', secret: 'hook-secret-value' },
      events: ['push', 'release'],
    });
    expect(JSON.stringify(hook)).not.toContain('hook-secret-value');
    const { data: upd } = await h.octokit.rest.repos.updateWebhook({
      owner,
      repo: 'connector-rest',
      hook_id: hook.id,
      add_events: ['pull_request'],
    });
    expect(upd.events).toEqual(['push', 'release', 'pull_request']);
    expect((await h.octokit.rest.repos.listWebhooks({ owner, repo: 'connector-rest' })).data.length).toBe(1);
    const { data: org } = await h.octokit.rest.orgs.createWebhook({
      org: owner,
      name: 'web',
      config: { url: 'http://127.0.0.1:9/org' },
    });
    expect((await h.octokit.rest.orgs.getWebhook({ org: owner, hook_id: org.id })).data.config.url).toBe(
      'http://127.0.0.1:9/org',
    );
    await h.octokit.rest.repos.deleteWebhook({ owner, repo: 'connector-rest', hook_id: hook.id });
    expect((await h.octokit.rest.repos.listWebhooks({ owner, repo: 'connector-rest' })).data).toEqual([]);
  });

  it('answers /user and /rate_limit with the token budget', async () => {
    const { data: user } = await h.octokit.rest.users.getAuthenticated();
    expect(user.login).toBe('release-bot');
    const res = await h.octokit.rest.rateLimit.get();
    expect(res.data.resources.core.limit).toBe(5000);
    expect(Number(res.headers['x-ratelimit-remaining'])).toBe(res.data.resources.core.remaining);
    expect(res.headers['x-ratelimit-resource']).toBe('core');
  });

  it('says 401 without a token or with a wrong one, and 404 for an org the token cannot see', async () => {
    const anon = await fetch(`${h.url}/repos/acme/connector-rest`);
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ message: 'Requires authentication' });
    const wrong = await h
      .client('nope-not-a-token')
      .rest.repos.get({ owner, repo: 'connector-rest' })
      .catch((e) => e);
    expect(wrong.status).toBe(401);
    expect(wrong.response.data.message).toBe('Bad credentials');
    const outsider = await h
      .client(OTHER_TOKEN)
      .rest.repos.get({ owner, repo: 'connector-rest' })
      .catch((e) => e);
    expect(outsider.status).toBe(404);
    const list = await h
      .client(OTHER_TOKEN)
      .rest.repos.listForOrg({ org: owner })
      .catch((e) => e);
    expect(list.status).toBe(404);
  });
});
