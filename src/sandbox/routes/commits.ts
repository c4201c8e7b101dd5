// Commit history routes: list commits, one commit with its files, compare two revisions, list tags and branches.

import { linkHeader, paged, pageParams } from '../request-input.js';
import { HttpError, notFound, unprocessable } from '../rest-errors.js';
import type { RouteDef } from '../router.js';
import type { Ctx, Services } from '../services.js';
import { repoTag, restCommit } from '../shapes.js';

function target(ctx: Ctx) {
  const repo = ctx.sandbox.repo(ctx, ctx.params['owner'] ?? '', ctx.params['repo'] ?? '');
  return { owner: repo.owner, name: repo.name, repo };
}

async function emptyGuard(ctx: Ctx, owner: string, name: string) {
  if ((await ctx.sandbox.git.listRefs(owner, name, 'refs/heads/')).length === 0)
    throw new HttpError(409, 'Git Repository is empty.');
}

/** Version-aware descending order (v1.10.0 before v1.9.0), GitHub's order for tags. */
function byVersionDesc(a: string, b: string): number {
  return b.localeCompare(a, 'en', { numeric: true });
}

export const commitRoutes: RouteDef<Services>[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits',
    async handler(ctx) {
      const { owner, name, repo } = target(ctx);
      await emptyGuard(ctx, owner, name);
      const rev = ctx.query.get('sha') ?? repo.default_branch;
      const sha = await ctx.sandbox.git.resolveCommit(owner, name, rev);
      if (!sha) throw notFound();
      const p = pageParams(ctx.query);
      const path = ctx.query.get('path') ?? undefined;
      const [shas, total] = await Promise.all([
        ctx.sandbox.git.revList(owner, name, [sha], { max: p.perPage, skip: (p.page - 1) * p.perPage, path }),
        path
          ? ctx.sandbox.git.revList(owner, name, [sha], { path }).then((l) => l.length)
          : ctx.sandbox.git.countCommits(owner, name, [sha]),
      ]);
      const commits = await ctx.sandbox.git.readCommits(owner, name, shas);
      const link = linkHeader(`${ctx.sandbox.links.api}/repos/${owner}/${name}/commits`, ctx.query, p, total);
      return {
        status: 200,
        body: commits.map((c) => restCommit(ctx.sandbox.links, owner, name, c)),
        headers: link ? { link } : ({} as Record<string, string>),
      };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const ref = ctx.params['ref'] ?? '';
      const sha = await ctx.sandbox.git.resolveCommit(owner, name, ref);
      if (!sha) throw unprocessable(`No commit found for SHA: ${ref}`);
      const c = await ctx.sandbox.git.readCommit(owner, name, sha);
      if (!c) throw notFound();
      const files = await ctx.sandbox.git.diffStat(owner, name, c.parents[0] ?? null, c.sha);
      return { status: 200, body: restCommit(ctx.sandbox.links, owner, name, c, files) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/compare/{basehead}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const basehead = ctx.params['basehead'] ?? '';
      const sep = basehead.indexOf('...');
      if (sep === -1) throw notFound();
      const baseRev = basehead.slice(0, sep);
      const headRev = basehead.slice(sep + 3);
      const git = ctx.sandbox.git;
      const [base, head] = await Promise.all([
        git.resolveCommit(owner, name, baseRev),
        git.resolveCommit(owner, name, headRev),
      ]);
      if (!base || !head) throw notFound();
      // GitHub lists compare commits oldest first and caps an unpaged answer at 250. The list is `base..head`, so
      // its length is ahead_by. With their parents it also tells the usual cases' merge base without asking git:
      // nothing listed — head is base or behind it, so head is the merge base; base the parent of a listed commit —
      // head contains base, so base is (the child of base on a path from head is listed). Only diverged ones ask.
      const listed = await git.revListWithParents(owner, name, [`${base}..${head}`]);
      const mergeBase =
        listed.length === 0
          ? head
          : listed.some((c) => c.parents.includes(base))
            ? base
            : await git.mergeBase(owner, name, base, head);
      if (!mergeBase) throw notFound();
      const all = listed.map((c) => c.sha).reverse();
      // behind_by is 0 without counting when base is the merge base (head contains it).
      const behind = mergeBase === base ? 0 : await git.countCommits(owner, name, [`${head}..${base}`]);
      const ahead = all.length;
      const status =
        ahead === 0 && behind === 0 ? 'identical' : behind === 0 ? 'ahead' : ahead === 0 ? 'behind' : 'diverged';
      const paging = ctx.query.has('page') || ctx.query.has('per_page');
      const p = pageParams(ctx.query, 250);
      const slice = paging ? all.slice((p.page - 1) * p.perPage, p.page * p.perPage) : all.slice(0, 250);
      const [commits, [baseCommit], [mbCommit], files] = await Promise.all([
        git.readCommits(owner, name, slice),
        git.readCommits(owner, name, [base]),
        git.readCommits(owner, name, [mergeBase]),
        git.diffStat(owner, name, mergeBase, head),
      ]);
      if (!baseCommit || !mbCommit) throw notFound();
      const l = ctx.sandbox.links;
      const html = `${l.api}/${owner}/${name}/compare/${baseRev}...${headRev}`;
      const headers: Record<string, string> = {};
      const link = paging
        ? linkHeader(`${l.api}/repos/${owner}/${name}/compare/${basehead}`, ctx.query, p, all.length)
        : undefined;
      if (link) headers['link'] = link;
      return {
        status: 200,
        headers,
        body: {
          url: `${l.api}/repos/${owner}/${name}/compare/${baseRev}...${headRev}`,
          html_url: html,
          permalink_url: `${l.api}/${owner}/${name}/compare/${owner}:${base.slice(0, 7)}...${owner}:${head.slice(0, 7)}`,
          diff_url: `${html}.diff`,
          patch_url: `${html}.patch`,
          base_commit: restCommit(l, owner, name, baseCommit),
          merge_base_commit: restCommit(l, owner, name, mbCommit),
          status,
          ahead_by: ahead,
          behind_by: behind,
          total_commits: ahead,
          commits: commits.map((c) => restCommit(l, owner, name, c)),
          files: (restCommit(l, owner, name, baseCommit, files)['files'] as unknown[]) ?? [],
        },
      };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/tags',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const refs = await ctx.sandbox.git.listRefs(owner, name, 'refs/tags/');
      const tags = refs
        .map((r) => ({ name: r.ref.slice('refs/tags/'.length), commit: r.peeled }))
        .sort((a, b) => byVersionDesc(a.name, b.name));
      const { body, headers } = paged(`${ctx.sandbox.links.api}/repos/${owner}/${name}/tags`, ctx.query, tags);
      return { status: 200, body: body.map((t) => repoTag(ctx.sandbox.links, owner, name, t.name, t.commit)), headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/branches',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const refs = await ctx.sandbox.git.listRefs(owner, name, 'refs/heads/');
      const l = ctx.sandbox.links;
      const branches = refs.map((r) => ({
        name: r.ref.slice('refs/heads/'.length),
        commit: { sha: r.sha, url: `${l.api}/repos/${owner}/${name}/commits/${r.sha}` },
        protected: false,
      }));
      const { body, headers } = paged(`${l.api}/repos/${owner}/${name}/branches`, ctx.query, branches);
      return { status: 200, body, headers };
    },
  },
];
