// Repository routes: list an org's repos, read one, create one in an org or for the user.

import type { SandboxRepoInfo } from '../reader.js';
import { objectBody, optBool, optString, paged, reqString } from '../request-input.js';
import { HttpError, unprocessable } from '../rest-errors.js';
import type { RouteDef } from '../router.js';
import type { Ctx, Services } from '../services.js';
import { fullOrg, minimalRepo, repositoryFull } from '../shapes.js';

const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;

async function create(ctx: Ctx, owner: string) {
  const b = objectBody(ctx.body);
  const name = reqString(b, 'name');
  if (!REPO_NAME.test(name) || name === '.' || name === '..') {
    throw unprocessable('Repository creation failed.', [
      { resource: 'Repository', code: 'custom', field: 'name', message: 'name is invalid' },
    ]);
  }
  const repo = await ctx.sandbox.createRepo(owner, name, {
    private: optBool(b, 'private') ?? false,
    description: optString(b, 'description') ?? null,
    autoInit: optBool(b, 'auto_init') ?? false,
  });
  return {
    status: 201,
    body: repositoryFull(ctx.sandbox.links, repo),
    headers: { location: `${ctx.sandbox.links.api}/repos/${repo.full_name}` },
  };
}

export const repoRoutes: RouteDef<Services>[] = [
  {
    method: 'GET',
    template: '/orgs/{org}',
    async handler(ctx) {
      const org = ctx.params['org'] ?? '';
      ctx.sandbox.requireOwner(ctx, org);
      const repos = ctx.sandbox.state.list<SandboxRepoInfo>('repo', org, '');
      return { status: 200, body: fullOrg(ctx.sandbox.links, org, repos, '2020-01-01T00:00:00Z') };
    },
  },
  {
    method: 'GET',
    template: '/orgs/{org}/repos',
    async handler(ctx) {
      const org = ctx.params['org'] ?? '';
      ctx.sandbox.requireOwner(ctx, org);
      let repos = ctx.sandbox.state.list<SandboxRepoInfo>('repo', org, '');
      const type = ctx.query.get('type') ?? 'all';
      if (type === 'public') repos = repos.filter((r) => !r.private);
      if (type === 'private') repos = repos.filter((r) => r.private);
      const sort = ctx.query.get('sort') ?? 'created';
      const direction = ctx.query.get('direction') ?? (sort === 'full_name' ? 'asc' : 'desc');
      const keyOf = (r: SandboxRepoInfo) =>
        sort === 'full_name'
          ? r.full_name.toLowerCase()
          : sort === 'updated'
            ? r.updated_at
            : sort === 'pushed'
              ? r.pushed_at
              : r.created_at;
      // Ties broken by id so pages never overlap or skip.
      repos.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : a.id - b.id));
      if (direction === 'desc') repos.reverse();
      const { body, headers } = paged(`${ctx.sandbox.links.api}/orgs/${org}/repos`, ctx.query, repos);
      return { status: 200, body: body.map((r) => minimalRepo(ctx.sandbox.links, r)), headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    async handler(ctx) {
      const repo = ctx.sandbox.repo(ctx, ctx.params['owner'] ?? '', ctx.params['repo'] ?? '');
      return { status: 200, body: repositoryFull(ctx.sandbox.links, repo) };
    },
  },
  {
    method: 'POST',
    template: '/orgs/{org}/repos',
    async handler(ctx) {
      const org = ctx.params['org'] ?? '';
      ctx.sandbox.requireOwner(ctx, org);
      return create(ctx, org);
    },
  },
  {
    method: 'POST',
    template: '/user/repos',
    async handler(ctx) {
      if (!ctx.login) throw new HttpError(401, 'Requires authentication');
      return create(ctx, ctx.login);
    },
  },
];
