// Pull request routes: open, read, list, merge (a real merge or squash commit written with git merge-tree), and the
// pull requests a commit belongs to.

import { objectBody, optBool, optString, paged, reqString } from '../request-input.js';
import { HttpError, notFound, unprocessable } from '../rest-errors.js';
import type { RouteDef } from '../router.js';
import type { Ctx, Services } from '../services.js';
import { type PullRecord, pullFull, pullSimple } from '../shapes.js';

function target(ctx: Ctx) {
  const repo = ctx.sandbox.repo(ctx, ctx.params['owner'] ?? '', ctx.params['repo'] ?? '');
  return { owner: repo.owner, name: repo.name, repo };
}

function byNumber(ctx: Ctx, owner: string, name: string): PullRecord {
  const p = ctx.sandbox.state.find<PullRecord>('pull', owner, name, String(Number(ctx.params['pull_number'])));
  if (!p) throw notFound();
  return p;
}

/** While open, a pull request follows its branches; once closed it keeps the shas it had. */
async function refresh(ctx: Ctx, p: PullRecord): Promise<PullRecord> {
  if (p.state !== 'open') return p;
  const git = ctx.sandbox.git;
  const [head, base] = await Promise.all([
    git.resolveCommit(p.owner, p.repo, `refs/heads/${p.head}`),
    git.resolveCommit(p.owner, p.repo, `refs/heads/${p.base}`),
  ]);
  return { ...p, head_sha: head ?? p.head_sha, base_sha: base ?? p.base_sha };
}

async function full(ctx: Ctx, p: PullRecord) {
  const { repo } = target(ctx);
  const git = ctx.sandbox.git;
  const mb = await git.mergeBase(p.owner, p.repo, p.base_sha, p.head_sha);
  const [commits, files, tree] = await Promise.all([
    git.countCommits(p.owner, p.repo, [`${p.base_sha}..${p.head_sha}`]),
    mb ? git.diffStat(p.owner, p.repo, mb, p.head_sha) : Promise.resolve([]),
    p.state === 'open' ? git.mergeTree(p.owner, p.repo, p.base_sha, p.head_sha) : Promise.resolve(null),
  ]);
  return pullFull(ctx.sandbox.links, p, repo, {
    commits,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    files: files.length,
    mergeable: p.state === 'open' ? tree !== null : null,
  });
}

function branchName(owner: string, spec: string): string {
  const colon = spec.indexOf(':');
  if (colon === -1) return spec;
  if (spec.slice(0, colon).toLowerCase() !== owner.toLowerCase()) return '';
  return spec.slice(colon + 1);
}

export const pullRoutes: RouteDef<Services>[] = [
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/pulls',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const b = objectBody(ctx.body);
      const title = reqString(b, 'title');
      const head = branchName(owner, reqString(b, 'head'));
      const base = reqString(b, 'base');
      const git = ctx.sandbox.git;
      const [headSha, baseSha] = await Promise.all([
        head ? git.resolveCommit(owner, name, `refs/heads/${head}`) : null,
        git.resolveCommit(owner, name, `refs/heads/${base}`),
      ]);
      const errors = [];
      if (!headSha) errors.push({ resource: 'PullRequest', field: 'head', code: 'invalid' });
      if (!baseSha) errors.push({ resource: 'PullRequest', field: 'base', code: 'invalid' });
      if (errors.length > 0 || !headSha || !baseSha) throw unprocessable('Validation Failed', errors);
      if ((await git.countCommits(owner, name, [`${baseSha}..${headSha}`])) === 0) {
        throw unprocessable('Validation Failed', [
          { resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` },
        ]);
      }
      const open = ctx.sandbox.state
        .list<PullRecord>('pull', owner, name)
        .find((p) => p.state === 'open' && p.head === head && p.base === base);
      if (open) {
        throw unprocessable('Validation Failed', [
          { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` },
        ]);
      }
      const now = ctx.sandbox.nowIso();
      const id = ctx.sandbox.state.nextId('pull');
      const number = ctx.sandbox.state.list('pull', owner, name).length + 1;
      const rec: PullRecord = {
        id,
        number,
        owner,
        repo: name,
        title,
        body: optString(b, 'body') ?? null,
        head,
        base,
        head_sha: headSha,
        base_sha: baseSha,
        state: 'open',
        merged: false,
        merge_commit_sha: null,
        merged_at: null,
        closed_at: null,
        user: ctx.login,
        merged_by: null,
        draft: optBool(b, 'draft') ?? false,
        created_at: now,
        updated_at: now,
      };
      ctx.sandbox.state.put('pull', id, { owner, repo: name, key: String(number) }, rec);
      await ctx.sandbox.event({
        kind: 'pull_request',
        owner,
        repo: name,
        action: 'opened',
        pullId: id,
        sender: ctx.login,
      });
      const out = await full(ctx, rec);
      return { status: 201, body: out, headers: { location: out.url } };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls',
    async handler(ctx) {
      const { owner, name, repo } = target(ctx);
      const state = ctx.query.get('state') ?? 'open';
      const head = ctx.query.get('head');
      const base = ctx.query.get('base');
      const list = ctx.sandbox.state
        .list<PullRecord>('pull', owner, name)
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !head || branchName(owner, head) === p.head)
        .filter((p) => !base || base === p.base)
        .reverse();
      const { body, headers } = paged(`${ctx.sandbox.links.api}/repos/${owner}/${name}/pulls`, ctx.query, list);
      const fresh = await Promise.all(body.map((p) => refresh(ctx, p)));
      return { status: 200, body: fresh.map((p) => pullSimple(ctx.sandbox.links, p, repo)), headers };
    },
  },
  {
    /**
     * GitHub's association of a commit with pull requests: on the default branch, the merged PR that introduced it
     * (its merge or squash commit, or one of its commits); elsewhere, the open and merged PRs whose commits hold it.
     */
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{commit_sha}/pulls',
    async handler(ctx) {
      const { owner, name, repo } = target(ctx);
      const git = ctx.sandbox.git;
      const ref = ctx.params['commit_sha'] ?? '';
      const sha = await git.resolveCommit(owner, name, ref);
      if (!sha) throw unprocessable(`No commit found for SHA: ${ref}`);
      const tip = await git.resolveCommit(owner, name, `refs/heads/${repo.default_branch}`);
      const onDefault = tip !== null && (await git.isAncestor(owner, name, sha, tip));
      const found: PullRecord[] = [];
      for (const stored of ctx.sandbox.state.list<PullRecord>('pull', owner, name).reverse()) {
        const p = await refresh(ctx, stored);
        if (!p.merged && (onDefault || p.state !== 'open')) continue;
        const holds =
          p.merge_commit_sha === sha ||
          (await git.revList(owner, name, [`${p.base_sha}..${p.head_sha}`])).includes(sha);
        if (holds) found.push(p);
      }
      const { body, headers } = paged(
        `${ctx.sandbox.links.api}/repos/${owner}/${name}/commits/${sha}/pulls`,
        ctx.query,
        found,
      );
      return { status: 200, body: body.map((p) => pullSimple(ctx.sandbox.links, p, repo)), headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      return { status: 200, body: await full(ctx, await refresh(ctx, byNumber(ctx, owner, name))) };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const p = await refresh(ctx, byNumber(ctx, owner, name));
      const b = objectBody(ctx.body);
      const state = optString(b, 'state');
      if (state !== undefined && state !== 'open' && state !== 'closed') {
        throw unprocessable('Validation Failed', [{ resource: 'PullRequest', field: 'state', code: 'invalid' }]);
      }
      const now = ctx.sandbox.nowIso();
      const closing = state === 'closed' && p.state === 'open';
      const next: PullRecord = {
        ...p,
        title: optString(b, 'title') ?? p.title,
        body: optString(b, 'body') ?? p.body,
        state: p.merged ? 'closed' : ((state as PullRecord['state'] | undefined) ?? p.state),
        closed_at: closing ? now : state === 'open' ? null : p.closed_at,
        updated_at: now,
      };
      ctx.sandbox.state.put('pull', p.id, { owner, repo: name, key: String(p.number) }, next);
      if (closing)
        await ctx.sandbox.event({
          kind: 'pull_request',
          owner,
          repo: name,
          action: 'closed',
          pullId: p.id,
          sender: ctx.login,
        });
      return { status: 200, body: await full(ctx, next) };
    },
  },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const p = await refresh(ctx, byNumber(ctx, owner, name));
      const b = objectBody(ctx.body);
      const method = optString(b, 'merge_method') ?? 'merge';
      if (p.state !== 'open') throw new HttpError(405, 'Pull Request is not mergeable');
      // GitHub's answer to merging a draft: it must be marked ready for review first.
      if (p.draft) throw new HttpError(405, 'Pull Request is still a draft');
      if (method === 'rebase') throw new HttpError(405, 'Rebase merges are not allowed on this repository.');
      if (method !== 'merge' && method !== 'squash') {
        throw unprocessable('Validation Failed', [{ resource: 'PullRequest', field: 'merge_method', code: 'invalid' }]);
      }
      const expected = optString(b, 'sha');
      if (expected && expected !== p.head_sha)
        throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
      const git = ctx.sandbox.git;
      const tree = await git.mergeTree(owner, name, p.base_sha, p.head_sha);
      if (!tree) throw new HttpError(405, 'Pull Request is not mergeable');
      const now = ctx.sandbox.nowIso();
      const who = { name: ctx.login, email: `${ctx.login}@users.noreply.sandbox`, date: now };
      let message: string;
      let parents: string[];
      if (method === 'merge') {
        const title = optString(b, 'commit_title') ?? `Merge pull request #${p.number} from ${owner}/${p.head}`;
        message = `${title}\n\n${optString(b, 'commit_message') ?? p.title}\n`;
        parents = [p.base_sha, p.head_sha];
      } else {
        const shas = await git.revList(owner, name, [`${p.base_sha}..${p.head_sha}`]);
        const commits = await git.readCommits(owner, name, shas.reverse());
        const title = optString(b, 'commit_title') ?? `${p.title} (#${p.number})`;
        const details = optString(b, 'commit_message') ?? commits.map((c) => `* ${c.message.trim()}`).join('\n\n');
        message = `${title}\n\n${details}\n`;
        parents = [p.base_sha];
      }
      const sha = await git.commitTree(owner, name, { tree, parents, message, author: who, committer: who });
      if (!(await git.updateRef(owner, name, `refs/heads/${p.base}`, sha, p.base_sha))) {
        throw new HttpError(409, 'Base branch was modified. Review and try the merge again.');
      }
      const merged: PullRecord = {
        ...p,
        state: 'closed',
        merged: true,
        merge_commit_sha: sha,
        merged_at: now,
        closed_at: now,
        merged_by: ctx.login,
        updated_at: now,
      };
      ctx.sandbox.state.put('pull', p.id, { owner, repo: name, key: String(p.number) }, merged);
      await ctx.sandbox.event({
        kind: 'refs',
        owner,
        repo: name,
        changes: [{ ref: `refs/heads/${p.base}`, before: p.base_sha, after: sha }],
        pusher: ctx.login,
      });
      await ctx.sandbox.event({
        kind: 'pull_request',
        owner,
        repo: name,
        action: 'closed',
        pullId: p.id,
        sender: ctx.login,
      });
      return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
    },
  },
];
