// Git database routes: refs (list, match, get, create, update, delete), annotated tags and commits, all read from git.

import { ZERO_SHA } from '../git-store.js';
import { isSha, objectBody, optBool, optString, reqString } from '../request-input.js';
import { HttpError, notFound, unprocessable } from '../rest-errors.js';
import type { RouteDef } from '../router.js';
import type { Ctx, Services } from '../services.js';
import { gitCommit, gitRef, gitTag } from '../shapes.js';

function target(ctx: Ctx) {
  const owner = ctx.params['owner'] ?? '';
  const name = ctx.params['repo'] ?? '';
  const repo = ctx.sandbox.repo(ctx, owner, name);
  return { owner: repo.owner, name: repo.name, repo };
}

async function refsUnder(ctx: Ctx, prefix: string) {
  const { owner, name } = target(ctx);
  const all = await ctx.sandbox.git.listRefs(owner, name, 'refs/');
  return all
    .filter((r) => r.ref.startsWith(prefix) && r.ref !== 'refs/stash')
    .map((r) => gitRef(ctx.sandbox.links, owner, name, r.ref, r.sha, r.type));
}

async function getOne(ctx: Ctx) {
  const { owner, name } = target(ctx);
  const ref = `refs/${ctx.params['ref'] ?? ''}`;
  const found = (await ctx.sandbox.git.listRefs(owner, name, ref)).find((r) => r.ref === ref);
  if (!found) throw notFound();
  return { status: 200, body: gitRef(ctx.sandbox.links, owner, name, found.ref, found.sha, found.type) };
}

async function assertValidRef(ctx: Ctx, ref: string) {
  if (!(await ctx.sandbox.git.isValidRefName(ref)) || ref.split('/').length < 3) {
    throw unprocessable('Reference name is invalid');
  }
}

export const gitDataRoutes: RouteDef<Services>[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/refs',
    specTemplate: '/repos/{owner}/{repo}/git/matching-refs/{ref}',
    async handler(ctx) {
      return { status: 200, body: await refsUnder(ctx, 'refs/') };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/matching-refs/{ref}',
    async handler(ctx) {
      return { status: 200, body: await refsUnder(ctx, `refs/${ctx.params['ref'] ?? ''}`) };
    },
  },
  {
    // `matching-refs/` with an empty prefix: every ref (the trailing slash is dropped before routing)
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/matching-refs',
    specTemplate: '/repos/{owner}/{repo}/git/matching-refs/{ref}',
    async handler(ctx) {
      return { status: 200, body: await refsUnder(ctx, 'refs/') };
    },
  },
  { method: 'GET', template: '/repos/{owner}/{repo}/git/ref/{ref}', handler: getOne },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/refs/{ref}',
    specTemplate: '/repos/{owner}/{repo}/git/ref/{ref}',
    handler: getOne,
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/refs',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const b = objectBody(ctx.body);
      const ref = reqString(b, 'ref');
      const sha = reqString(b, 'sha');
      await assertValidRef(ctx, ref);
      const type = isSha(sha) ? await ctx.sandbox.git.objectType(owner, name, sha) : null;
      if (!type) throw unprocessable('Object does not exist');
      if (!(await ctx.sandbox.git.updateRef(owner, name, ref, sha, ZERO_SHA)))
        throw unprocessable('Reference already exists');
      await ctx.sandbox.event({
        kind: 'refs',
        owner,
        repo: name,
        changes: [{ ref, before: ZERO_SHA, after: sha }],
        pusher: ctx.login,
      });
      const body = gitRef(ctx.sandbox.links, owner, name, ref, sha, type);
      return { status: 201, body, headers: { location: body.url } };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/git/refs/{ref}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const ref = `refs/${ctx.params['ref'] ?? ''}`;
      const b = objectBody(ctx.body);
      const sha = reqString(b, 'sha');
      const force = optBool(b, 'force') ?? false;
      const current = (await ctx.sandbox.git.listRefs(owner, name, ref)).find((r) => r.ref === ref);
      if (!current) throw unprocessable('Reference does not exist');
      const type = isSha(sha) ? await ctx.sandbox.git.objectType(owner, name, sha) : null;
      if (!type) throw unprocessable('Object does not exist');
      if (
        !force &&
        type === 'commit' &&
        current.type === 'commit' &&
        !(await ctx.sandbox.git.isAncestor(owner, name, current.sha, sha))
      ) {
        throw unprocessable('Update is not a fast forward');
      }
      // compare-and-swap against the value we checked, so a concurrent push is never overwritten
      if (!(await ctx.sandbox.git.updateRef(owner, name, ref, sha, current.sha))) {
        throw new HttpError(409, 'Reference update failed: the reference moved, try again');
      }
      if (current.sha !== sha) {
        await ctx.sandbox.event({
          kind: 'refs',
          owner,
          repo: name,
          changes: [{ ref, before: current.sha, after: sha }],
          pusher: ctx.login,
        });
      }
      return { status: 200, body: gitRef(ctx.sandbox.links, owner, name, ref, sha, type) };
    },
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/git/refs/{ref}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const ref = `refs/${ctx.params['ref'] ?? ''}`;
      const current = (await ctx.sandbox.git.listRefs(owner, name, ref)).find((r) => r.ref === ref);
      if (!current) throw unprocessable('Reference does not exist');
      await ctx.sandbox.git.deleteRef(owner, name, ref);
      await ctx.sandbox.event({
        kind: 'refs',
        owner,
        repo: name,
        changes: [{ ref, before: current.sha, after: ZERO_SHA }],
        pusher: ctx.login,
      });
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/tags',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const b = objectBody(ctx.body);
      const tag = reqString(b, 'tag');
      const message = reqString(b, 'message');
      const object = reqString(b, 'object');
      const type = reqString(b, 'type');
      if (!['commit', 'tree', 'blob', 'tag'].includes(type)) {
        throw unprocessable('Validation Failed', [{ resource: 'Tag', field: 'type', code: 'invalid' }]);
      }
      if (!(await ctx.sandbox.git.isValidRefName(`refs/tags/${tag}`))) {
        throw unprocessable('Validation Failed', [{ resource: 'Tag', field: 'tag', code: 'invalid' }]);
      }
      const actual = isSha(object) ? await ctx.sandbox.git.objectType(owner, name, object) : null;
      if (!actual) throw unprocessable('Object does not exist');
      if (actual !== type)
        throw unprocessable('Validation Failed', [{ resource: 'Tag', field: 'type', code: 'invalid' }]);
      const tb = b['tagger'];
      const tagger =
        tb && typeof tb === 'object'
          ? {
              name: optString(tb as Record<string, unknown>, 'name') ?? ctx.login,
              email: optString(tb as Record<string, unknown>, 'email') ?? `${ctx.login}@users.noreply.sandbox`,
              date: normalizeDate(optString(tb as Record<string, unknown>, 'date')) ?? ctx.sandbox.nowIso(),
            }
          : { name: ctx.login, email: `${ctx.login}@users.noreply.sandbox`, date: ctx.sandbox.nowIso() };
      if (/[<>\n]/.test(tagger.name + tagger.email))
        throw unprocessable('Validation Failed', [{ resource: 'Tag', field: 'tagger', code: 'invalid' }]);
      const t = await ctx.sandbox.git.writeTag(owner, name, { object, type, tag, tagger, message });
      const body = gitTag(ctx.sandbox.links, owner, name, t);
      return { status: 201, body, headers: { location: body.url } };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/tags/{tag_sha}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const t = await ctx.sandbox.git.readTag(owner, name, ctx.params['tag_sha'] ?? '');
      if (!t) throw notFound();
      return { status: 200, body: gitTag(ctx.sandbox.links, owner, name, t) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const c = await ctx.sandbox.git.readCommit(owner, name, ctx.params['commit_sha'] ?? '');
      if (!c) throw notFound();
      return { status: 200, body: gitCommit(ctx.sandbox.links, owner, name, c) };
    },
  },
];

function normalizeDate(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms))
    throw unprocessable('Validation Failed', [{ resource: 'Tag', field: 'tagger.date', code: 'invalid' }]);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
