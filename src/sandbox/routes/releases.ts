// Release routes: create (creating the tag when missing, like GitHub), read by id/tag/latest, list, update, delete.

import { ZERO_SHA } from '../git-store.js';
import { objectBody, optBool, optString, paged, reqString } from '../request-input.js';
import { notFound, unprocessable } from '../rest-errors.js';
import type { RouteDef } from '../router.js';
import type { Ctx, Services } from '../services.js';
import { type ReleaseRecord, release as releaseShape } from '../shapes.js';
import { assetsOf, removeReleaseAssets } from './release-assets.js';

/** The API shape of a release, with its uploaded assets. */
function release(ctx: Ctx, r: ReleaseRecord) {
  return releaseShape(ctx.sandbox.links, r, assetsOf(ctx, r));
}

const MAKE_LATEST = ['true', 'false', 'legacy'];

/** `make_latest` as GitHub takes it (a string): `false` keeps a release from ever becoming the repository's latest. */
function makeLatestOf(b: Record<string, unknown>): string | undefined {
  const value = optString(b, 'make_latest');
  if (value !== undefined && !MAKE_LATEST.includes(value)) {
    throw unprocessable('Validation Failed', [{ resource: 'Release', code: 'invalid', field: 'make_latest' }]);
  }
  return value;
}

function target(ctx: Ctx) {
  const repo = ctx.sandbox.repo(ctx, ctx.params['owner'] ?? '', ctx.params['repo'] ?? '');
  return { owner: repo.owner, name: repo.name, repo };
}

function all(ctx: Ctx, owner: string, name: string): ReleaseRecord[] {
  return ctx.sandbox.state.list<ReleaseRecord>('release', owner, name);
}

function byId(ctx: Ctx, owner: string, name: string): ReleaseRecord {
  const id = Number(ctx.params['release_id']);
  const r = Number.isInteger(id) ? ctx.sandbox.state.get<ReleaseRecord>('release', id) : null;
  if (!r || r.owner.toLowerCase() !== owner.toLowerCase() || r.repo.toLowerCase() !== name.toLowerCase())
    throw notFound();
  return r;
}

/** Newest first, the order GitHub lists releases in (drafts carry no publish date, so creation decides). */
function newestFirst(a: ReleaseRecord, b: ReleaseRecord): number {
  const ka = a.published_at ?? a.created_at;
  const kb = b.published_at ?? b.created_at;
  return ka < kb ? 1 : ka > kb ? -1 : b.id - a.id;
}

/**
 * A published release needs its tag: GitHub creates a lightweight tag at `target_commitish` when it is missing.
 * Returns the commit the tag names, or throws GitHub's 422 when the target cannot be resolved.
 */
async function ensureTag(ctx: Ctx, owner: string, name: string, tag: string, commitish: string): Promise<void> {
  const ref = `refs/tags/${tag}`;
  const existing = (await ctx.sandbox.git.listRefs(owner, name, ref)).find((r) => r.ref === ref);
  if (existing) return;
  const sha = await ctx.sandbox.git.resolveCommit(owner, name, commitish);
  if (!sha)
    throw unprocessable('Validation Failed', [{ resource: 'Release', code: 'invalid', field: 'target_commitish' }]);
  if (await ctx.sandbox.git.updateRef(owner, name, ref, sha, ZERO_SHA)) {
    await ctx.sandbox.event({
      kind: 'refs',
      owner,
      repo: name,
      changes: [{ ref, before: ZERO_SHA, after: sha }],
      pusher: ctx.login,
    });
  }
}

export const releaseRoutes: RouteDef<Services>[] = [
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/releases',
    async handler(ctx) {
      const { owner, name, repo } = target(ctx);
      const b = objectBody(ctx.body);
      const tag = reqString(b, 'tag_name');
      if (!tag || !(await ctx.sandbox.git.isValidRefName(`refs/tags/${tag}`))) {
        throw unprocessable('Validation Failed', [{ resource: 'Release', code: 'invalid', field: 'tag_name' }]);
      }
      if (ctx.sandbox.state.find('release', owner, name, tag)) {
        throw unprocessable('Validation Failed', [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
      }
      const draft = optBool(b, 'draft') ?? false;
      const target_commitish = optString(b, 'target_commitish') ?? repo.default_branch;
      if (!draft) await ensureTag(ctx, owner, name, tag, target_commitish);
      else if (!(await ctx.sandbox.git.resolveCommit(owner, name, target_commitish))) {
        throw unprocessable('Validation Failed', [{ resource: 'Release', code: 'invalid', field: 'target_commitish' }]);
      }
      // Checked again with no await before the insert: two concurrent creates for one tag (a killed worker's request
      // still in flight while its successor retries) must leave one release, as GitHub's unique index does.
      if (ctx.sandbox.state.find('release', owner, name, tag)) {
        throw unprocessable('Validation Failed', [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
      }
      const now = ctx.sandbox.nowIso();
      const id = ctx.sandbox.state.nextId('release');
      const rec: ReleaseRecord = {
        id,
        owner,
        repo: name,
        tag_name: tag,
        target_commitish,
        name: optString(b, 'name') ?? tag,
        body: optString(b, 'body') ?? null,
        draft,
        prerelease: optBool(b, 'prerelease') ?? false,
        make_latest: makeLatestOf(b) ?? 'true',
        author: ctx.login,
        created_at: now,
        published_at: draft ? null : now,
        updated_at: now,
      };
      ctx.sandbox.state.put('release', id, { owner, repo: name, key: tag }, rec);
      await ctx.sandbox.event({
        kind: 'release',
        owner,
        repo: name,
        action: draft ? 'created' : 'published',
        releaseId: id,
        sender: ctx.login,
      });
      const out = release(ctx, rec);
      return { status: 201, body: out, headers: { location: out.url } };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/releases',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const list = all(ctx, owner, name).sort(newestFirst);
      const { body, headers } = paged(`${ctx.sandbox.links.api}/repos/${owner}/${name}/releases`, ctx.query, list);
      return { status: 200, body: body.map((r) => release(ctx, r)), headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/releases/latest',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const latest = all(ctx, owner, name)
        .filter((r) => !r.draft && !r.prerelease && r.make_latest !== 'false')
        .sort(newestFirst)[0];
      if (!latest) throw notFound();
      return { status: 200, body: release(ctx, latest) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/releases/tags/{tag}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const r = ctx.sandbox.state.find<ReleaseRecord>('release', owner, name, ctx.params['tag'] ?? '');
      // Drafts are invisible by tag, as on GitHub.
      if (!r || r.draft) throw notFound();
      return { status: 200, body: release(ctx, r) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/releases/{release_id}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      return { status: 200, body: release(ctx, byId(ctx, owner, name)) };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/releases/{release_id}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const rec = byId(ctx, owner, name);
      const b = objectBody(ctx.body);
      const tag = optString(b, 'tag_name') ?? rec.tag_name;
      if (tag !== rec.tag_name) {
        if (!(await ctx.sandbox.git.isValidRefName(`refs/tags/${tag}`))) {
          throw unprocessable('Validation Failed', [{ resource: 'Release', code: 'invalid', field: 'tag_name' }]);
        }
        if (ctx.sandbox.state.find('release', owner, name, tag)) {
          throw unprocessable('Validation Failed', [
            { resource: 'Release', code: 'already_exists', field: 'tag_name' },
          ]);
        }
      }
      const draft = optBool(b, 'draft') ?? rec.draft;
      const target_commitish = optString(b, 'target_commitish') ?? rec.target_commitish;
      const publishing = rec.draft && !draft;
      if (!draft) await ensureTag(ctx, owner, name, tag, target_commitish);
      const now = ctx.sandbox.nowIso();
      const next: ReleaseRecord = {
        ...rec,
        tag_name: tag,
        target_commitish,
        name: optString(b, 'name') ?? rec.name,
        body: optString(b, 'body') ?? rec.body,
        draft,
        prerelease: optBool(b, 'prerelease') ?? rec.prerelease,
        make_latest: makeLatestOf(b) ?? rec.make_latest ?? 'true',
        published_at: publishing ? now : rec.published_at,
        updated_at: now,
      };
      ctx.sandbox.state.put('release', rec.id, { owner, repo: name, key: tag }, next);
      await ctx.sandbox.event({
        kind: 'release',
        owner,
        repo: name,
        action: publishing ? 'published' : 'edited',
        releaseId: rec.id,
        sender: ctx.login,
      });
      return { status: 200, body: release(ctx, next) };
    },
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/releases/{release_id}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const rec = byId(ctx, owner, name);
      await removeReleaseAssets(ctx, rec);
      ctx.sandbox.state.remove('release', rec.id);
      return { status: 204 };
    },
  },
];
