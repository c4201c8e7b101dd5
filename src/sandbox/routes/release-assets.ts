// Release asset routes: upload on the uploads host (`upload_url`), list, get, download, rename and delete.

import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { objectBody, optString, paged } from '../request-input.js';
import { notFound, unprocessable } from '../rest-errors.js';
import type { RouteDef } from '../router.js';
import type { Ctx, Services } from '../services.js';
import { type ReleaseAssetRecord, type ReleaseRecord, releaseAsset, UPLOADS_PREFIX } from '../shapes.js';

function target(ctx: Ctx) {
  const repo = ctx.sandbox.repo(ctx, ctx.params['owner'] ?? '', ctx.params['repo'] ?? '');
  return { owner: repo.owner, name: repo.name };
}

function releaseOf(ctx: Ctx, owner: string, name: string): ReleaseRecord {
  const id = Number(ctx.params['release_id']);
  const r = Number.isInteger(id) ? ctx.sandbox.state.get<ReleaseRecord>('release', id) : null;
  if (!r || !sameRepo(r, owner, name)) throw notFound();
  return r;
}

function assetById(ctx: Ctx, owner: string, name: string): ReleaseAssetRecord {
  const id = Number(ctx.params['asset_id']);
  const a = Number.isInteger(id) ? ctx.sandbox.state.get<ReleaseAssetRecord>('release_asset', id) : null;
  if (!a || !sameRepo(a, owner, name)) throw notFound();
  return a;
}

function sameRepo(r: { owner: string; repo: string }, owner: string, name: string): boolean {
  return r.owner.toLowerCase() === owner.toLowerCase() && r.repo.toLowerCase() === name.toLowerCase();
}

function tagOf(ctx: Ctx, a: ReleaseAssetRecord): string {
  return ctx.sandbox.state.get<ReleaseRecord>('release', a.releaseId)?.tag_name ?? '';
}

function bytesPath(ctx: Ctx, id: number): string {
  return join(ctx.sandbox.assetsDir, String(id));
}

const assetKey = (releaseId: number, name: string) => `${releaseId}/${name}`;

/** The assets of one release, oldest first (the order GitHub lists them in). */
export function assetsOf(ctx: Ctx, r: ReleaseRecord): ReleaseAssetRecord[] {
  return ctx.sandbox.state
    .list<ReleaseAssetRecord>('release_asset', r.owner, r.repo)
    .filter((a) => a.releaseId === r.id);
}

/** Deleting a release deletes its assets, records and bytes. */
export async function removeReleaseAssets(ctx: Ctx, r: ReleaseRecord): Promise<void> {
  for (const a of assetsOf(ctx, r)) {
    ctx.sandbox.state.remove('release_asset', a.id);
    await rm(bytesPath(ctx, a.id), { force: true });
  }
}

/** GitHub's rule for asset names: characters outside this set become dots. */
function assetName(raw: string): string {
  return raw.replace(/[^0-9A-Za-z._+@-]/g, '.');
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const invalid = (field: string, code = 'invalid') =>
  unprocessable('Validation Failed', [{ resource: 'ReleaseAsset', code, field }]);

export const releaseAssetRoutes: RouteDef<Services>[] = [
  {
    method: 'POST',
    template: `${UPLOADS_PREFIX}/repos/{owner}/{repo}/releases/{release_id}/assets`,
    specTemplate: '/repos/{owner}/{repo}/releases/{release_id}/assets',
    rawBody: true,
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const rel = releaseOf(ctx, owner, name);
      const raw = ctx.query.get('name');
      if (!raw?.trim()) throw invalid('name', 'missing');
      const fileName = assetName(raw.trim());
      const bytes = Buffer.isBuffer(ctx.body) ? ctx.body : Buffer.alloc(0);
      if (bytes.length === 0) throw invalid('size');
      if (ctx.sandbox.state.find('release_asset', owner, name, assetKey(rel.id, fileName))) {
        throw invalid('name', 'already_exists');
      }
      const id = ctx.sandbox.state.nextId('release_asset');
      const now = ctx.sandbox.nowIso();
      const rec: ReleaseAssetRecord = {
        id,
        owner,
        repo: name,
        releaseId: rel.id,
        name: fileName,
        label: ctx.query.get('label') || null,
        content_type: headerText(ctx.headers['content-type']) ?? 'application/octet-stream',
        size: bytes.length,
        digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
        uploader: ctx.login,
        created_at: now,
        updated_at: now,
      };
      // bytes first: a record never names a file that is not there
      await mkdir(ctx.sandbox.assetsDir, { recursive: true });
      await writeFile(bytesPath(ctx, id), bytes);
      // Checked again with no await before the insert: two concurrent uploads of one name (a killed worker's upload
      // still in flight while its successor retries) must leave one asset, as GitHub's unique name does.
      if (ctx.sandbox.state.find('release_asset', owner, name, assetKey(rel.id, fileName))) {
        await rm(bytesPath(ctx, id), { force: true });
        throw invalid('name', 'already_exists');
      }
      ctx.sandbox.state.put('release_asset', id, { owner, repo: name, key: assetKey(rel.id, fileName) }, rec);
      return { status: 201, body: releaseAsset(ctx.sandbox.links, rec, rel.tag_name) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/releases/{release_id}/assets',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const rel = releaseOf(ctx, owner, name);
      const url = `${ctx.sandbox.links.api}/repos/${owner}/${name}/releases/${rel.id}/assets`;
      const { body, headers } = paged(url, ctx.query, assetsOf(ctx, rel));
      return { status: 200, body: body.map((a) => releaseAsset(ctx.sandbox.links, a, rel.tag_name)), headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/releases/assets/{asset_id}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const a = assetById(ctx, owner, name);
      const accept = headerText(ctx.headers['accept']) ?? '';
      if (accept.includes('application/octet-stream')) {
        // As GitHub: a 302 to a signed URL on the storage host (asset-storage.ts), which sends the bytes.
        return {
          status: 302,
          headers: { location: ctx.sandbox.assetDownloadUrl(a.id) },
          raw: { bytes: Buffer.alloc(0), contentType: 'text/html;charset=utf-8' },
        };
      }
      return { status: 200, body: releaseAsset(ctx.sandbox.links, a, tagOf(ctx, a)) };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/releases/assets/{asset_id}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const a = assetById(ctx, owner, name);
      const b = objectBody(ctx.body);
      const newName = optString(b, 'name');
      const fileName = newName === undefined ? a.name : assetName(newName.trim());
      if (!fileName) throw invalid('name');
      if (
        fileName !== a.name &&
        ctx.sandbox.state.find('release_asset', owner, name, assetKey(a.releaseId, fileName))
      ) {
        throw invalid('name', 'already_exists');
      }
      const next: ReleaseAssetRecord = {
        ...a,
        name: fileName,
        label: optString(b, 'label') ?? a.label,
        updated_at: ctx.sandbox.nowIso(),
      };
      ctx.sandbox.state.put('release_asset', a.id, { owner, repo: name, key: assetKey(a.releaseId, fileName) }, next);
      return { status: 200, body: releaseAsset(ctx.sandbox.links, next, tagOf(ctx, next)) };
    },
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/releases/assets/{asset_id}',
    async handler(ctx) {
      const { owner, name } = target(ctx);
      const a = assetById(ctx, owner, name);
      ctx.sandbox.state.remove('release_asset', a.id);
      await rm(bytesPath(ctx, a.id), { force: true });
      return { status: 204 };
    },
  },
];
